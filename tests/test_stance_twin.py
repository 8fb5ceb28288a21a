"""The stance model's JS twin (viewer/app/js/stanceModel.js) under node, held to viewer.mechanics.stance.

The twin data is built from the live Python objects (``StanceModel.twin_data``); every
StanceResult field (every figure, the poses, the world matrices and the forces) must agree to
1e-6 (mm, N, degrees) over a grid of strength, lean, body mass and cane, both sides, and random
inputs; the grid's corners reach the model's clamps (a same-hand cane of 30 % BW asks for more
hip adduction than the range has; a strength of 0 drops the pelvis to the range's end).
"""

from __future__ import annotations

import itertools
from dataclasses import fields

import numpy as np
import pytest
from nodejs import modules, require_node, run

from viewer import twin
from viewer.anatomy import SIDES
from viewer.mechanics.stance import RANGES, StanceInput, StanceModel, StanceResult
from viewer.posed import Hip

SAME_ARITHMETIC = 1e-6
SCALARS = (
    "hip_adduction_deg", "base_adduction_deg", "pelvic_drop_deg", "pelvic_drop_mm", "knee_valgus_deg",
    "abductor_force_n", "abductor_available_n", "abductor_effort_pct", "abductor_force_bw",
    "hip_contact_force_n", "hip_contact_force_bw", "abductor_moment_arm_mm", "weight_lever_arm_mm",
    "cane_lever_arm_mm",
    "passive_moment_nm", "limit_moment_nm", "body_weight_n", "floor_y", "swing_knee_flexion_deg",
)  # fmt: skip


def inputs() -> list[StanceInput]:
    grid = itertools.product(
        SIDES, (100.0, 60.0, 35.0, 20.0, 10.0, 0.0), (0.0, 10.0, 30.0), (45.0, 70.0, 120.0),
        ((0.0, "opposite"), (17.0, "opposite"), (17.0, "same"), (30.0, "same")),
    )  # fmt: skip
    out = [StanceInput(side, st, le, m, c, h) for side, st, le, m, (c, h) in grid]
    rng = np.random.default_rng(13)
    for _ in range(150):
        pick = {k: float(rng.uniform(*RANGES[k])) for k in RANGES}
        side, hand = str(rng.choice(SIDES)), str(rng.choice(["opposite", "same"]))
        out.append(StanceInput(side, cane_hand=hand, **pick))
    return out


HARNESS = """
const stance = newStanceModel(DATA.stance);
out(DATA.inputs.map((inp) => {
  const r = stance.solve(inp);
  const scalars = DATA.scalars.map((k) => r[k]);
  return { scalars, positive: r.trendelenburg_positive, stance_pose: r.stance_pose, swing_pose: r.swing_pose,
           frontal: r.stance_pose.frontal, com: r.com_above, trunk: r.trunk, transforms: r.transforms,
           forces: r.forces };
}));
"""


@pytest.fixture(scope="module")
def node() -> str:
    return require_node()


@pytest.fixture(scope="module")
def stance_model(model) -> StanceModel:
    return StanceModel(Hip(model))


#: The fields compared besides SCALARS (``inp`` is what was asked).
OTHERS = (
    "inp", "trendelenburg_positive", "stance_pose", "swing_pose", "com_above", "trunk", "transforms",
    "forces",
)  # fmt: skip


def test_every_result_field_is_compared():
    assert {f.name for f in fields(StanceResult)} == set(SCALARS) | set(OTHERS)


def test_js_twin_matches_python(node, stance_model, tmp_path):
    ins = inputs()
    assert len(ins) == 582
    got = run(
        node,
        tmp_path,
        modules("stanceModel.js") + HARNESS,
        stance=twin.as_json(stance_model.twin_data()),
        inputs=[i.__dict__ for i in ins],
        scalars=list(SCALARS),
    )
    worst, positives, clamped = 0.0, 0, 0
    for inp, js in zip(ins, got, strict=True):
        r = stance_model.solve(inp)
        want = [getattr(r, k) for k in SCALARS]
        diff = np.abs(np.array(js["scalars"]) - np.array(want))
        assert js["positive"] == r.trendelenburg_positive, inp
        assert js["frontal"] is r.stance_pose.frontal is True, inp
        clamped += stance_model.limit_deg in (r.base_adduction_deg, r.hip_adduction_deg)
        positives += r.trendelenburg_positive
        for key, pose in (("stance_pose", r.stance_pose), ("swing_pose", r.swing_pose)):
            diff = np.append(
                diff, [abs(js[key][k] - getattr(pose, k)) for k in ("abduction", "flexion", "rotation")]
            )
        diff = np.append(diff, np.abs(np.array(js["com"]) - r.com_above))
        diff = np.append(diff, np.abs(np.array(js["trunk"]) - r.trunk).ravel())
        assert set(js["transforms"]) == set(r.transforms), inp
        for k, m in r.transforms.items():
            diff = np.append(diff, np.abs(np.array(js["transforms"][k]) - m.T.ravel()))
        assert set(js["forces"]) == set(r.forces), inp
        for k, f in r.forces.items():
            diff = np.append(diff, np.abs(np.array(js["forces"][k]["point"]) - f.point))
            diff = np.append(diff, np.abs(np.array(js["forces"][k]["vector"]) - f.vector))
        assert diff.max() <= SAME_ARITHMETIC, (inp, diff.max())
        worst = max(worst, float(diff.max()))
    assert 0 < positives < len(ins)  # both answers are exercised
    assert clamped > 0  # and the ends of the hip's range
    print(f"largest JS - Python difference over {len(ins)} stances: {worst:.2e} (mm, N, deg)")


def test_a_missing_field_is_named(node, stance_model, tmp_path):
    sent = twin.as_json(stance_model.twin_data())
    del sent["sides"]["left"]["table"]["point"]
    got = run(
        node,
        tmp_path,
        modules("stanceModel.js")
        + "try { newStanceModel(DATA.stance); out('no error'); } catch (e) { out(e.message); }",
        stance=sent,
    )
    assert got == "stance twin data (StanceModel.twin_data) has no sides.left.table.point"
