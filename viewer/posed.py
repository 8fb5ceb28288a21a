"""The hip built once (model, muscles, label anchors) and computed once per pose as plain arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from viewer import data, label_anchors, presentation
from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscles import MuscleSurface, Neighbourhood


class Hip:
    """The hip pictures are made from, built once: model, both muscles, style and labels.

    Parameters
    ----------
    model : HipModel, optional
    """

    def __init__(self, model: HipModel | None = None):
        self.model = model if model is not None else HipModel()
        #: every structure of each side, built in layers (:class:`viewer.muscles.Neighbourhood`)
        self.neighbourhoods = {side: Neighbourhood(self.model, side) for side in SIDES}
        #: the gluteus medius of each side
        self.muscles = {side: n.muscles["gluteus_medius"] for side, n in self.neighbourhoods.items()}
        self.style = data.annotation("style")
        self.labels = data.annotation("labels")["labels"]
        self.part_ids = tuple(p["id"] for p in self.muscles["right"].parts)
        self._label_specs: dict[str, list[dict]] = {}

    @cached_property
    def neutral(self) -> dict[str, MuscleSurface]:
        """The muscle of each side at neutral (the other side's pose, and the footprints)."""
        return {side: m.surface(Pose()) for side, m in self.muscles.items()}

    @cached_property
    def neutral_ribbons(self) -> dict[str, np.ndarray]:
        """Fibre ribbon points ((k * nv * 2, 3) float, mm) of each side at neutral."""
        return {side: self.ribbon_points(side, m.superficial) for side, m in self.neutral.items()}

    @cached_property
    def part_rgb(self) -> np.ndarray:
        """(parts, 3) uint8 colour of each muscle part, in part order."""
        return presentation.part_rgb(self.style, self.part_ids)

    def fibre_rows(self, side: str) -> np.ndarray:
        """Indices ((k,) int) of the fibres drawn as fibre ribbons."""
        m = self.muscles[side]
        return presentation.fibre_rows(m.nu, m.params["resolution"]["fibre_lines"])

    def ribbon_points(self, side: str, superficial: np.ndarray) -> np.ndarray:
        """Fibre ribbon points ((k * nv * 2, 3) float, mm) over an outer sheet ((nu, nv, 3) float)."""
        width, lift = self.style["fibre_width_mm"], self.style["fibre_lift_mm"]
        return presentation.ribbon_points(superficial, self.fibre_rows(side), width, lift)

    def ribbon_faces(self, side: str, step: int = 1) -> np.ndarray:
        """Triangles ((f, 3) int) of the fibre ribbons, matching :meth:`ribbon_points`."""
        return presentation.ribbon_faces(self.muscles[side].nv, len(self.fibre_rows(side)), step)

    @cached_property
    def _frames(self) -> dict[str, np.ndarray]:
        return {side: presentation.frame_points(self.model, side) for side in SIDES}

    def frame_points(self, side: str) -> np.ndarray:
        """The region the presets frame for a side ((n, 3) float, mm; :func:`presentation.frame_points`)."""
        return self._frames[side]

    def label_specs(self, side: str) -> list[dict]:
        """Labels with their anchors for one animated side: the medius' and the bones'
        (:func:`viewer.label_anchors.label_specs`), then the other structures', each with its
        ``layer`` (:func:`viewer.label_anchors.structure_label_specs`)."""
        if side not in self._label_specs:
            m, n = self.muscles[side], self.neighbourhoods[side]
            own = label_anchors.label_specs(self.model, m, self.labels, side)
            self._label_specs[side] = own + label_anchors.structure_label_specs(n, self.labels)
        return self._label_specs[side]


@dataclass(frozen=True)
class PosedHip:
    """The hip in one pose, computed once, as plain arrays (mm, pelvis frame).

    Attributes
    ----------
    side : {"right", "left"}
        The side that moves; the other stays at neutral.
    pose : Pose
    femur : dict of str to (4, 4) float
        Matrix taking each neutral femur to its pose.
    muscles : dict of str to MuscleSurface
        The moving side's muscle in the pose, and the other side's at neutral if asked for.
    ribbons : dict of str to (k * nv * 2, 3) float
        Fibre ribbon points over each muscle in ``muscles``.
    anchors : (labels, 3) float or None
        Label anchors of the moving side (:meth:`Hip.label_specs` order), if asked for.
    lengths, moment_arms : dict of str to float, or None
        Read-out of the moving side (mm): per part and ``whole``, if asked for.
    fans : dict of str to MuscleSurface
        The moving side's other fan muscles in the pose, by id: those its labels are anchored
        on, when the anchors are asked for (reused for what is drawn).
    """

    side: str
    pose: Pose
    femur: dict[str, np.ndarray]
    muscles: dict[str, MuscleSurface]
    ribbons: dict[str, np.ndarray]
    anchors: np.ndarray | None = None
    lengths: dict[str, float] | None = None
    moment_arms: dict[str, float] | None = None
    fans: dict[str, MuscleSurface] = field(default_factory=dict)


def pose_hip(
    hip: Hip,
    side: str,
    pose: Pose,
    other_side: bool = True,
    anchors: bool = False,
    readout: bool = False,
) -> PosedHip:
    """Compute the hip in one pose once: femur matrices, muscles, ribbons, anchors and read-out.

    The muscle of ``side`` is regenerated for ``pose`` once; everything else is derived from it.

    Parameters
    ----------
    hip : Hip
    side : {"right", "left"}
        The side that moves.
    pose : Pose
        Hip angles of that side, degrees.
    other_side : bool
        Include the other side's muscle (at neutral) and its ribbons.
    anchors : bool
        Compute the posed label anchors (mm), with the other fan muscles they lie on.
    readout : bool
        Compute the lengths and abduction moment arms (mm); two more muscles for the moment arms.

    Returns
    -------
    PosedHip
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, not {side!r}")
    femur = {s: hip.model.femur_transform(s, pose if s == side else Pose()) for s in SIDES}
    specs = hip.label_specs(side) if anchors else []
    labelled = label_anchors.fans_labelled(specs)
    # labels on the other fans: the side's muscles posed together, the medius among them
    together = hip.neighbourhoods[side].surfaces(pose) if labelled else {}
    moving = together.get("gluteus_medius") or hip.muscles[side].surface(pose)
    muscles = {side: moving}
    if other_side:
        other = next(s for s in SIDES if s != side)
        muscles[other] = hip.neutral[other]
    ribbons = {side: hip.ribbon_points(side, moving.superficial)}
    if other_side:
        ribbons[other] = hip.neutral_ribbons[other]
    points, fans = None, {}
    if anchors:
        fans = {sid: f for sid, f in together.items() if sid in labelled}
        verts = {sid: f.vertices for sid, f in fans.items()}
        points = label_anchors.label_anchors(specs, moving.vertices, femur[side], verts)
    lengths = arms = None
    if readout:
        lengths = hip.muscles[side].lengths(pose, moving)
        arms = hip.muscles[side].moment_arms(pose)
    return PosedHip(side, pose, femur, muscles, ribbons, points, lengths, arms, fans)
