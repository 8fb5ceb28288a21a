"""The pure presentation: colours, ribbons, footprints, labels, cameras and one pass per pose."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from viewer import contract, data, geometry, presentation
from viewer.anatomy import Pose
from viewer.options import LAYERS, SceneOptions
from viewer.posed import Hip, pose_hip


@pytest.fixture(scope="module")
def hip(model):
    return Hip(model)


def test_colours_are_style_json_through_matplotlib(hip):
    style = data.annotation("style")
    assert presentation.rgb(style["bone"]) == to_rgb(style["bone"])
    assert presentation.rgb("#e3d5b8") == pytest.approx((227 / 255, 213 / 255, 184 / 255), abs=1e-12)
    expected = [[round(255 * c) for c in to_rgb(style["muscle_parts"][p])] for p in hip.part_ids]
    assert hip.part_ids == ("anterior", "middle", "posterior")
    assert hip.part_rgb.tolist() == expected
    assert hip.part_rgb.dtype == np.uint8
    assert presentation.rgb8("#c0392b").tolist() == [192, 57, 43]


def test_ribbon_faces_full_and_light():
    # one ribbon of 5 samples: points 0..9, left edge even, right edge odd
    full = presentation.ribbon_faces(5, 1)
    assert full.tolist() == [
        [0, 1, 3], [2, 3, 5], [4, 5, 7], [6, 7, 9],
        [0, 3, 2], [2, 5, 4], [4, 7, 6], [6, 9, 8],
    ]  # fmt: skip
    light = presentation.ribbon_faces(5, 1, step=2)
    assert light.tolist() == [[0, 1, 5], [4, 5, 9], [0, 5, 4], [4, 9, 8]]
    two = presentation.ribbon_faces(5, 2)
    assert len(two) == 16 and two[8:].min() == 10 and two.max() == 19


def test_posed_hip_is_the_muscle_of_the_pose(hip):
    pose = Pose(25.0, 10.0, 5.0)
    posed = pose_hip(hip, "left", pose, other_side=True, anchors=True, readout=True)
    m = hip.muscles["left"]
    ref = m.surface(pose)
    np.testing.assert_array_equal(posed.muscles["left"].vertices, ref.vertices)
    neutral = hip.muscles["right"].surface(Pose())  # the other side stays at neutral
    np.testing.assert_array_equal(posed.muscles["right"].vertices, neutral.vertices)
    np.testing.assert_array_equal(posed.femur["left"], hip.model.femur_transform("left", pose))
    np.testing.assert_allclose(posed.femur["right"], np.eye(4), atol=1e-12)  # the other side at neutral
    k, nv = len(hip.fibre_rows("left")), m.nv
    assert posed.ribbons["left"].shape == (k * nv * 2, 3)
    # the other structures' labels are the browser's (anchors structure:<id>)
    own = [lab for lab in hip.labels if not lab["anchor"].startswith("structure:")]
    assert posed.anchors.shape == (len(own), 3) and len(own) < len(hip.labels)
    assert posed.lengths == m.lengths(pose)
    assert posed.moment_arms == m.moment_arms(pose)
    assert 5.0 < posed.moment_arms["whole"] < 80.0 and 80.0 < posed.lengths["whole"] < 200.0
    lean = pose_hip(hip, "left", pose, other_side=False)
    assert set(lean.muscles) == {"left"} and lean.anchors is None and lean.lengths is None


def test_ribbons_lie_over_the_outer_surface(hip):
    posed = pose_hip(hip, "right", Pose(10.0), other_side=False)
    s = posed.muscles["right"]
    rows = hip.fibre_rows("right")
    pts = posed.ribbons["right"].reshape(len(rows), s.superficial.shape[1], 2, 3)
    centre = pts.mean(axis=2)
    gap = np.linalg.norm(centre - s.superficial[rows], axis=-1)
    np.testing.assert_allclose(gap, hip.style["fibre_lift_mm"], atol=1e-9)  # 0.4 mm over the muscle
    width = np.linalg.norm(pts[:, :, 1] - pts[:, :, 0], axis=-1)
    np.testing.assert_allclose(width, hip.style["fibre_width_mm"], atol=1e-9)  # 0.9 mm wide


def test_footprint_tubes_come_from_style_json(hip):
    full = presentation.footprint_tubes(hip.neutral["right"], hip.style)
    light = presentation.footprint_tubes(hip.neutral["right"], hip.style, light=True)
    assert (full["origin"].samples, full["insertion"].samples, full["origin"].sides) == (80, 30, 10)
    assert (light["origin"].samples, light["insertion"].samples, light["origin"].sides) == (40, 15, 6)
    assert full["origin"].radius == light["insertion"].radius == 1.8
    np.testing.assert_array_equal(full["insertion"].path, hip.neutral["right"].insertion_edge)


def test_presentation_of_every_layer(hip):
    opts = SceneOptions(pose=Pose(30.0), side="right", view="lateral", layers=frozenset(LAYERS))
    posed = pose_hip(hip, "right", opts.pose, anchors=True)
    pres = presentation.present(hip, posed, opts)
    names = [i.name for i in pres.items]
    assert names == [
        "sacrum", "hip_right", "hip_left", "femur_right", "femur_left",
        "tibia_fibula_right", "patella_right", "tibia_fibula_left", "patella_left",
        "muscle_right", "fibres_right", "origin_right", "insertion_right",
        "muscle_left", "fibres_left", "origin_left", "insertion_left",
        *(f"{sid}_{s}" for s in ("right", "left") for sid in (
            "gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae", "iliotibial_tract",
            "trochanteric_bursa", "superior_gluteal_nerve",
        )),
    ]  # fmt: skip
    items = {i.name: i for i in pres.items}
    np.testing.assert_array_equal(items["femur_right"].matrix, posed.femur["right"])
    # the lower legs follow their femur, knee straight; the other side's stays at neutral
    for bone in ("tibia_fibula_right", "patella_right"):
        np.testing.assert_array_equal(items[bone].matrix, posed.femur["right"])
        np.testing.assert_allclose(items[bone].matrix, hip.model.lower_leg_transform("right", opts.pose))
    assert items["tibia_fibula_left"].matrix is None and items["patella_left"].matrix is None
    tibia = items["tibia_fibula_right"]
    assert tibia.kind == "bone" and tibia.colour == to_rgb(hip.style["bone"])
    np.testing.assert_array_equal(items["insertion_right"].matrix, posed.femur["right"])
    assert items["femur_left"].matrix is None and items["origin_right"].matrix is None
    assert items["sacrum"].specular == 0.15 and items["muscle_right"].specular == 0.25
    assert items["fibres_right"].colour == to_rgb(hip.style["fibre"])
    muscle = items["muscle_right"]
    np.testing.assert_array_equal(muscle.point_rgb, hip.part_rgb[posed.muscles["right"].part])
    np.testing.assert_allclose(np.linalg.norm(muscle.normals, axis=1), 1.0)
    assert pres.label_texts == tuple(
        lab["text"] for lab in hip.labels if not lab["anchor"].startswith("structure:")
    )
    # the other structures: the moving side's fans in the pose, the other side's at neutral; the
    # bursa and tract with the femur's matrix, the nerve still; looks from style.json parts
    n = hip.neighbourhoods
    np.testing.assert_array_equal(
        items["gluteus_maximus_right"].vertices,
        n["right"].muscles["gluteus_maximus"].surface(opts.pose).vertices,
    )
    np.testing.assert_array_equal(
        items["gluteus_minimus_left"].vertices, n["left"].muscles["gluteus_minimus"].surface(Pose()).vertices
    )
    assert items["gluteus_maximus_right"].opacity == 0.35 and items["gluteus_minimus_right"].opacity == 1.0
    assert items["iliotibial_tract_right"].colour == to_rgb(
        hip.style["parts"]["tensor_fasciae_latae"]["colour"]
    )
    np.testing.assert_array_equal(items["trochanteric_bursa_right"].matrix, posed.femur["right"])
    assert items["superior_gluteal_nerve_right"].matrix is None
    peeled = presentation.present(
        hip, posed, SceneOptions(pose=opts.pose, layers=frozenset({"bones", "minimus"}))
    )
    assert [i.name for i in peeled.items if i.kind == "structure"] == ["gluteus_minimus_right"]
    np.testing.assert_array_equal(pres.label_points, posed.anchors)
    assert (pres.background, pres.text) == ("#ffffff", "#111111")
    # lateral: 620 mm along +z from 35 mm above the right hip centre
    position, focal, up = pres.camera
    np.testing.assert_allclose(focal - hip.model.hip_centre("right"), [0.0, 35.0, 0.0])
    np.testing.assert_allclose(position - focal, [0.0, 0.0, 620.0])
    assert up.tolist() == [0.0, 1.0, 0.0] and pres.view_angle == 30.0


def test_layers_shown():
    assert presentation.sides_shown("left", frozenset({"muscle"})) == ("left",)
    assert presentation.sides_shown("left", frozenset({"other_side"})) == ("left", "right")
    assert presentation.bones_shown("right", frozenset({"muscle"})) == ()
    assert presentation.bones_shown("right", frozenset({"bones"})) == ("sacrum", "hip_right", "femur_right")
    assert presentation.legs_shown("right", frozenset({"bones", "other_side"})) == ()
    assert presentation.legs_shown("left", frozenset({"lower_legs"})) == ("tibia_fibula_left", "patella_left")
    assert presentation.legs_shown("left", frozenset({"lower_legs", "other_side"})) == (
        "tibia_fibula_left", "patella_left", "tibia_fibula_right", "patella_right",
    )  # fmt: skip


def test_lower_legs_are_off_by_default_and_hang_under_the_knee(hip):
    """Off unless chosen; on, the tibia's top sits just under the femoral condyles in a pose."""
    assert "lower_legs" in LAYERS and "lower_legs" not in SceneOptions().layers
    assert "lower_legs" not in contract.DEFAULT_LAYERS
    pose = Pose(30.0, 20.0, -10.0)
    off = presentation.present(hip, pose_hip(hip, "right", pose), SceneOptions(pose=pose))
    assert not [i.name for i in off.items if i.name.startswith(("tibia", "patella"))]
    opts = SceneOptions(pose=pose, layers=SceneOptions().layers | {"lower_legs"})
    items = {i.name: i for i in presentation.present(hip, pose_hip(hip, "right", pose), opts).items}
    model, m = hip.model, items["femur_right"].matrix
    femur = geometry.apply(m, model.bones["femur_right"].vertices)
    tibia = geometry.apply(items["tibia_fibula_right"].matrix, model.bones["tibia_fibula_right"].vertices)
    np.testing.assert_allclose(tibia, model.posed_vertices("tibia_fibula_right", pose), atol=1e-9)
    up = m[:3, :3] @ [0.0, 1.0, 0.0]  # the femur's long axis, toward the hip
    condyles = (femur @ up).min()
    # the intercondylar eminence reaches 2.4 mm above the condyles' lowest point, between them
    assert -5.0 < (tibia @ up).max() - condyles < 5.0
    plateau = model.landmark("tibial_plateau_centre_right", pose) @ up
    assert 5.0 < condyles - plateau < 20.0  # 13.1 mm
    # the whole tibia-fibula hangs below the knee, the ankle ~400 mm under the knee centre
    assert (tibia @ up).min() < condyles - 350.0
    knee, ankle = model.landmark("knee_centre_right", pose), model.landmark("ankle_centre_right", pose)
    assert 350.0 < (knee - ankle) @ up < 450.0


def test_label_anchors_follow_the_muscle_and_the_femur(hip):
    specs = hip.label_specs("right")
    pose = Pose(40.0)
    posed = pose_hip(hip, "right", pose, anchors=True)
    tf = hip.model.femur_transform("right", pose)
    for spec, p in zip(specs, posed.anchors, strict=True):
        if spec["attach"] == "muscle":
            np.testing.assert_array_equal(p, posed.muscles["right"].vertices[spec["vertex"]])
        elif spec["attach"] == "femur":
            np.testing.assert_allclose(p, tf[:3, :3] @ spec["point"] + tf[:3, 3])
        else:
            assert p.tolist() == spec["point"]
    assert {s["attach"] for s in specs} == {"muscle", "femur", "pelvis"}


def test_unknown_view_is_refused(model):
    with pytest.raises(ValueError, match="unknown view 'sideways'"):
        presentation.camera("sideways", "right", model.hip_centre("right"))
