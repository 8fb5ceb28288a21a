"""Layering: how far each sample of a muscle is lifted to pass over the structures beneath it."""

from __future__ import annotations

import numpy as np

from viewer import geometry
from viewer.anatomy import Pose

#: Hip flexion (degrees) at which the lift is taken; in between it is interpolated linearly.
FLEXION_KNOTS = (0.0, 30.0, 60.0, 90.0)
#: Ab/adduction and rotation (degrees) combined with each knot's flexion: neutral and the ends
#: of their ranges.
KNOT_POSES = ((0.0, 0.0), (-15.0, 0.0), (45.0, 0.0), (0.0, -20.0), (0.0, 30.0))
#: The lift never exceeds this (mm): a deeper sample lies beside the structure, not under it.
MAX_LIFT_MM = 45.0
#: The lift fades to nothing over this last fraction of the fibres, so the insertion stays on bone.
FADE_V = 0.05
#: Spacing (mm) of the height fields of the structures beneath.
SPACING_MM = 2.0


def fibre_weight(v: np.ndarray, n_attached: int) -> np.ndarray:
    """(nv,) float: 0 on the origin footprint, 1 along the free fibres, fading to 0 at the insertion."""
    w = np.clip((1.0 - v) / FADE_V, 0.0, 1.0)
    w[:n_attached] = 0.0
    return w


def frame(direction) -> np.ndarray:
    """(3, 3) rotation whose third row is the unit ``direction`` (the lift axis, right side)."""
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    a = np.cross([0.0, 1.0, 0.0], d)
    a /= np.linalg.norm(a)
    return np.array([a, np.cross(d, a), d])


def lift(
    sheets, surfaces, s: float, v: np.ndarray, n_attached: int, gap: float, direction=(0.0, 0.0, 1.0)
) -> np.ndarray:
    """The lift ((knots, nu, nv) float, mm, along ``direction``) of each sample of a
    muscle at each flexion of :data:`FLEXION_KNOTS`.

    In each pose the muscle's deep sheet, unlifted, is compared with the outermost surface of
    the structures beneath it along the lift axis; where a sample lies below that surface
    plus ``gap``, the shortfall counts. A knot's lift is the largest shortfall over the poses of
    :data:`KNOT_POSES` at its flexion, at most :data:`MAX_LIFT_MM`, weighted along the fibres
    (:func:`fibre_weight`) and spread by two smoothing passes that never lower it. Between the
    knots :func:`lift_at` interpolates: the layers stay apart as the hip flexes, with a little
    air over the structures where less would do.

    Parameters
    ----------
    sheets : callable
        ``sheets(pose)`` -> the deep sheet ((nu, nv, 3) float, mm) without lift.
    surfaces : callable
        ``surfaces(pose)`` -> list of (vertices (n, 3), faces (f, 3)) beneath, posed.
    s : float
        +1 right, -1 left: the sign of the lateral axis.
    v : (nv,) float
        The fibre coordinate.
    n_attached : int
        Samples on the origin footprint, never lifted.
    gap : float
        Clearance kept over the structures (mm).
    direction : (3,) float
        The lift axis on the right side, pelvis frame (mirrored in z on the left): lateral by
        default, posterolateral for a muscle that covers the back of the hip.
    """
    from viewer import raster  # compiled (numba)

    mirror = np.array([1.0, 1.0, s])
    rot = frame(direction)
    knots = []
    for flexion in FLEXION_KNOTS:
        out = None
        for abduction, rotation in KNOT_POSES:
            pose = Pose(abduction, flexion, rotation)
            vertices, faces = geometry.merge_surfaces(surfaces(pose))
            q = (sheets(pose) * mirror) @ rot.T
            # the heights of HeightField((vertices * mirror) @ rot.T, faces, SPACING_MM) under q
            top = raster.field_heights(
                (vertices * mirror) @ rot.T, np.ascontiguousarray(faces, dtype=np.int64), SPACING_MM,
                q[..., 0].ravel(), q[..., 1].ravel(),
            ).reshape(q.shape[:2])  # fmt: skip
            short = np.where(
                top > geometry.HeightField.EMPTY / 2, np.maximum(top + gap - q[..., 2], 0.0), 0.0
            )
            short = np.where(short <= MAX_LIFT_MM, short, 0.0)
            out = short if out is None else np.maximum(out, short)
        out = out * fibre_weight(v, n_attached)[None, :]
        for _ in range(2):
            e = out.copy()
            e[:, 1:-1] = np.maximum(out[:, 1:-1], 0.5 * (out[:, :-2] + out[:, 2:]))
            e[1:-1] = np.maximum(e[1:-1], 0.5 * (e[:-2] + e[2:]))
            out = e
        out[:, :n_attached] = 0.0
        out[:, -1] = 0.0
        knots.append(out)
    return np.stack(knots)


def lift_at(table: np.ndarray, flexion: float) -> np.ndarray:
    """The lift ((nu, nv) float) at a flexion: linear between the two knots around it.

    ``table``: (knots, nu, nv) from :func:`lift`. The JS twin repeats this arithmetic exactly:
    ``w = (flexion - f0) / (f1 - f0)``, ``a * (1 - w) + b * w``.
    """
    k = int(np.searchsorted(FLEXION_KNOTS, flexion, side="right")) - 1
    k = min(max(k, 0), len(FLEXION_KNOTS) - 2)
    f0, f1 = FLEXION_KNOTS[k], FLEXION_KNOTS[k + 1]
    w = (flexion - f0) / (f1 - f0)
    return table[k] * (1.0 - w) + table[k + 1] * w
