"""Single-leg stance: the physics of the frontal-plane model, and its agreement with the literature."""

import itertools
import math

import numpy as np
import pytest
from proximity import SurfaceDistance

from viewer import data, geometry
from viewer.anatomy import FRONTAL_RANGE, Pose
from viewer.mechanics.stance import (
    CANE_HANDS,
    CANE_TIP_MM,
    COLUMNS,
    GRAVITY,
    StanceInput,
    StanceModel,
    passive_moment,
)
from viewer.posed import Hip


@pytest.fixture(scope="module")
def model():
    return StanceModel()


@pytest.fixture(scope="module")
def ranges():
    return data.annotation("stance")["literature_ranges"]


def moments_about_hip(model, r) -> float:
    """Sum of the forces' frontal-plane moments about the stance hip, plus the couples (N mm)."""
    hip = r.forces["hip_contact"].point
    s = model.body(r.inp.side).s
    total = sum(np.cross(f.point - hip, f.vector)[0] for f in r.forces.values())
    return total + s * 1000.0 * (r.passive_moment_nm + r.limit_moment_nm)


@pytest.mark.parametrize("side", ["right", "left"])
def test_full_strength_keeps_the_pelvis_level_with_forces_of_the_literature(model, ranges, side):
    r = model.solve(StanceInput(side=side))
    assert r.pelvic_drop_mm <= 10.0 and abs(r.pelvic_drop_deg) < 1e-9
    assert not r.trendelenburg_positive
    assert abs(r.knee_valgus_deg) < 1e-9
    abd, contact = ranges["abductor_force_bw"], ranges["hip_contact_force_bw"]
    assert abd["min"] <= r.abductor_force_bw <= abd["max"]
    assert contact["min"] <= r.hip_contact_force_bw <= contact["max"]
    # Bergmann 2001 measured slightly less than 238 %BW standing on one leg
    assert r.hip_contact_force_bw < contact["measured_bw"] * 1.2
    assert r.abductor_force_n < r.abductor_available_n


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_foot_goes_under_the_body_as_in_healthy_single_leg_stance(model, side):
    """Youdas et al. 2007: pelvic-on-femoral angle 83 +/- 3 degrees in healthy single-leg stance."""
    youdas = data.annotation("stance")["literature_ranges"]["pelvic_on_femoral_angle_deg"]
    r = model.solve(StanceInput(side=side))
    angle = 90.0 - r.base_adduction_deg
    assert youdas["mean"] - youdas["sd"] <= angle <= youdas["mean"] + youdas["sd"]
    # the whole body's centre of mass is over the planted ankle
    b = model.body(side)
    femur, tibia = r.transforms[f"femur_{side}"], r.transforms[f"tibia_fibula_{side}"]
    leg = np.vstack([geometry.apply(femur, b.stance_points[:1]), geometry.apply(tibia, b.stance_points[1:])])
    com = (b.upper_total * r.com_above + b.stance_mass @ leg) / (b.upper_total + b.stance_mass.sum())
    assert abs(com[2] - geometry.apply(tibia, b.ankle[None])[0, 2]) < 1e-6


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_drop_grows_as_strength_falls_and_weakness_is_trendelenburg_positive(model, side):
    strengths = np.arange(100.0, -1.0, -5.0)
    results = [model.solve(StanceInput(side=side, strength_pct=float(p))) for p in strengths]
    drops = np.array([r.pelvic_drop_mm for r in results])
    assert np.all(np.diff(drops) >= -1e-9)
    assert drops[0] <= 10.0 and drops[-1] > 20.0
    assert results[-1].trendelenburg_positive and not results[0].trendelenburg_positive
    assert model.solve(StanceInput(side=side, strength_pct=10.0)).trendelenburg_positive
    valgus = np.array([r.knee_valgus_deg for r in results])
    assert np.all(np.diff(valgus) >= -1e-9) and valgus[-1] > 1.0
    # until the muscle gives out it carries exactly what the weight needs; then all it has
    for r in results:
        assert r.abductor_force_n <= r.abductor_available_n + 1e-6
        if r.pelvic_drop_mm > 1e-6:
            assert r.abductor_force_n == pytest.approx(r.abductor_available_n)


def test_the_drop_in_mm_is_the_swing_side_asis_falling(model):
    r = model.solve(StanceInput(strength_pct=20.0))
    asis = model.body("right").asis_swing
    moved = r.transforms["pelvis"][:3, :3] @ asis + r.transforms["pelvis"][:3, 3]
    assert r.pelvic_drop_mm == pytest.approx(asis[1] - moved[1])
    assert r.pelvic_drop_mm > 20.0 and r.pelvic_drop_deg > 3.0
    # the pelvis turns by the drop angle about the AP axis
    turned = math.degrees(math.atan2(r.transforms["pelvis"][2, 1], r.transforms["pelvis"][1, 1]))
    assert abs(turned) == pytest.approx(r.pelvic_drop_deg)


