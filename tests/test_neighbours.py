"""The gluteal neighbourhood: muscles clear of the bones, rotation moment arms in the published pattern."""

import itertools

import numpy as np
import pytest
from proximity import SurfaceDistance, inside

from viewer import data, geometry
from viewer.anatomy import POSE_RANGE, Pose
from viewer.muscles import STRUCTURES, Neighbourhood

SIDES = ["right", "left"]
FLEXIONS = (0.0, 30.0, 60.0, 90.0)


@pytest.fixture(scope="module")
def hoods(model):
    return {side: Neighbourhood(model, side) for side in SIDES}


@pytest.fixture(scope="module")
def rotation_arms(hoods):
    """Rotation moment arm (mm, + internal) of each medius part at each flexion, per side."""
    m = {side: h.muscles["gluteus_medius"] for side, h in hoods.items()}
    return {side: {f: mu.moment_arms(Pose(0, f, 0), "rotation") for f in FLEXIONS} for side, mu in m.items()}


def test_every_structure_is_built_and_named(hoods):
    for h in hoods.values():
        assert set(h.muscles) == set(data.MUSCLES)
        assert {"superior_gluteal_nerve", "trochanteric_bursa", "iliotibial_tract"} <= set(h.rigid)
        assert set(STRUCTURES) <= set(h.muscles) | set(h.rigid)
        for r in h.rigid.values():  # closed, outward: positive volume
            a, b, c = (r.vertices[r.faces[:, k]] for k in range(3))
            assert np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6 > 0, r.id


@pytest.mark.parametrize("side", SIDES)
def test_anterior_medius_rotates_internally_at_every_flexion(rotation_arms, side):
    """Delp et al. 1999 (J Biomech 32:493) and gait2392's glut_med1: internal at 0-90 degrees."""
    for f in FLEXIONS:
        assert rotation_arms[side][f]["anterior"] > 3.0, f


@pytest.mark.parametrize("side", SIDES)
def test_middle_and_posterior_turn_from_external_to_internal_with_flexion(rotation_arms, side):
    """External near 0 degrees, internal by 60 (middle) and 90 (posterior), rising with flexion
    (Delp 1999: 'some muscles switch from external rotation to internal rotation as the hip is flexed')."""
    arms = rotation_arms[side]
    for part in ("middle", "posterior"):
        assert arms[0.0][part] < -5.0, part
        assert arms[90.0][part] > 5.0, part
        assert arms[30.0][part] > arms[0.0][part] and arms[60.0][part] > arms[30.0][part], part
    assert arms[60.0]["middle"] > 0.0
    # the posterior part is the most external at neutral, the anterior the most internal
    assert arms[0.0]["posterior"] < arms[0.0]["middle"] < arms[0.0]["anterior"]


@pytest.mark.parametrize("side", SIDES)
def test_medius_rotation_near_gait2392_in_the_isb_frame(rotation_arms, side):
    """gait2392 glut_med1-3 at 0 degrees, shifted 10.6 degrees into the ISB pelvis frame (its
    pelvis mesh's ASIS-PSIS tilt; opensim-models commit 20a888b): 12.3, -15.9, -37.4 mm. The frame
    shift alone moves these by about 0.7 mm per degree, so 15 mm. (At 60 degrees the posterior
    part turns internal sooner here than in gait2392: 24 against 5 mm.)"""
    want = {0.0: (12.3, -15.9, -37.4)}
    for f, values in want.items():
        got = [rotation_arms[side][f][p] for p in ("anterior", "middle", "posterior")]
        np.testing.assert_allclose(got, values, atol=15.0, err_msg=f"flexion {f}")


@pytest.mark.parametrize("side", SIDES)
def test_abductors_abduct_at_neutral(hoods, side):
    """The medius, minimus and TFL abduct at neutral; gait2392: 35-49 mm for the medius and minimus."""
    for name in ("gluteus_medius", "gluteus_minimus", "tensor_fasciae_latae"):
        arms = hoods[side].muscles[name].moment_arms(Pose(), "abduction")
        assert 25.0 < arms["whole"] < 95.0, name


@pytest.mark.parametrize("side", SIDES)
def test_maximus_rotates_externally_and_extends_at_neutral(hoods, side):
    """Delp 1999: 'The gluteus maximus was found to have a large capacity for external rotation.'"""
    m = hoods[side].muscles["gluteus_maximus"]
    assert m.moment_arms(Pose(), "rotation")["whole"] < -20.0
    assert m.moment_arms(Pose(), "flexion")["whole"] < -20.0


