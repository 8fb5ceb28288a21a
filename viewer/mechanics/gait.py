"""Walking: a gait cycle of both legs from normative curves, gluteus medius timing, weak-abductor gaits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from viewer import data
from viewer.anatomy import POSE_RANGE, Pose
from viewer.mechanics.stance import RANGES, StanceInput

#: The gait variants: normal; Trendelenburg (weak abductors, the pelvis drops on the swing
#: side); Duchenne (the same weakness, compensated by leaning the trunk over the stance hip).
VARIANTS = ("normal", "trendelenburg", "duchenne")

#: Abductor strength (%) of the weak variants: the stance model's pelvis then drops to the end
#: of the hip's adduction range (a positive Trendelenburg sign), as it does below about 40 %.
WEAK_STRENGTH_PCT = 30.0

#: Steps of the search for the Duchenne lean (degrees, bisection over the stance model's range).
LEAN_BISECTIONS = 30


@dataclass(frozen=True)
class GaitCurves:
    """The normative cycle of ``annotations/gait.json``, right leg (degrees; see its description).

    ``percent`` (51,) of the cycle; ``pelvic_obliquity`` + the pelvis up on the right;
    ``hip_flexion``, ``hip_adduction``, ``knee_flexion`` of the right leg (the left leg's are
    the same half a cycle later); ``gmed_on`` (k, 2) windows of the right gluteus medius, %;
    ``stance_pct`` the normal stance phase, %.
    """

    percent: np.ndarray
    pelvic_obliquity: np.ndarray
    hip_flexion: np.ndarray
    hip_adduction: np.ndarray
    knee_flexion: np.ndarray
    gmed_on: np.ndarray
    stance_pct: float

    @property
    def single_support(self) -> tuple[float, float]:
        """The right leg's single support (% of the cycle): from the left toe-off (the stance
        phase less half a cycle) to the left heel strike (50 %)."""
        return self.stance_pct - 50.0, 50.0


def load(path: Path | None = None) -> GaitCurves:
    """The curves of ``annotations/gait.json`` (or ``path``), validated.

    Raises
    ------
    viewer.data.DataError
        Naming the file, the field and the problem.
    """
    path = Path(path) if path is not None else data.ANNOTATION_DIR / "gait.json"
    d = data.annotation("gait", path)
    pct = np.asarray(d["percent"], float)
    if pct[0] != 0.0 or pct[-1] != 100.0 or np.any(np.diff(pct) <= 0):
        raise data.DataError(f"{path.name}: percent: must rise from 0 to 100")
    curves = {}
    for name in ("pelvic_obliquity_deg", "hip_flexion_deg", "hip_adduction_deg", "knee_flexion_deg"):
        for part in ("mean", "sd"):
            if len(d[name][part]) != len(pct):
                raise data.DataError(
                    f"{path.name}: {name}.{part}: {len(d[name][part])} values for {len(pct)} points"
                )
        curves[name[:-4]] = np.asarray(d[name]["mean"], float)
    if not 50.0 < d["stance_phase_pct"] < 100.0:
        raise data.DataError(f"{path.name}: stance_phase_pct: must lie between 50 and 100")
    return GaitCurves(
        pct, **curves, gmed_on=np.asarray(d["gluteus_medius_on_pct"], float), stance_pct=d["stance_phase_pct"]
    )


@cache
def curves() -> GaitCurves:
    """:func:`load` of ``annotations/gait.json``, read once."""
    return load()


@dataclass(frozen=True)
class GaitFrame:
    """Both legs and the pelvis at one instant of the cycle (% of the right leg's cycle).

    ``pelvic_obliquity_deg`` + the pelvis up on the right; ``trunk_lean_deg`` + toward the
    right; ``hips`` each side's :class:`~viewer.anatomy.Pose`, ``knees`` its knee flexion
    (degrees); ``gmed_active`` each side's gluteus medius on or off (the normative timing).
    """

    percent: float
    pelvic_obliquity_deg: float
    trunk_lean_deg: float
    hips: dict[str, Pose]
    knees: dict[str, float]
    gmed_active: dict[str, bool]


class Gait:
    """One gait cycle of a variant of :data:`VARIANTS`.

    The weak variants take their size from the stance model (``stance``: a
    :class:`viewer.mechanics.stance.StanceModel`; needed for them only): Trendelenburg adds,
    over each single support, the extra pelvic drop of a stance at :data:`WEAK_STRENGTH_PCT`
    (the swing side lower, the stance hip adducted as much more); Duchenne keeps the normal
    pelvis and leans the trunk over the stance hip by the smallest lean at which that weak
    stance keeps the pelvis as level as a full-strength one. Both rise and fall as sin² over
    the single support.

    Raises
    ------
    ValueError
        For an unknown variant (one line naming the valid ones), or a weak variant without
        a stance model.
    """

    def __init__(self, variant: str = "normal", stance=None, gait: GaitCurves | None = None):
        if variant not in VARIANTS:
            raise ValueError(f"unknown gait {variant!r}; choose from {', '.join(VARIANTS)}")
        if variant != "normal" and stance is None:
            raise ValueError(f"the {variant} gait needs the stance model")
        self.variant, self.curves = variant, gait or curves()
        self.extra_drop_deg = self.lean_deg = 0.0
        self.com_shift_mm = 0.0
        if variant == "trendelenburg":
            weak = stance.solve(StanceInput(strength_pct=WEAK_STRENGTH_PCT)).pelvic_drop_deg
            self.extra_drop_deg = weak - stance.solve(StanceInput()).pelvic_drop_deg
        elif variant == "duchenne":
            self.lean_deg, self.com_shift_mm = self._duchenne(stance)

    @staticmethod
    def _duchenne(stance) -> tuple[float, float]:
        """The smallest trunk lean (degrees) at which the weak stance drops the pelvis no more
        than the full-strength one, and how far it moves the centre of mass toward the stance
        hip (mm) from the weak stance without lean."""
        level = stance.solve(StanceInput()).pelvic_drop_deg + 1e-6
        drop = lambda lean: stance.solve(StanceInput(strength_pct=WEAK_STRENGTH_PCT, lean_deg=lean))  # noqa: E731
        lo, hi = RANGES["lean_deg"]
        if drop(hi).pelvic_drop_deg > level:
            raise ValueError("no trunk lean in the stance model's range keeps the weak stance level")
        for _ in range(LEAN_BISECTIONS):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if drop(mid).pelvic_drop_deg > level else (lo, mid)
        shift = drop(hi).com_above[2] - drop(0.0).com_above[2]  # z is to the right, the stance side
        return hi, float(shift)

    def window(self, percent: np.ndarray | float) -> np.ndarray:
        """The right leg's single-support weight (0..1, sin² over it, 0 elsewhere) at ``percent``."""
        a, b = self.curves.single_support
        t = (np.asarray(percent, float) % 100.0 - a) / (b - a)
        return np.where((t > 0) & (t < 1), np.sin(np.pi * np.clip(t, 0, 1)) ** 2, 0.0)

    def _leg(self, percent: float) -> tuple[float, float, float]:
        c = self.curves
        at = percent % 100.0
        return tuple(
            float(np.interp(at, c.percent, x)) for x in (c.hip_flexion, c.hip_adduction, c.knee_flexion)
        )

    def frame(self, percent: float) -> GaitFrame:
        """The frame at ``percent`` of the right leg's cycle (the left leg half a cycle on)."""
        c = self.curves
        right, left = float(self.window(percent)), float(self.window(percent + 50.0))
        obliquity = float(np.interp(percent % 100.0, c.percent, c.pelvic_obliquity))
        obliquity += self.extra_drop_deg * (right - left)  # the swing side drops further
        hips, knees, active = {}, {}, {}
        for side, shift, support in (("right", 0.0, right), ("left", 50.0, left)):
            flexion, adduction, knee = self._leg(percent + shift)
            adduction += self.extra_drop_deg * support  # the stance hip adducts with the drop
            lo, hi = POSE_RANGE["flexion"]
            # the model's flexion starts at 0: the few degrees of extension at push-off are drawn at 0
            hips[side] = Pose(abduction=-adduction, flexion=min(max(flexion, lo), hi))
            knees[side] = max(knee, 0.0)
            on = (percent + shift) % 100.0
            active[side] = bool(any(a <= on <= b for a, b in c.gmed_on))
        lean = self.lean_deg * (right - left)
        return GaitFrame(float(percent % 100.0), obliquity, lean, hips, knees, active)

    def frames(self, count: int) -> list[GaitFrame]:
        """``count`` frames evenly over one cycle, the first at heel strike (a loop: no 100 %)."""
        if count < 2:
            raise ValueError("a gait cycle needs at least 2 frames")
        return [self.frame(100.0 * k / count) for k in range(count)]
