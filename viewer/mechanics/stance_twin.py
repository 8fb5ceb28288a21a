"""The stance model's data for its JS twin (stanceModel.js): body, abductor table and constants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewer.anatomy import SIDES
from viewer.mechanics.abductor import STEP_DEG
from viewer.mechanics.body import other
from viewer.mechanics.stance import (
    BISECTIONS,
    CANE_HANDS,
    CANE_TIP_MM,
    GRAVITY,
    RANGES,
    SCAN_DEG,
    TABLE_FROM_DEG,
)

if TYPE_CHECKING:
    from viewer.mechanics.stance import StanceModel


def _twin_side(model: StanceModel, side: str) -> dict:
    b, t = model.body(side), model.table(side)
    swing = other(side)
    return {
        "s": b.s,
        "stature_mm": b.stature_mm,
        "hip": b.hip,
        "knee": b.knee,
        "ankle": b.ankle,
        "asis_swing": b.asis_swing,
        "pivot": b.pivot,
        "stance_points": b.stance_points,
        "stance_mass": b.stance_mass,
        "upper_points": b.upper_points,
        "upper_mass": b.upper_mass,
        "trunk_mass": b.trunk_mass,
        "trunk_height_mm": b.trunk_height_mm,
        "swing_flexion_deg": b.swing_pose.flexion,
        "swing_knee_flexion_deg": b.swing_knee_flexion_deg,
        "swing_femur": model.model.femur_transform(swing, b.swing_pose),
        "swing_leg": model.model.lower_leg_transform(swing, b.swing_pose, b.swing_knee_flexion_deg),
        "table": {k: t[k] for k in ("moment_arm_mm", "direction", "point")},
    }


def twin_data(model: StanceModel) -> dict:
    """Everything ``stanceModel.js`` needs to solve any stance, both sides (numbers and arrays).

    Returns
    -------
    dict
        ``gravity``, ``ranges`` (field -> [lo, hi]), ``cane_tip_mm``, ``scan_deg``,
        ``bisections``, ``table_from_deg``, ``table_step_deg``, ``limit_deg``,
        ``max_force_n`` (total), ``passive`` (``passive_hip_adduction`` of stance.json),
        ``trendelenburg_mm``, ``ankle_height`` (fraction of stature) and ``sides``: per
        stance side the :class:`~viewer.mechanics.body.Body` arrays, the swing leg's
        (4, 4) ``swing_femur`` and ``swing_leg`` matrices on the pelvis, and the abductor
        ``table`` (``moment_arm_mm`` (n,), ``direction`` (n, 3), ``point`` (n, 3)).
    """
    p = model.params
    passive = p["passive_hip_adduction"]
    return {
        "gravity": GRAVITY,
        "ranges": {k: list(v) for k, v in RANGES.items()},
        "cane_hands": list(CANE_HANDS),
        "cane_tip_mm": CANE_TIP_MM,
        "scan_deg": SCAN_DEG,
        "bisections": BISECTIONS,
        "table_from_deg": TABLE_FROM_DEG,
        "table_step_deg": STEP_DEG,
        "limit_deg": model.limit_deg,
        "max_force_n": float(sum(model.max_force.values())),
        "passive": {
            k: passive[k] for k in ("k1_nm", "k2_per_rad", "q1_rad", "k3_nm", "k4_per_rad", "q2_rad")
        },
        "trendelenburg_mm": float(p["trendelenburg"]["drop_threshold_mm"]),
        "ankle_height": float(p["heights_over_stature"]["ankle"]),
        "sides": {side: _twin_side(model, side) for side in SIDES},
    }