@pytest.mark.parametrize("side", ["right", "left"])
def test_leaning_over_the_stance_hip_unloads_the_abductors(model, side):
    leans = np.arange(0.0, 30.1, 5.0)
    rs = [model.solve(StanceInput(side=side, lean_deg=float(x))) for x in leans]
    force = np.array([r.abductor_force_bw for r in rs])
    lever = np.array([r.weight_lever_arm_mm for r in rs])
    assert np.all(np.diff(force) < 0) and np.all(np.diff(lever) < 0)
    assert force[-1] < 0.35 * force[0]
    # the force is the weight's moment over the muscle's lever: it reaches zero as the centre
    # of mass comes over the femoral head (lever 0)
    slope, intercept = np.polyfit(lever, force, 1)
    assert abs(intercept) < 0.05 and slope > 0


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize(
    "inp",
    [
        {},
        {"strength_pct": 30.0},
        {"strength_pct": 0.0},
        {"lean_deg": 25.0, "strength_pct": 40.0},
        {"cane_pct": 15.0},
        {"cane_pct": 25.0, "cane_hand": "same", "strength_pct": 50.0},
        {"body_mass_kg": 120.0, "strength_pct": 70.0},
        # the weight lifts the swing side (cane or lean): the adductors hold it
        {"cane_pct": 30.0},
        {"lean_deg": 20.0, "cane_pct": 17.0},
        {"lean_deg": 30.0, "strength_pct": 0.0, "body_mass_kg": 200.0},
        # the end of the range, the muscle needed at about 0 N
        {"strength_pct": 0.0, "cane_pct": 30.0, "cane_hand": "same"},
    ],
)
def test_the_arrows_balance(model, side, inp):
    r = model.solve(StanceInput(side=side, **inp))
    total = sum(f.vector for f in r.forces.values())
    assert np.abs(total).max() < 1e-9 * r.body_weight_n
    assert abs(moments_about_hip(model, r)) < 1e-6 * r.body_weight_n
    w = r.forces["weight"].vector
    assert w[0] == 0 and w[2] == 0 and w[1] < 0
    # the muscle pulls the pelvis down toward the trochanter, lateral of the hip
    a = r.forces["abductor"]
    s = model.body(side).s
    assert s * (a.point[2] - r.forces["hip_contact"].point[2]) > 0
    assert a.vector[1] < 0 or r.abductor_force_n == 0
    # the femoral head pushes the acetabulum up and toward the midline
    j = r.forces["hip_contact"].vector
    assert (j[1] > 0 and s * j[2] < 0) or r.abductor_force_n == 0


def test_the_line_of_action_is_near_the_classic_seventy_degrees(model):
    """The classic model draws the abductors as one straight line at about 70 degrees to the horizontal."""
    classic = data.annotation("stance")["cane"]["abductor_angle_deg"]
    r = model.solve(StanceInput())
    u = r.forces["abductor"].vector
    angle = math.degrees(math.atan2(-u[1], abs(u[2])))
    assert abs(angle - classic) < 15.0


def test_a_cane_helps_in_the_opposite_hand_and_much_less_in_the_same_hand(model):
    plain = model.solve(StanceInput())
    opposite = model.solve(StanceInput(cane_pct=100 / 6))
    same = model.solve(StanceInput(cane_pct=100 / 6, cane_hand="same"))
    assert opposite.abductor_force_bw < 0.5 * plain.abductor_force_bw
    assert opposite.hip_contact_force_bw < 0.6 * plain.hip_contact_force_bw
    assert opposite.cane_lever_arm_mm > 0 > same.cane_lever_arm_mm
    assert same.abductor_force_bw > plain.abductor_force_bw
    # with its tip between the feet, the same-side cane helps a little
    near = model.solve(StanceInput(cane_pct=100 / 6, cane_hand="same", cane_tip_mm=20.0))
    assert opposite.abductor_force_bw < near.abductor_force_bw < plain.abductor_force_bw


