"""Moment arms as OpenSim defines them (-dL/dθ) and tables of lengths and moment arms over a sweep."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from viewer.anatomy import Pose

JOINTS = ("abduction", "flexion", "rotation")


def moment_arm(
    length: Callable[[Pose], dict[str, float]], pose: Pose, joint: str = "abduction", step_deg: float = 2.0
) -> dict[str, float]:
    """Moment arm (mm) of paths about one hip angle: ``-dL/dθ``, a central difference.

    The sign convention of the whole project (as OpenSim's ``MomentArmSolver``): positive
    means the path shortens as the angle grows, so its tension produces that motion
    (abduction, flexion or internal rotation). At the end of the pose range the difference
    is one-sided.

    Parameters
    ----------
    length : callable
        ``length(pose)`` -> path lengths in mm, by name.
    pose : Pose
        Where the moment arm is taken.
    joint : {"abduction", "flexion", "rotation"}
        The angle that is varied (degrees).
    step_deg : float
        Half the difference step, degrees.

    Returns
    -------
    dict of str to float
        Moment arm in mm per path name.
    """
    lo, hi = pose.ranges()[joint]
    angle = getattr(pose, joint)
    a, b = max(lo, angle - step_deg), min(hi, angle + step_deg)
    la, lb = length(_with(pose, joint, a)), length(_with(pose, joint, b))
    d = np.radians(b - a)
    return {k: -(lb[k] - la[k]) / d for k in la}


def _with(pose: Pose, joint: str, value: float) -> Pose:
    return Pose(**{**pose.__dict__, joint: value})


def sweep(
    muscles: dict,
    joint: str,
    start: float,
    stop: float,
    step: float,
    fixed: dict[str, float] | None = None,
) -> list[dict]:
    """Rows of ``joint, angle_deg, side, part, length_mm, moment_arm_mm`` over an angle sweep.

    The other joints stay at ``fixed`` (degrees by joint name; 0 where not given). Angles run
    from ``start`` in steps of ``step`` up to ``stop`` (never past it).
    """
    if joint not in JOINTS:
        raise ValueError(f"joint must be one of {JOINTS}")
    if step <= 0:
        raise ValueError("step must be positive")
    count = int(np.floor((stop - start) / step + 1e-9)) + 1
    angles = np.minimum(start + step * np.arange(count), stop)
    base = Pose(**(fixed or {}))
    rows = []
    for angle in angles:
        pose = _with(base, joint, float(angle))
        for side, m in muscles.items():
            lengths, arms = m.lengths(pose), m.moment_arms(pose, joint)
            for part in lengths:
                rows.append(
                    {
                        "joint": joint,
                        "angle_deg": float(angle),
                        "side": side,
                        "part": part,
                        "length_mm": lengths[part],
                        "moment_arm_mm": arms[part],
                    }
                )
    return rows
