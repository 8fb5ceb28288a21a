"""What a page reports of its state, checked: valid fields kept, numbers clamped, the rest dropped."""

from __future__ import annotations

import math

from viewer.anatomy import POSE_RANGE


def pose_from_browser(pose, sides) -> dict:
    """The fields of a pose the browser reported that are valid: a side of ``sides``, and
    angles that are finite numbers, clamped to :data:`POSE_RANGE` (the page checks them
    before it sends; anything else is dropped, never an exception in the session)."""
    if not isinstance(pose, dict):
        return {}
    new = {}
    for k, (lo, hi) in POSE_RANGE.items():
        v = pose.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            new[k] = max(lo, min(hi, float(v)))
    if pose.get("side") in sides:
        new["side"] = pose["side"]
    return new


def stance_from_browser(stance, c: dict) -> dict:
    """The fields of a mode and stance the browser reported that are valid (``c`` is
    ``contract.stance()``): a mode and a cane hand of its lists, a side, and numbers that are
    finite, clamped to their ranges; anything else is dropped, never an exception."""
    if not isinstance(stance, dict):
        return {}
    new = {}
    for k, (lo, hi) in c["ranges"].items():
        v = stance.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            new[k] = max(lo, min(hi, float(v)))
    for k, allowed in (("mode", c["modes"]), ("cane_hand", c["cane_hands"]), ("side", ["right", "left"])):
        if stance.get(k) in allowed:
            new[k] = stance[k]
    return new


def opacities_from_browser(opacities: dict, contract: dict) -> dict[str, float]:
    """The structure opacities a page sent (``HipView.opacities``) that are known layers
    (``opacity_layers`` but ``muscle``) with finite numbers, clamped to ``min_opacity``..1."""
    new = {}
    for layer, v in opacities.items():
        if layer in contract["opacity_layers"] and layer != "muscle" and isinstance(v, int | float):
            if not isinstance(v, bool) and math.isfinite(v):
                new[layer] = max(contract["min_opacity"], min(1.0, float(v)))
    return new


def activity_from_browser(activity, c: dict, sides=("right", "left")) -> dict:
    """The fields of an activity the browser reported that are valid (``c`` is
    ``contract.activity()``): an exercise and a gait of its lists, a fault of the exercise's
    (or none), a side, and a phase clamped to 0..1; anything else is dropped, never an exception."""
    if not isinstance(activity, dict):
        return {}
    new = {}
    for k, allowed in (("exercise", c["exercises"]), ("gait", c["gaits"]), ("side", list(sides))):
        if activity.get(k) in allowed:
            new[k] = activity[k]
    fault = activity.get("fault", "")
    if fault is None or fault in c["faults"].get(new.get("exercise", activity.get("exercise")), []):
        new["fault"] = fault
    v = activity.get("phase")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        new["phase"] = max(0.0, min(1.0, float(v)))
    return new


def shape_from_browser(shape):
    """The :class:`viewer.shape.Shape` a page asked for (``{"mode1": sd, ...}``, the others 0),
    weights clamped to :data:`viewer.shape.SD_RANGE`; None for anything else (the page checks
    before it sends)."""
    from viewer.shape import MODES, SD_RANGE, Shape

    if not isinstance(shape, dict) or not set(shape) <= {f"mode{i}" for i in range(1, MODES + 1)}:
        return None
    lo, hi = SD_RANGE
    sd = []
    for i in range(1, MODES + 1):
        v = shape.get(f"mode{i}", 0.0)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            return None
        sd.append(max(lo, min(hi, float(v))))
    return Shape(tuple(sd))
