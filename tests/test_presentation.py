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
    # posed with the side's other muscles (SideBatch): the same numbers to rounding
    np.testing.assert_allclose(posed.muscles["left"].vertices, ref.vertices, rtol=0, atol=1e-9)
    neutral = hip.muscles["right"].surface(Pose())  # the other side stays at neutral
    np.testing.assert_array_equal(posed.muscles["right"].vertices, neutral.vertices)
    np.testing.assert_array_equal(posed.femur["left"], hip.model.femur_transform("left", pose))
    np.testing.assert_allclose(posed.femur["right"], np.eye(4), atol=1e-12)  # the other side at neutral
    k, nv = len(hip.fibre_rows("left")), m.nv
    assert posed.ribbons["left"].shape == (k * nv * 2, 3)
    # every label, the other structures' (anchors structure:<id>) too, on the fans they lie on
    assert posed.anchors.shape == (len(hip.labels), 3) and np.isfinite(posed.anchors).all()
    assert set(posed.fans) == {"gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae"}
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
    assert pres.label_texts == tuple(lab["text"] for lab in hip.labels)  # every layer on
    # the other structures: the moving side's fans in the pose, the other side's at neutral; the
    # bursa and tract with the femur's matrix, the nerve still; looks from style.json parts
    n = hip.neighbourhoods
    # (posed a side at once, SideBatch: the numbers of each muscle alone to rounding)
    np.testing.assert_allclose(
        items["gluteus_maximus_right"].vertices,
        n["right"].muscles["gluteus_maximus"].surface(opts.pose).vertices,
        rtol=0,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        items["gluteus_minimus_left"].vertices,
        n["left"].muscles["gluteus_minimus"].surface(Pose()).vertices,
        rtol=0,
        atol=1e-9,
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
    assert pres.label_main == tuple(bool(lab.get("emphasis")) for lab in hip.labels)
    # lateral: along +z from the middle of the framed region, at the distance that fits it in 16:9
    position, focal, up = pres.camera
    points = hip.frame_points("right")
    mid = 0.5 * (points.min(axis=0) + points.max(axis=0))
    np.testing.assert_allclose(focal, mid, atol=1e-9)
    fit = presentation.view_fit("lateral", "right", points)
    from viewer import framing

    np.testing.assert_allclose(position - focal, [0.0, 0.0, framing.fit_distance(fit, 16 / 9)], atol=1e-9)
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
        elif spec["attach"] == "fan":
            fan = hip.neighbourhoods["right"].muscles[spec["fan"]].surface(pose)
            np.testing.assert_array_equal(p, fan.vertices[spec["vertex"]])
        else:
            assert p.tolist() == spec["point"]
    assert {s["attach"] for s in specs} == {"muscle", "fan", "femur", "pelvis"}


def test_unknown_view_is_refused(model):
    with pytest.raises(ValueError, match="unknown view 'sideways'"):
        presentation.camera("sideways", "right", presentation.frame_points(model, "right"))


# ---------------------------------------------------------------------- framing
@pytest.mark.parametrize("view", ["lateral", "posterior", "superior", "oblique"])
@pytest.mark.parametrize("aspect", [0.6, 1.0, 16 / 9, 3.0])
def test_every_preset_fills_the_picture_with_its_region_and_its_margin(hip, view, aspect):
    """The region a preset frames touches the margin on one axis and stays inside it on the other."""
    from viewer import framing

    points = hip.frame_points("right")
    cam = presentation.camera(view, "right", points, aspect)
    h = 1000
    xy, depth = framing.project(points, cam, contract.view_angle(), (round(aspect * h), h))
    w = round(aspect * h)
    # the share of the half width and half height the region reaches, from the picture's middle
    reach = max(np.abs(xy[:, 0] - w / 2).max() / (w / 2), np.abs(xy[:, 1] - h / 2).max() / (h / 2))
    margin = contract.view_frame()["margin"]
    assert depth.min() > 0
    assert 1 / margin - 0.03 < reach <= 1 / margin + 1e-6


def test_a_narrower_picture_stands_the_camera_further_back(hip):
    """Framed by height in 16:9 and square (634 mm for the lateral view), by width in portrait."""
    points = hip.frame_points("right")
    dist = {
        a: np.linalg.norm(np.subtract(*presentation.camera("lateral", "right", points, a)[:2]))
        for a in (0.5, 1.0, 16 / 9)
    }
    assert 600 < dist[16 / 9] < 660 and dist[1.0] == pytest.approx(dist[16 / 9])
    assert dist[0.5] > dist[1.0] + 10


# ---------------------------------------------------------------------- label placement
def test_labels_go_outward_with_leaders_to_their_near_edge():
    from viewer import label_layout

    anchors = np.array([[200.0, 100.0], [400.0, 100.0], [210.0, 105.0]])
    sizes = np.array([[60.0, 20.0], [80.0, 20.0], [50.0, 20.0]])
    p = label_layout.place_labels(anchors, sizes, 640, 480, reach=50)
    # centre (270, 101.67): the first and third go left, the second right
    assert p.sides.tolist() == [-1, 1, -1]
    np.testing.assert_allclose(p.boxes[1], [450.0, 89.58333, 80.0, 20.0], atol=1e-4)
    # the right label's leader: from its anchor to the middle of its box's left edge
    np.testing.assert_allclose(p.leaders[1], [400.0, 100.0, 450.0, 99.58333], atol=1e-4)
    # left of their anchors, by the reach; the lower one pushed down by the two half heights and the gap
    assert p.boxes[0, 0] + p.boxes[0, 2] == pytest.approx(150.0)
    assert p.boxes[2, 1] - p.boxes[0, 1] == pytest.approx(26.0)
    np.testing.assert_allclose(p.leaders[2], [210.0, 105.0, 160.0, 125.58333], atol=1e-4)
    assert label_layout.overlaps(p.boxes) == 0


def test_a_crowded_column_runs_back_up_from_the_bottom_without_overlaps():
    from viewer import label_layout

    anchors = np.array([[500.0, 300.0 + 10 * i] for i in range(8)] + [[100.0, 200.0]])
    sizes = np.full((9, 2), [90.0, 30.0])
    p = label_layout.place_labels(anchors, sizes, 640, 360, reach=40)
    assert label_layout.overlaps(p.boxes) == 0
    assert p.boxes[:, 1].min() >= 0 and (p.boxes[:, 1] + p.boxes[:, 3]).max() <= 360 - 4 + 1e-9


def test_an_anchor_behind_a_nearer_surface_is_hidden():
    from viewer import label_layout

    z = np.full((10, 10), np.nan)
    z[2:8, 2:8] = 500.0  # a surface 500 mm from the camera
    anchors = np.array([[5.5, 5.5], [5.5, 5.5], [2.0, 5.0], [9.5, 9.5], [50.0, 5.0]])
    depths = np.array([520.0, 501.0, 520.0, 520.0, 520.0])
    # behind it; on it; at its outline (background next to it); beside it; outside the picture
    assert label_layout.hidden(anchors, depths, z).tolist() == [True, False, False, False, False]
