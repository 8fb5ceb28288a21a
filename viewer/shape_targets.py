"""The LLP26 shape of least Mahalanobis norm that reaches clinical targets (neck-shaft angle, offset).

The modes are in standard deviations, so a shape's Mahalanobis norm is the Euclidean norm of
its weights ``b`` (the first :data:`viewer.shape.MODES` modes). A target set ``t`` (one value
per measure) is reached by the ``b`` of least norm with ``g(b) = t``, where ``g`` are the
measures of :mod:`viewer.shape_measures` on the shape's femur. ``g`` is nearly linear over
the model's range, with small steps (the measures read vertex slabs), so its slopes ``J``
are taken once about the mean by central differences over +-1 SD, and ``b`` is the
least-norm solution of that linear model, ``b = J^T (J J^T)^-1 (t - g(0))``, corrected along
the same rows of ``J`` (``b <- b + J^T (J J^T)^-1 (t - g(b))``) until the targets are met
within :data:`TOLERANCE`. A target whose solution needs a mode beyond
:data:`viewer.shape.SD_RANGE` is refused (:class:`TargetOutOfRange`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from viewer import shape_measures
from viewer.anatomy import HipModel
from viewer.shape import MODES, SD_RANGE, Shape

#: The clinical targets: name -> (measure, unit, label).
TARGETS = {
    "neck_shaft_angle": (shape_measures.neck_shaft_angle, "deg", "neck-shaft angle"),
    "femoral_offset": (shape_measures.femoral_offset, "mm", "femoral offset"),
}
#: How close (in each target's unit) a reached measure is to its target: about the measures'
#: own small steps (their vertex slabs move by up to 0.1 deg or mm between nearby shapes).
TOLERANCE = 0.1
#: Half the span (SD) of the central differences of the slopes.
STEP_SD = 1.0
MAX_ITERATIONS = 6


class TargetOutOfRange(ValueError):
    """The least-norm shape that reaches the targets needs a mode beyond :data:`SD_RANGE`."""


@dataclass(frozen=True)
class ShapeFit:
    """The shape found for some targets.

    Attributes
    ----------
    shape : Shape
        Its weights, rounded to 0.01 SD.
    targets : dict of str to float
        What was asked.
    reached : dict of str to float
        The measures of ``shape`` (for each target).
    norm : float
        Its Mahalanobis norm (the Euclidean norm of its weights in SD).
    iterations : int
        Correction steps taken.
    """

    shape: Shape
    targets: dict[str, float]
    reached: dict[str, float]
    norm: float
    iterations: int


def _measures(model: HipModel, names: list[str], b: np.ndarray, side: str) -> np.ndarray:
    lo, hi = SD_RANGE
    m = model.with_shape(Shape(tuple(np.clip(b, lo, hi))), seat_knee=False)
    return np.array([TARGETS[n][0](m, side) for n in names])


#: model -> {(names, side): slopes}: a model's slopes are taken once (the app's clinical sliders).
_SLOPES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _jacobian(model: HipModel, names: list[str], side: str) -> np.ndarray:
    """(targets, modes) slopes of the measures about the mean: central differences over
    +-:data:`STEP_SD`, wide enough to average the measures' small steps (their vertex slabs).
    Kept per model, names and side."""
    kept = _SLOPES.setdefault(model, {})
    key = (tuple(names), side)
    if key not in kept:
        kept[key] = _slopes(model, names, side)
    return kept[key].copy()


def _slopes(model: HipModel, names: list[str], side: str) -> np.ndarray:
    jac = np.empty((len(names), MODES))
    for i in range(MODES):
        e = np.zeros(MODES)
        e[i] = STEP_SD
        jac[:, i] = (_measures(model, names, e, side) - _measures(model, names, -e, side)) / (2 * STEP_SD)
    return jac


def shape_for(model: HipModel, targets: dict[str, float], side: str = "right") -> ShapeFit:
    """The least-norm shape whose measures on ``side`` are ``targets`` (names of :data:`TARGETS`).

    ``model`` is the mean :class:`HipModel`. About fifteen shape instances are measured (2-3 s;
    ten of them for the slopes, which are kept for the next call).

    Raises
    ------
    ValueError
        For no target, an unknown name or a value that is not a finite number.
    TargetOutOfRange
        When the least-norm shape needs a weight outside :data:`SD_RANGE`, or the targets
        cannot be met together.
    """
    if not targets:
        raise ValueError(f"give at least one target: {', '.join(TARGETS)}")
    unknown = [n for n in targets if n not in TARGETS]
    if unknown:
        raise ValueError(f"no target {unknown[0]!r}: the targets are {', '.join(TARGETS)}")
    names = list(targets)
    t = np.array([float(targets[n]) for n in names])
    if not np.all(np.isfinite(t)):
        raise ValueError("each target must be a finite number")
    lo, hi = SD_RANGE
    jac = _jacobian(model, names, side)
    if np.linalg.cond(jac @ jac.T) > 1e8:
        raise TargetOutOfRange("these targets move together in the shape model: give one of them")
    solve = jac.T @ np.linalg.inv(jac @ jac.T)  # least-norm weights for a change of the measures
    b, g = np.zeros(MODES), _measures(model, names, np.zeros(MODES), side)
    iterations = 0
    while np.max(np.abs(t - g)) > TOLERANCE and iterations < MAX_ITERATIONS:
        b = b + solve @ (t - g)  # stays along the rows of J: the least norm that reaches t
        g = _measures(model, names, b, side)
        iterations += 1
        if np.max(np.abs(b)) > 2 * hi:  # far outside the model: no use going on
            break
    wanted = ", ".join(f"{TARGETS[n][2]} {v:g} {TARGETS[n][1]}" for n, v in zip(names, t, strict=True))
    if np.any(b < lo) or np.any(b > hi):
        k = int(np.argmax(np.abs(b)))
        raise TargetOutOfRange(
            f"{wanted} needs mode {k + 1} at {b[k]:+.1f} SD, beyond the model's {lo:g}..{hi:g} SD"
        )
    if np.max(np.abs(t - g)) > TOLERANCE:
        raise TargetOutOfRange(f"{wanted}: not reached within the model's {lo:g}..{hi:g} SD")
    shape = Shape(tuple(float(x) for x in np.clip(np.round(b, 2), lo, hi)))
    reached = _measures(model, names, np.array(shape.sd), side)
    return ShapeFit(
        shape=shape,
        targets=dict(zip(names, t.tolist(), strict=True)),
        reached=dict(zip(names, reached.tolist(), strict=True)),
        norm=float(np.linalg.norm(shape.sd)),
        iterations=iterations,
    )
