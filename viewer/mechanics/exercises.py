"""The exercise gallery: cited gluteus medius activity, demonstration poses and the muscle's lever in them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from viewer import data, geometry
from viewer.anatomy import Pose
from viewer.knee import KNEE_FLEXION_RANGE
from viewer.muscles.moment import JOINTS

#: The columns of ``gmed exercises --csv``, in order.
COLUMNS = ("id", "name", "gmed_activity_pct_mvic", "source")


@dataclass(frozen=True)
class ExercisePose:
    """The working hip's angles (a :class:`viewer.anatomy.Pose`) and its knee flexion (degrees)."""

    pose: Pose
    knee_flexion: float = 0.0


@dataclass(frozen=True)
class Activity:
    """Gluteus medius activity reported for an exercise, in % of a maximum voluntary isometric
    contraction; ``sd`` is None where the source read gave none; ``citation`` is the source's."""

    pct_mvic: float
    sd: float | None
    source: str
    citation: str
    verified: bool
    detail: str

    def text(self) -> str:
        """``81 ± 42 % MVIC``, or ``64 % MVIC`` without an SD."""
        sd = "" if self.sd is None else f" ± {self.sd:g}"
        return f"{self.pct_mvic:g}{sd} % MVIC"


@dataclass(frozen=True)
class Fault:
    """A faulty form of an exercise shown against the good one (a knee collapsing inward)."""

    id: str
    name: str
    text: str
    at: ExercisePose


@dataclass(frozen=True)
class Band:
    """An elastic band round both shanks (a picture's prop): a loop ``above_ankle_mm`` up the
    shank from the ankle centres, its front and back strands ``spread_mm`` in front of and
    behind them (square to the shank), drawn ``radius_mm`` thick in ``colour``."""

    above_ankle_mm: float
    spread_mm: float
    radius_mm: float
    colour: str

    def points(self, model) -> dict[str, np.ndarray]:
        """Per side the band's front and back point on the shank ((2, 3) float, mm), at neutral
        (the tibia-fibula's own frame: :meth:`viewer.anatomy.HipModel.lower_leg_transform` moves them)."""
        out = {}
        for side in ("right", "left"):
            ankle = model.landmark(f"ankle_centre_{side}")
            up = geometry.unit(model.landmark(f"tibial_plateau_centre_{side}") - ankle)
            at = ankle + self.above_ankle_mm * up
            ahead = np.array([1.0, 0.0, 0.0]) - up[0] * up  # forward, square to the shank
            forward = self.spread_mm * geometry.unit(ahead)
            out[side] = np.array([at + forward, at - forward])
        return out


@dataclass(frozen=True)
class Exercise:
    """One exercise of the gallery (``annotations/exercises.json``).

    ``frames`` are the key frames of one repetition of the working hip, ``key`` the index of
    the key pose among them (where the card's lever figures are taken and the picture drawn);
    ``other_leg`` is the other leg's pose, held through the repetition; ``camera_direction``
    points from the picture's centre to the camera in the room (right leg working); ``band``
    an elastic band round the shanks, if the exercise uses one; ``stance_model`` whether the
    app's card adds the stance model's figures for standing on the working leg.
    """

    id: str
    name: str
    body: str
    aim: str
    cues: tuple[str, ...]
    activity: Activity
    frames: tuple[ExercisePose, ...]
    key: int
    faults: tuple[Fault, ...]
    other_leg: ExercisePose
    camera_direction: tuple[float, float, float]
    band: Band | None = None
    stance_model: bool = False

    @property
    def key_pose(self) -> ExercisePose:
        """The key pose: where the picture is drawn and the lever measured."""
        return self.frames[self.key]

    def at(self, fault: str | None = None) -> ExercisePose:
        """The key pose, or the pose of the fault ``fault`` (an id of :attr:`faults`).

        Raises
        ------
        ValueError
            One line naming the exercise's faults, for an unknown one.
        """
        if fault is None:
            return self.key_pose
        for f in self.faults:
            if f.id == fault:
                return f.at
        known = ", ".join(f.id for f in self.faults) or "none"
        raise ValueError(f"exercise {self.id} has no fault {fault!r}; its faults: {known}")

    def timeline(self, count: int) -> list[ExercisePose]:
        """``count`` (>= 2) poses of one repetition: the key frames evenly spaced in time,
        angles interpolated linearly between them (:meth:`pose_at` of ``k / (count - 1)``)."""
        if count < 2:
            raise ValueError("a repetition needs at least 2 frames")
        return [self.pose_at(u) for u in np.linspace(0.0, 1.0, count)]

    def pose_at(self, phase: float) -> ExercisePose:
        """The pose at ``phase`` (0..1, clipped) of one repetition: the key frames evenly spaced
        in time, angles interpolated linearly between them."""
        keys = np.array(
            [[f.pose.abduction, f.pose.flexion, f.pose.rotation, f.knee_flexion] for f in self.frames]
        )
        at = float(np.clip(phase, 0.0, 1.0)) * (len(keys) - 1.0)
        a = [float(np.interp(at, np.arange(len(keys)), keys[:, k])) for k in range(4)]
        return ExercisePose(Pose(*a[:3]), a[3])


def _band(d: dict | None) -> Band | None:
    return None if d is None else Band(**{k: v if k == "colour" else float(v) for k, v in d.items()})