def test_the_classic_cane_example(model):
    """Williams & Lissner (via Davidovits): a cane of W/6 in the opposite hand -> T 0.65 W, R 1.3 W."""
    cane = data.annotation("stance")["cane"]
    r = model.solve(StanceInput(cane_pct=100 * cane["force_fraction_bw"]))
    assert r.abductor_force_bw == pytest.approx(cane["example_abductor_force_bw"], abs=0.25)
    assert r.hip_contact_force_bw == pytest.approx(cane["example_hip_contact_force_bw"], abs=0.25)


def test_body_mass_scales_forces_not_the_picture(model):
    a, b = model.solve(StanceInput(body_mass_kg=50.0)), model.solve(StanceInput(body_mass_kg=100.0))
    assert b.abductor_force_n == pytest.approx(2 * a.abductor_force_n, rel=1e-3)
    assert b.abductor_force_bw == pytest.approx(a.abductor_force_bw, rel=1e-3)
    assert a.body_weight_n == pytest.approx(50 * GRAVITY)
    # a heavier body needs more than the same muscle has: the drop starts at a higher strength
    heavy = model.solve(StanceInput(body_mass_kg=120.0, strength_pct=70.0))
    light = model.solve(StanceInput(body_mass_kg=60.0, strength_pct=70.0))
    assert heavy.pelvic_drop_mm > light.pelvic_drop_mm


def test_sides_mirror(model):
    for inp in ({}, {"strength_pct": 20.0}, {"lean_deg": 15.0}):
        r, l_ = model.solve(StanceInput(side="right", **inp)), model.solve(StanceInput(side="left", **inp))
        assert l_.abductor_force_bw == pytest.approx(r.abductor_force_bw, rel=0.05)
        assert l_.pelvic_drop_mm == pytest.approx(r.pelvic_drop_mm, rel=0.1, abs=1.0)


def test_the_hip_stays_in_the_muscle_models_range(model):
    for p, lean, cane, hand in itertools.product((0.0, 50.0, 100.0), (0.0, 30.0), (0.0, 30.0), CANE_HANDS):
        for side in ("right", "left"):
            r = model.solve(StanceInput(side, p, lean, 70.0, cane, hand))
            lo, hi = FRONTAL_RANGE
            assert lo <= r.stance_pose.abduction <= hi and r.stance_pose.frontal
            assert r.hip_adduction_deg <= model.limit_deg + 1e-9


def test_passive_moment_is_andersons_ligament_curve():
    params = data.annotation("stance")
    for check in params["passive_hip_adduction"]["check_values"]:
        assert passive_moment(params, check["q_deg"]) == pytest.approx(
            -check["moment_nm"], rel=0.02, abs=1e-4
        )


def test_defaults_and_row(model):
    assert CANE_TIP_MM == data.annotation("stance")["cane"]["tip_from_midline_mm"]
    row = model.solve(StanceInput()).row()
    assert tuple(row) == COLUMNS
    assert row["stance_side"] == "right" and row["trendelenburg_positive"] is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("strength_pct", 101.0, "strength_pct 101.0 is outside 0..100"),
        ("lean_deg", -1.0, "lean_deg -1.0 is outside 0..30"),
        ("body_mass_kg", 19.0, "body_mass_kg 19.0 is outside 20..200"),
        ("cane_pct", 31.0, "cane_pct 31.0 is outside 0..30"),
        ("body_mass_kg", float("nan"), "body_mass_kg nan is outside 20..200"),
        ("side", "middle", "side 'middle' is not one of right, left"),
        ("cane_hand", "both", "cane_hand 'both' is not one of opposite, same"),
    ],
)
def test_bad_input_is_one_line(field, value, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.") + "$"):
        StanceInput(**{field: value})


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_stance_hip_adducts_clear_of_bone_to_the_end_of_its_range(side):
    """The muscle and the femur keep off the hip bone in the frontal poses the stance uses."""
    hip = Hip()
    bone = hip.model.bones[f"hip_{side}"]
    sdf = SurfaceDistance(bone.vertices, bone.faces)
    femur = hip.model.bones[f"femur_{side}"]
    near = np.linalg.norm(femur.vertices - hip.model.hip_centre(side), axis=1) < 90
    for a in np.linspace(FRONTAL_RANGE[0], 0.0, 5):
        pose = Pose(abduction=float(a), frontal=True)
        assert sdf.signed_distance(hip.model.posed_vertices(femur.name, pose)[near]).min() > 0.5
        assert sdf.signed_distance(hip.muscles[side].surface(pose).vertices).min() > 0.0
    with pytest.raises(ValueError, match="no flexion or rotation"):
        Pose(abduction=-20.0, flexion=10.0, frontal=True)
    with pytest.raises(ValueError, match=r"outside the supported range -15\.\.45"):
        Pose(abduction=-20.0)
