"""The procedural gluteus medius: shape, attachments, no penetration, biomechanics."""

import itertools

import numpy as np
import pytest
import trimesh
from proximity import SurfaceDistance

from viewer import geometry
from viewer.anatomy import POSE_RANGE, Pose
from viewer.muscles import JOINTS, gluteus_medius, moment_arm, sweep
from viewer.muscles.moment import _with


@pytest.fixture(scope="module")
def muscles(model):
    return {side: gluteus_medius(model, side) for side in ("right", "left")}


@pytest.fixture(scope="module")
def distances(model):
    return {name: SurfaceDistance(b.vertices, b.faces) for name, b in model.bones.items()}


SIDES = ["right", "left"]


@pytest.mark.parametrize("side", SIDES)
def test_closed_outward_surface(muscles, side):
    s = muscles[side].surface(Pose(10, 20, 5))
    mesh = trimesh.Trimesh(s.vertices, s.faces, process=False)
    assert mesh.is_watertight and mesh.is_winding_consistent
    assert mesh.volume > 40_000  # mm^3, positive: normals point outward
    assert set(np.unique(s.part)) == {0, 1, 2}
    assert s.fibre_v.min() == 0 and s.fibre_v.max() == 1


@pytest.mark.parametrize("side", SIDES)
def test_origin_on_ilium_between_gluteal_lines(model, muscles, distances, side):
    m = muscles[side]
    origin = m.surface(Pose()).origin_edge
    d = distances[f"hip_{side}"].signed_distance(origin)
    assert np.abs(d).max() < 2.0
    # below the crest, in front of the posterior gluteal line, and behind the anterior one but
    # for the extension toward the ASIS along the crest (the anterior crest and aponeurosis)
    crest = model.landmark(f"iliac_crest_{side}")
    agl = model.landmark(f"anterior_gluteal_line_{side}")
    pgl = model.landmark(f"posterior_gluteal_line_{side}")
    for p in origin:
        near_crest = crest[np.argsort(np.abs(crest[:, 0] - p[0]))[:2]]
        assert p[1] < near_crest[:, 1].max()
    assert origin[:, 0].max() < agl[0, 0] + m.params["origin"]["anterior_extension_mm"] + 1.0
    assert origin[:, 0].min() > pgl[0, 0] - 1.0
    # the lateral (gluteal) side of the ilium
    s = 1 if side == "right" else -1
    assert (s * (origin[:, 2] - 0) > 40).all()


@pytest.mark.parametrize("side", SIDES)
def test_insertion_on_trochanter_facet(model, muscles, distances, side):
    ins = muscles[side].surface(Pose()).insertion_edge
    d = distances[f"femur_{side}"].signed_distance(ins)
    assert np.abs(d).max() < 2.0
    facet = model.landmark(f"greater_trochanter_facet_{side}")
    nearest = np.linalg.norm(ins[:, None] - facet[None], axis=2).min(axis=1)
    assert nearest.max() < 10.0  # within the facet region (nodes ~8 mm apart)


@pytest.mark.parametrize("side", SIDES)
def test_fan_shape(muscles, side):
    s = muscles[side].surface(Pose())
    ow = geometry.polyline_length(s.origin_edge)
    iw = geometry.polyline_length(s.insertion_edge)
    assert ow >= 3 * iw, (ow, iw)
    # thickest in the belly, thin at both ends
    t = np.linalg.norm(s.superficial - s.deep, axis=2)
    mid = t.shape[0] // 2
    assert t[mid].max() > 10 and t[mid, 0] < 3 and t[mid, -1] < 3


@pytest.mark.parametrize("side", SIDES)
def test_no_penetration_over_pose_sweep(model, muscles, distances, side):
    femur = model.bones[f"femur_{side}"]
    worst = np.inf
    grid = {k: np.linspace(lo, hi, 3) for k, (lo, hi) in POSE_RANGE.items()}
    for a, f, r in itertools.product(grid["abduction"], grid["flexion"], grid["rotation"]):
        pose = Pose(a, f, r)
        v = muscles[side].surface(pose).vertices
        worst = min(worst, distances[f"hip_{side}"].signed_distance(v).min())
        # the femur moves: query in its own neutral frame
        back = geometry.invert(model.femur_transform(side, pose))
        worst = min(worst, distances[femur.name].signed_distance(geometry.apply(back, v)).min())
    assert worst > 0.0, worst  # not one vertex inside a bone (the clearance is 0.4-1.0 mm)


