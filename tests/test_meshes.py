"""The committed bone meshes: closed, outward, seated, reproducible."""

import itertools

import numpy as np
import pytest
import trimesh
from proximity import SurfaceDistance

from viewer import build_meshes, data
from viewer.anatomy import POSE_RANGE, Pose

#: Least volume (mm^3) of each kind of bone (negative if the normals pointed inward), and its
#: closed components (the tibia-fibula is two bones in one mesh).
VOLUME = {"hip": 90_000, "sacrum": 90_000, "femur": 90_000, "tibia_fibula": 250_000, "patella": 10_000}
COMPONENTS = {"tibia_fibula": 2}


@pytest.mark.parametrize("lod", [False, True], ids=["full", "lod"])
@pytest.mark.parametrize("bone", data.ALL_BONES)
def test_closed_and_outward(bone, lod):
    mesh = data.load_bone_mesh(bone, lod=lod)
    kind = bone.rpartition("_")[0] if bone != "sacrum" else bone
    assert mesh.is_watertight
    assert mesh.is_winding_consistent
    assert mesh.volume > VOLUME[kind]
    assert len(trimesh.graph.connected_components(mesh.face_adjacency)) == COMPONENTS.get(kind, 1)
    # outward normals: points pushed 0.5 mm along the vertex normal are outside
    probe = mesh.vertices[::50] + 0.5 * mesh.vertex_normals[::50]
    assert (SurfaceDistance(mesh.vertices, mesh.faces).signed_distance(probe) > 0).all()


def test_triangle_budget():
    counts = {b: len(data.load_bone_mesh(b).faces) for b in data.BONES}
    assert 100_000 < sum(counts.values()) < 160_000, counts
    legs = {b: len(data.load_bone_mesh(b).faces) for b in data.LEG_BONES}
    assert 15_000 < sum(legs.values()) < 30_000, legs  # drawn only with the lower legs


def test_checksums_match_provenance():
    data.verify_checksums()


def test_provenance_names_source_and_licence():
    prov = data.read_json(data.MESH_DIR / "provenance.json")
    assert prov["source"]["package"] == "musculoskeletal-models"
    assert prov["source"]["version"] == "0.2.4"
    assert prov["units"] == "mm"
    assert "Mozilla Public License" in (data.MESH_DIR / "LICENSE-MPL-2.0.txt").read_text()
    meshes = {f"{b}.ply" for b in data.ALL_BONES} | {f"lod/{b}.ply" for b in data.ALL_BONES}
    assert set(prov["files"]) == meshes | {"atlas_map.json", "shape_modes.npz"}


def test_rebuild_reproduces_committed_files(tmp_path):
    summary = build_meshes.build(tmp_path)
    for side in ("right", "left"):  # the leg bones seated at the knee with the configured space
        for leg in ("tibia_fibula", "patella"):
            assert summary["knee"][side][leg]["least_gap_mm"] == pytest.approx(
                build_meshes.KNEE_JOINT_SPACE, abs=2e-3
            )
    for bone in data.ALL_BONES:
        for lod in (False, True):
            new = data.load_bone_mesh(bone, tmp_path / ("lod" if lod else "") / f"{bone}.ply")
            old = data.load_bone_mesh(bone, lod=lod)
            assert np.abs(new.vertices - old.vertices).max() < 1e-6
            np.testing.assert_array_equal(new.faces, old.faces)
    assert (tmp_path / "atlas_map.json").read_text() == (data.MESH_DIR / "atlas_map.json").read_text()


@pytest.mark.parametrize("side", ["right", "left"])
def test_head_seated_in_socket(model, side):
    hjc = model.hip_centre(side)
    head = model.landmark(f"femoral_head_centre_{side}")
    assert np.linalg.norm(head - hjc) < 1.0
    # hip centre where regression from pelvic landmarks puts it (Harrington et al. 2007), within 10 mm
    pw = model.inter_asis_distance
    mid_asis = (model.landmark("asis_right") + model.landmark("asis_left")) / 2
    pd = np.linalg.norm(mid_asis - (model.landmark("psis_right") + model.landmark("psis_left")) / 2)
    s = 1 if side == "right" else -1
    expected = np.array([-0.24 * pd - 9.9, -0.30 * pw - 10.9, s * (0.33 * pw + 7.3)])
    assert np.linalg.norm(hjc - expected) < 10.0


@pytest.mark.parametrize("side", ["right", "left"])
def test_no_femur_vertex_inside_hip_bone_over_motion_range(model, side):
    hip = model.bones[f"hip_{side}"]
    sdf = SurfaceDistance(hip.vertices, hip.faces)
    femur = f"femur_{side}"
    near = np.linalg.norm(model.bones[femur].vertices - model.hip_centre(side), axis=1) < 90
    grid = {k: np.linspace(lo, hi, 3) for k, (lo, hi) in POSE_RANGE.items()}
    gaps = []
    for a, f, r in itertools.product(grid["abduction"], grid["flexion"], grid["rotation"]):
        pts = model.posed_vertices(femur, Pose(a, f, r))[near]
        gaps.append(sdf.signed_distance(pts).min())
    neutral = sdf.signed_distance(model.bones[femur].vertices).min()
    assert neutral > 1.0  # a visible joint space at neutral (mm)
    assert min(gaps) > 0.5, min(gaps)


def test_inter_asis_distance_is_adult(model):
    assert 220 < model.inter_asis_distance < 280