@pytest.mark.parametrize("side", SIDES)
def test_no_muscle_enters_a_bone_over_the_pose_range(model, hoods, side):
    bones = {
        b: SurfaceDistance(model.bones[b].vertices, model.bones[b].faces) for b in (f"hip_{side}", "sacrum")
    }
    femur = model.bones[f"femur_{side}"]
    femur_d = SurfaceDistance(femur.vertices, femur.faces)
    grid = {k: np.linspace(lo, hi, 3) for k, (lo, hi) in POSE_RANGE.items()}
    for name, m in hoods[side].muscles.items():
        worst = np.inf
        for a, f, r in itertools.product(grid["abduction"], grid["flexion"], grid["rotation"]):
            pose = Pose(a, f, r)
            v = m.surface(pose).vertices
            worst = min(worst, *(d.signed_distance(v).min() for d in bones.values()))
            back = geometry.invert(model.femur_transform(side, pose))
            worst = min(worst, femur_d.signed_distance(geometry.apply(back, v)).min())
        assert worst > 0.0, (name, worst)


@pytest.mark.parametrize("side", SIDES)
def test_the_nerve_runs_under_the_medius_and_the_bursa_on_the_femur(model, hoods, side):
    h = hoods[side]
    nerve = h.rigid["superior_gluteal_nerve"]
    for name in ("gluteus_medius", "gluteus_maximus"):
        s = h.muscles[name].surface(Pose())
        assert not inside(nerve.vertices, s.vertices, s.faces).any(), name
        assert not inside(s.vertices, nerve.vertices, nerve.faces).any(), name
    femur = model.bones[f"femur_{side}"]
    bursa = h.rigid["trochanteric_bursa"]
    assert SurfaceDistance(femur.vertices, femur.faces).signed_distance(bursa.vertices).min() > 0.0
    # it moves with the femur
    tf = model.femur_transform(side, Pose(30, 20, 10))
    np.testing.assert_allclose(bursa.posed(tf), geometry.apply(tf, bursa.vertices))


@pytest.mark.parametrize("side", SIDES)
def test_a_side_posed_at_once_equals_each_muscle_alone(hoods, side):
    """Neighbourhood.surfaces (SideBatch: one wrapping pass for all) repeats FanMuscle.surface."""
    h = hoods[side]
    for pose in (Pose(), Pose(30, 20, -10), Pose(-15, 90, 30), Pose(10, frontal=True)):
        together = h.surfaces(pose)
        for name, m in h.muscles.items():
            alone = m.surface(pose)
            np.testing.assert_allclose(together[name].vertices, alone.vertices, atol=1e-9, err_msg=name)
            # and the muscle posed alone by the compiled loops (lengths and moment arms use it)
            fast = m.fast_surface(pose)
            np.testing.assert_allclose(fast.vertices, alone.vertices, atol=1e-9, err_msg=name)
            np.testing.assert_array_equal(fast.faces, alone.faces)
            np.testing.assert_array_equal(together[name].faces, alone.faces)


@pytest.mark.parametrize("side", SIDES)
def test_lift_tables_equal_the_reference(model, hoods, side):
    """The lift tables built with the compiled loops (the muscle's bare deep sheet and the
    structures beneath posed by SideBatch) equal FanMuscle's numpy reference."""
    from viewer.muscles.fan import FanMuscle

    h = hoods[side]
    lifted = [m for m in h.muscles.values() if m.over]
    assert [m.id for m in lifted] == ["gluteus_medius", "tensor_fasciae_latae", "gluteus_maximus"]
    for m in lifted:
        ref = FanMuscle(model, side, m.params)
        ref.lie_over({o: h.muscles.get(o) or h.rigid[o] for o in m.over})
        assert ref.lift.max() > 5.0, m.id  # the lift is there to compare
        np.testing.assert_allclose(m.lift, ref.lift, rtol=0, atol=1e-9, err_msg=m.id)


@pytest.mark.parametrize("side", SIDES)
def test_layers_apart_at_neutral_and_in_moderate_flexion(hoods, side):
    """No vertex of a muscle inside the muscle it lies over (winding number), at neutral and in
    the poses of daily teaching; deep flexion is a known limit (the note of issue #14)."""
    h = hoods[side]
    pairs = [("gluteus_maximus", "gluteus_medius"), ("tensor_fasciae_latae", "gluteus_medius")]
    for pose in (Pose(), Pose(30, 0, 0), Pose(-15, 0, 0), Pose(0, 30, 0), Pose(0, 0, 30), Pose(0, 0, -20)):
        s = h.surfaces(pose)
        for upper, lower in pairs:
            k = inside(s[lower].vertices, s[upper].vertices, s[upper].faces).sum()
            k += inside(s[upper].vertices, s[lower].vertices, s[lower].faces).sum()
            assert k <= 10, (pose, upper, lower, k)
