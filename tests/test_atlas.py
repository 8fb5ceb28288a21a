"""The finite-element evaluator against the GIAS3 reference and basis invariants."""

import json
from pathlib import Path

import numpy as np
import pytest

from viewer import atlas, build_meshes

#: One GIAS3 reference evaluation per element, with its provenance in tests/data/README.md.
REFERENCE = Path(__file__).parent / "data" / "llp26_element_samples.json"


@pytest.fixture(scope="module")
def fe_meshes():
    src = build_meshes.atlas_dir()
    return {
        "pelvis": atlas.read_fe_mesh(*(src / f for f in build_meshes.PELVIS_FILES)),
        "femur_left": atlas.read_fe_mesh(*(src / f for f in build_meshes.FEMUR_FILES)),
        "tibia_fibula_left": atlas.read_fe_mesh(*(src / f for f in build_meshes.TIBIA_FIBULA_FILES)),
        "patella_left": atlas.read_fe_mesh(*(src / f for f in build_meshes.PATELLA_FILES)),
    }


def test_topology_sizes(fe_meshes):
    pelvis, femur = fe_meshes["pelvis"], fe_meshes["femur_left"]
    assert len(pelvis.elements) == 260 and len(pelvis.nodes) == 1946
    assert len(femur.elements) == 54 and len(femur.nodes) == 634
    assert {e.basis for e in pelvis.elements} == {"quad_L3_L3", "simplex_L3_L3"}
    assert {e.basis for e in femur.elements} >= {"quad_L4_L4", "quad_L4_L3", "simplex_L4_L4"}
    tibia, patella = fe_meshes["tibia_fibula_left"], fe_meshes["patella_left"]
    assert len(tibia.elements) == 88 and len(tibia.nodes) == 571
    assert len(patella.elements) == 9 and len(patella.nodes) == 74
    assert (
        {e.basis for e in tibia.elements}
        == {e.basis for e in patella.elements}
        == {"quad_L3_L3", "simplex_L3_L3"}
    )


def test_matches_reference_evaluator(fe_meshes):
    ref = json.loads(REFERENCE.read_text())
    assert set(ref["meshes"]) == set(fe_meshes)
    for name, entry in ref["meshes"].items():
        mesh = fe_meshes[name]
        worst = 0.0
        for s in entry["samples"]:
            p = atlas.evaluate(mesh, s["element"], np.array([s["xi"]]))[0]
            worst = max(worst, float(np.linalg.norm(p - s["point_mm"])))
        # the reference is rounded to 1e-6 in xi and point
        assert worst < 2e-4, (name, worst)
        assert {s["element"] for s in entry["samples"]} == set(range(len(mesh.elements)))


@pytest.mark.parametrize("basis", sorted(atlas.BASIS_NODES))
def test_basis_is_interpolating_partition_of_unity(basis):
    el = atlas.Element(0, basis, np.arange(atlas.BASIS_NODES[basis]))
    xi_nodes = atlas.element_nodes_xi(el)
    assert len(xi_nodes) == atlas.BASIS_NODES[basis]
    # Kronecker delta at the nodes
    np.testing.assert_allclose(atlas.element_basis(el, xi_nodes), np.eye(len(xi_nodes)), atol=1e-12)
    rng = np.random.default_rng(1)
    xi = rng.uniform(0, 1, (50, 2))
    if not el.is_quad:
        xi = xi[xi.sum(axis=1) <= 1]
    np.testing.assert_allclose(atlas.element_basis(el, xi).sum(axis=1), 1.0, atol=1e-12)


def test_element_grid_covers_element_once():
    for basis in ("quad_L3_L3", "simplex_L4_L4"):
        el = atlas.Element(0, basis, np.arange(atlas.BASIS_NODES[basis]))
        xi, faces = atlas.element_grid(el, 12)
        a, b, c = xi[faces[:, 0]], xi[faces[:, 1]], xi[faces[:, 2]]
        signed = 0.5 * ((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0])
        assert (signed > 0).all()  # counter-clockwise in (xi1, xi2)
        assert signed.sum() == pytest.approx(1.0 if el.is_quad else 0.5)