@pytest.mark.parametrize("side", SIDES)
def test_insertion_follows_femur_rigidly(model, muscles, side):
    m = muscles[side]
    for pose in (Pose(30, 10, -10), Pose(-15, 45, 20)):
        moved = m.surface(pose).insertion_edge
        expected = geometry.apply(model.femur_transform(side, pose), m.surface(Pose()).insertion_edge)
        np.testing.assert_allclose(moved, expected, atol=1e-9)
        np.testing.assert_allclose(m.surface(pose).origin_edge, m.surface(Pose()).origin_edge, atol=1e-12)


@pytest.mark.parametrize("side", SIDES)
def test_length_falls_with_abduction_and_moment_arm_is_abductor(muscles, side):
    m = muscles[side]
    angles = np.arange(0, 41, 5)
    parts = ("anterior", "middle", "posterior", "whole")
    lengths = np.array([[m.lengths(Pose(a))[k] for k in parts] for a in angles])
    assert (np.diff(lengths, axis=0) < 0).all()
    for a in angles:
        arms = m.moment_arms(Pose(a))
        assert all(v > 0 for v in arms.values()), (a, arms)


@pytest.mark.parametrize("side", SIDES)
def test_numbers_within_published_models(muscles, side):
    """Abduction moment arms of OpenSim models (gait2392, Rajagopal 2016): 32-54 mm at 0 deg
    by part, whole muscle 42-48 mm at 0 deg and 47-55 mm at 20-40 deg; +/-20 % allowed."""
    m = muscles[side]
    arm0 = m.moment_arms(Pose(0))
    assert 42 * 0.8 < arm0["whole"] < 48 * 1.2
    assert arm0["anterior"] > arm0["middle"] > arm0["posterior"]  # as in the models
    for a in (20, 40):
        assert 47 * 0.8 < m.moment_arms(Pose(a))["whole"] < 55 * 1.2


def test_sweep_rows(muscles):
    rows = sweep(muscles, "abduction", -15, 45, 5)
    assert len(rows) == 13 * 2 * 4
    assert {r["part"] for r in rows} == {"anterior", "middle", "posterior", "whole"}
    assert rows[0]["angle_deg"] == -15 and rows[-1]["angle_deg"] == 45
    with pytest.raises(ValueError, match="outside the supported range"):
        sweep(muscles, "abduction", -30, 0, 5)


def _axis(model, side, pose, joint, step=1e-3):
    """Unit axis of the femur's rotation as ``joint`` grows at ``pose``, from two matrices."""
    a = model.femur_transform(side, _with(pose, joint, getattr(pose, joint) - step))[:3, :3]
    b = model.femur_transform(side, _with(pose, joint, getattr(pose, joint) + step))[:3, :3]
    r = b @ a.T  # rotation by 2*step degrees about the axis
    w = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    return w / np.linalg.norm(w)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("joint", JOINTS)
def test_moment_arm_of_a_straight_line_is_its_perpendicular_distance(model, side, joint):
    """The analytic case: a straight line from a pelvis point to a femur point. -dL/dθ
    (muscles.moment_arm) equals the moment of its unit direction about the joint's axis,
    k · ((I - c) × u), computed here from the posed geometry without any difference in L."""
    origin = model.landmark(f"asis_{side}") + np.array([-60.0, -20.0, 0.0])  # on the pelvis
    insertion0 = model.landmark(f"greater_trochanter_tip_{side}")  # on the femur, at neutral
    centre = model.hip_centre(side)

    def length(pose):
        ins = geometry.apply(model.femur_transform(side, pose), insertion0[None])[0]
        return {"line": float(np.linalg.norm(origin - ins))}

    for pose in (Pose(5, 5, 5), Pose(20, 30, 10), Pose(-10, 50, -15), Pose(40, 10, 25)):
        ins = geometry.apply(model.femur_transform(side, pose), insertion0[None])[0]
        u = (origin - ins) / np.linalg.norm(origin - ins)
        expected = float(_axis(model, side, pose, joint) @ np.cross(ins - centre, u))
        got = moment_arm(length, pose, joint, step_deg=0.5)["line"]
        assert got == pytest.approx(expected, abs=0.05), (pose, got, expected)
        assert abs(expected) > 1.0  # not a trivial zero