def _pose(path: Path, where: str, d: dict) -> ExercisePose:
    try:
        pose = Pose(d["abduction"], d["flexion"], d["rotation"])
    except ValueError as exc:
        raise data.DataError(f"{path.name}: {where}: {exc}") from None
    lo, hi = KNEE_FLEXION_RANGE
    if not lo <= d["knee_flexion"] <= hi:
        raise data.DataError(f"{path.name}: {where}.knee_flexion: outside {lo:g}..{hi:g} deg")
    return ExercisePose(pose, float(d["knee_flexion"]))


def load(path: Path | None = None) -> tuple[Exercise, ...]:
    """The gallery of ``annotations/exercises.json`` (or ``path``), ordered by the cited gluteus
    medius activity, highest first (ties keep the file's order).

    Raises
    ------
    viewer.data.DataError
        Naming the file, the field and the problem: the schema, an unknown source, a key
        pose beyond the key frames, a zero camera direction, a repeated id, an angle outside
        the supported range.
    """
    path = Path(path) if path is not None else data.ANNOTATION_DIR / "exercises.json"
    d = data.annotation("exercises", path)
    out, seen = [], set()
    for i, e in enumerate(d["exercises"]):
        where = f"exercises[{i}]"
        if e["id"] in seen:
            raise data.DataError(f"{path.name}: {where}.id: {e['id']!r} is used twice")
        seen.add(e["id"])
        a = e["activity"]
        if a["source"] not in d["sources"]:
            known = ", ".join(d["sources"])
            raise data.DataError(
                f"{path.name}: {where}.activity.source: {a['source']!r} is not in sources ({known})"
            )
        if not np.any(e["camera_direction"]):
            raise data.DataError(f"{path.name}: {where}.camera_direction: is zero; give a direction")
        frames = tuple(_pose(path, f"{where}.key_frames[{k}]", f) for k, f in enumerate(e["key_frames"]))
        if e["key_pose"] >= len(frames):
            raise data.DataError(
                f"{path.name}: {where}.key_pose: {e['key_pose']} but {len(frames)} key frames"
            )
        faults = tuple(
            Fault(f["id"], f["name"], f["text"], _pose(path, f"{where}.faults[{k}].pose", f["pose"]))
            for k, f in enumerate(e.get("faults", []))
        )
        activity = Activity(
            float(a["pct_mvic"]),
            None if a["sd"] is None else float(a["sd"]),
            a["source"],
            d["sources"][a["source"]]["citation"],
            a["verified"],
            a["detail"],
        )
        out.append(
            Exercise(
                e["id"], e["name"], e["body"], e["aim"], tuple(e["cues"]), activity, frames,
                e["key_pose"], faults, _pose(path, f"{where}.other_leg", e["other_leg"]),
                tuple(map(float, e["camera_direction"])),
                _band(e.get("band")),
                bool(e.get("stance_model", False)),
            )
        )  # fmt: skip
    return tuple(sorted(out, key=lambda x: -x.activity.pct_mvic))


@cache
def gallery() -> tuple[Exercise, ...]:
    """The gallery of ``annotations/exercises.json``, read once (:func:`load`)."""
    return load()


def ids() -> tuple[str, ...]:
    """Exercise ids in gallery order."""
    return tuple(e.id for e in gallery())


def exercise(exercise_id: str) -> Exercise:
    """The exercise of an id.

    Raises
    ------
    ValueError
        One line listing the valid ids, for an unknown one.
    """
    for e in gallery():
        if e.id == exercise_id:
            return e
    raise ValueError(f"unknown exercise {exercise_id!r}; choose from {', '.join(ids())}")


def world(model, side: str, ex: Exercise) -> np.ndarray:
    """(4, 4) matrix placing the pelvis frame in the room (Y up, the floor below) for an exercise
    worked by the ``side`` leg.

    Standing on the working leg (``standing_one_leg``), its lower leg in the key pose stands
    where it stands at neutral: the pelvis moves over the planted foot (a squat tips it forward
    by the hip flexion the knee does not take up). Standing on the other leg (``standing``), its
    lower leg does. Lying on the side (``side_lying``), the working side faces the ceiling. The
    key pose's placement holds for the fault too: the foot stays planted while the knee falls
    in. ``model`` is a :class:`viewer.anatomy.HipModel`.
    """
    if ex.body == "side_lying":
        sign = -1.0 if side == "right" else 1.0  # the working side's +z (right) or -z (left) up
        return geometry.rotation_about(np.zeros(3), _about_x(sign * 90.0))
    planted, at = (side, ex.key_pose) if ex.body == "standing_one_leg" else (_other(side), ex.other_leg)
    return geometry.invert(model.lower_leg_transform(planted, at.pose, at.knee_flexion))


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _about_x(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def lever(muscle, at: ExercisePose) -> dict[str, dict[str, float]]:
    """The muscle's length (mm) and its moment arm (mm, ``-dL/dθ``) about each hip angle at a
    pose, by part: ``{part: {"length_mm": …, "abduction_mm": …, "flexion_mm": …, "rotation_mm": …}}``.

    ``muscle`` is a :class:`viewer.muscles.FanMuscle` (its ``lengths`` and ``moment_arms``).
    """
    lengths = muscle.lengths(at.pose)
    arms = {j: muscle.moment_arms(at.pose, j) for j in JOINTS}
    return {
        part: {"length_mm": float(lengths[part]), **{f"{j}_mm": float(arms[j][part]) for j in JOINTS}}
        for part in lengths
    }
