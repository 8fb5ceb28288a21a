"""The gluteus medius as abductor of the stance hip: moment arm and line of action over hip adduction."""

from __future__ import annotations

import numpy as np

from viewer.anatomy import Pose
from viewer.muscles import FanMuscle, moment_arm

#: Spacing of the table over hip adduction (degrees); both twins interpolate it linearly.
STEP_DEG = 0.5

#: Samples of each mid-thickness fibre, from where it leaves the ilium, that give its pull on the pelvis.
TANGENT_SAMPLES = 3


def abductor_table(muscle: FanMuscle, max_force_n: dict[str, float], lo_deg: float, hi_deg: float) -> dict:
    """Moment arm and line of action of the whole muscle at hip adductions ``lo_deg..hi_deg``.

    The parts pull in proportion to their maximum forces (one activation for the whole
    muscle), so the muscle's moment arm is ``sum(F_i r_i) / sum(F_i)`` with ``r_i`` the
    abduction moment arm ``-dL/dθ`` of :meth:`viewer.muscles.FanMuscle.moment_arms`. The muscle pulls
    the pelvis where its fibres leave the ilium, along them (the mean direction of their
    first :data:`TANGENT_SAMPLES` free samples, weighted by the parts' forces), on the line
    whose moment about the hip centre equals that moment arm (by virtual work, the tension
    times ``-dL/dθ``); the line is placed through the point nearest the fibres' mean
    departure point, in the frontal plane.

    Parameters
    ----------
    muscle : FanMuscle
        The stance side's muscle (pelvis frame).
    max_force_n : dict of str to float
        Maximum isometric force of each part (N), by part id.
    lo_deg, hi_deg : float
        Hip adduction range of the table (degrees; negative is abduction).

    Returns
    -------
    dict
        ``adduction_deg`` (n,) float; ``moment_arm_mm`` (n,) float; ``direction`` (n, 3) float,
        unit pull on the pelvis; ``point`` (n, 3) float (mm), a point of the line of action;
        all in the pelvis frame.
    """
    parts = [p["id"] for p in muscle.parts]
    weights = np.array([max_force_n[p] for p in parts], dtype=float)
    fibre_weight = (
        weights[muscle.part_of_u] / np.bincount(muscle.part_of_u, minlength=len(parts))[muscle.part_of_u]
    )
    fibre_weight = fibre_weight / fibre_weight.sum()
    count = round((hi_deg - lo_deg) / STEP_DEG) + 1
    angles = lo_deg + STEP_DEG * np.arange(count)
    hip = muscle.model.hip_centre(muscle.side)
    arms, directions, points = [], [], []
    surface = muscle.fast_surface  # FanMuscle.surface's numbers to 1e-9 mm, compiled

    for a in angles:
        pose = Pose(abduction=-float(a), frontal=True)
        r = moment_arm(lambda p: muscle.lengths(p, surface(p)), pose, "abduction")
        arm = float(sum(max_force_n[p] * r[p] for p in parts) / weights.sum())
        mid = surface(pose).mid  # (nu, nv, 3)
        leave, along = mid[:, muscle.n_attached], mid[:, muscle.n_attached + TANGENT_SAMPLES]
        pull = (along - leave) / np.linalg.norm(along - leave, axis=1)[:, None]
        u = fibre_weight @ pull
        u = u / np.linalg.norm(u)
        c = fibre_weight @ leave
        arms.append(arm)
        directions.append(u)
        points.append(line_through(c, u, hip, arm, muscle.s))
    return {
        "adduction_deg": angles,
        "moment_arm_mm": np.array(arms),
        "direction": np.array(directions),
        "point": np.array(points),
    }


def line_through(c: np.ndarray, u: np.ndarray, hip: np.ndarray, arm: float, s: float) -> np.ndarray:
    """The point nearest ``c`` of the line along ``u`` with abduction moment ``arm`` about ``hip``.

    The abduction moment of a unit pull ``u`` at ``q`` is ``s * ((q - hip) x u)_x`` (mm);
    the point moves from ``c`` along the frontal-plane normal of ``u``.
    """
    n = np.array([0.0, -u[2], u[1]])
    n = n / np.linalg.norm(n)
    d = c - hip
    now = s * (d[1] * u[2] - d[2] * u[1])
    per = s * (n[1] * u[2] - n[2] * u[1])
    return c + ((arm - now) / per) * n
