"""The lower legs: knee and ankle landmarks, seating at the knee, posing with the femur and knee flexion."""

import numpy as np
import pytest
from proximity import SurfaceDistance

from viewer import geometry
from viewer.anatomy import KNEE_FLEXION_RANGE, Pose

SIDES = ("right", "left")
FLEXIONS = (0.0, 30.0, 60.0, 90.0)


def _gaps(model, side, pose, knee_flexion):
    """Least signed distances (mm) tibia-femur, patella-femur, patella-tibia, both ways round."""
    knee = model.knee_centre(side)
    femur = model.bones[f"femur_{side}"]
    tibia, patella = model.bones[f"tibia_fibula_{side}"], model.bones[f"patella_{side}"]
    # the femur in the lower leg's frame: the relative pose of the bones is all that counts
    relative = geometry.invert(model.lower_leg_transform(side, pose, knee_flexion)) @ model.femur_transform(
        side, pose
    )
    near_femur = femur.vertices[np.linalg.norm(femur.vertices - knee, axis=1) < 90]
    femur_in_leg = geometry.apply(relative, near_femur)
    leg_in_femur = geometry.invert(relative)
    sdf_femur = SurfaceDistance(femur.vertices, femur.faces)
    near_tibia = tibia.vertices[np.linalg.norm(tibia.vertices - knee, axis=1) < 90]
    tibia_femur = min(
        sdf_femur.signed_distance(geometry.apply(leg_in_femur, near_tibia)).min(),
        SurfaceDistance(tibia.vertices, tibia.faces).signed_distance(femur_in_leg).min(),
    )
    patella_femur = min(
        sdf_femur.signed_distance(geometry.apply(leg_in_femur, patella.vertices)).min(),
        SurfaceDistance(patella.vertices, patella.faces).signed_distance(femur_in_leg).min(),
    )
    patella_tibia = SurfaceDistance(tibia.vertices, tibia.faces).signed_distance(patella.vertices).min()
    return tibia_femur, patella_femur, patella_tibia


@pytest.mark.parametrize("side", SIDES)
def test_knee_and_ankle_centres(model, side):
    knee, ankle = model.landmark(f"knee_centre_{side}"), model.landmark(f"ankle_centre_{side}")
    lateral = model.landmark(f"epicondyle_lateral_{side}")
    medial = model.landmark(f"epicondyle_medial_{side}")
    np.testing.assert_allclose(knee, (lateral + medial) / 2)
    np.testing.assert_allclose(knee, model.knee_centre(side))
    mm, lm = model.landmark(f"malleolus_medial_{side}"), model.landmark(f"malleolus_lateral_{side}")
    np.testing.assert_allclose(ankle, (mm + lm) / 2)
    # the atlas shank: knee centre to ankle centre 398 mm, ankle far below the knee
    assert np.linalg.norm(knee - ankle) == pytest.approx(398.2, abs=1.0)
    assert knee[1] - ankle[1] == pytest.approx(397.1, abs=1.0)
    # the malleoli: the lateral one lower and lateral; the ankle about 60 mm wide
    s = 1.0 if side == "right" else -1.0
    assert lm[1] < mm[1] and s * (lm[2] - mm[2]) > 30
    assert 50 < np.linalg.norm(lm - mm) < 70
    # the tibial plateau just below the knee centre, the patella in front of the knee
    plateau = model.landmark(f"tibial_plateau_centre_{side}")
    assert 35 < knee[1] - plateau[1] < 50 and abs(plateau[2] - knee[2]) < 10
    assert model.landmark(f"patella_centre_{side}")[0] - knee[0] > 35


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("knee_flexion", FLEXIONS)
def test_no_intersection_at_the_knee(model, side, knee_flexion):
    tibia_femur, patella_femur, patella_tibia = _gaps(model, side, Pose(), knee_flexion)
    assert tibia_femur > 1.3, tibia_femur  # the builder leaves 1.5 mm at every 10 deg
    assert patella_femur > 1.3, patella_femur
    assert patella_tibia > 25, patella_tibia  # the patellar tendon's length apart
    if knee_flexion == 0.0:  # a small joint space at extension
        assert tibia_femur == pytest.approx(4.4, abs=0.3)
        assert patella_femur == pytest.approx(1.5, abs=0.2)


def test_leg_follows_femur_in_any_hip_pose(model):
    pose = Pose(abduction=30.0, flexion=40.0, rotation=10.0)
    for side in SIDES:
        gaps = _gaps(model, side, pose, 45.0)
        assert min(gaps) > 1.3  # the relative pose of femur and leg does not depend on the hip
        np.testing.assert_allclose(
            model.landmark(f"knee_centre_{side}", pose),
            geometry.apply(model.femur_transform(side, pose), model.knee_centre(side)[None])[0],
        )
        moved = model.posed_vertices(f"tibia_fibula_{side}", pose)
        neutral = model.bones[f"tibia_fibula_{side}"].vertices
        expected = geometry.apply(model.femur_transform(side, pose), neutral)
        np.testing.assert_allclose(moved, expected, atol=1e-9)


@pytest.mark.parametrize("side", SIDES)
def test_knee_flexion_moves_the_ankle_backward_about_the_knee_centre(model, side):
    knee = model.landmark(f"knee_centre_{side}")
    ankle = model.landmark(f"ankle_centre_{side}")
    shank = np.linalg.norm(ankle - knee)
    previous = ankle[0]
    for flexion in (30.0, 60.0, 90.0):
        moved = model.landmark(f"ankle_centre_{side}", Pose(), flexion)
        np.testing.assert_allclose(model.landmark(f"knee_centre_{side}", Pose(), flexion), knee)
        assert np.linalg.norm(moved - knee) == pytest.approx(shank, abs=1e-9)
        assert moved[0] < previous - 50  # backward, toward -X
        previous = moved[0]
    # at 90 deg the shank points backward: the ankle about a shank length behind the knee
    at_90 = model.landmark(f"ankle_centre_{side}", Pose(), 90.0)
    assert knee[0] - at_90[0] > 0.95 * shank
    # the side does not change: the flexion axis is the transepicondylar axis
    assert abs(at_90[2] - ankle[2]) < 5


def test_patella_and_tibia_flex_together(model):
    t = model.lower_leg_transform("right", Pose(), 60.0)
    np.testing.assert_allclose(
        model.posed_vertices("patella_right", Pose(), 60.0),
        geometry.apply(t, model.bones["patella_right"].vertices),
    )
    # pelvis bones never move, femurs ignore the knee
    np.testing.assert_allclose(model.posed_vertices("sacrum", Pose(), 60.0), model.bones["sacrum"].vertices)
    np.testing.assert_allclose(
        model.posed_vertices("femur_right", Pose(), 60.0), model.bones["femur_right"].vertices
    )


@pytest.mark.parametrize("bad", [-1.0, KNEE_FLEXION_RANGE[1] + 1.0, float("nan")])
def test_knee_flexion_outside_range_is_refused(model, bad):
    with pytest.raises(ValueError, match=r"knee flexion .* deg is outside the supported range 0\.\.120 deg"):
        model.lower_leg_transform("left", Pose(), bad)
