"""Measures of a hip's shape, computed from its geometry (any :class:`viewer.anatomy.HipModel`).

Each function documents its definition (the README's ``gmed shape`` entry points here).
Lengths in mm, angles in degrees, at neutral (the femur frame aligned with the pelvis frame).

- **Femoral shaft axis**: the principal axis of the femur's surface vertices whose distance
  below the head centre, along the mechanical axis (knee centre to head centre), is between
  :data:`SHAFT_BAND` of the head-to-knee distance: the diaphysis, below the lesser trochanter
  and above the distal metaphysis. It points proximally.
- **Femoral neck axis**: the line from the head centre through the centroid of the neck's
  surface vertices in a slab :data:`NECK_SLAB_MM` from the head centre, within
  :data:`NECK_RADIUS_MM` of the axis, refined :data:`NECK_ITERATIONS` times from the
  direction toward the shaft axis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from viewer import geometry
from viewer.anatomy import HipModel

#: The diaphysis, as fractions of the head-to-knee distance below the head centre.
SHAFT_BAND = (0.25, 0.75)
#: Distances from the head centre (mm) of the neck sections, past the head (radius about 23 mm).
NECK_SECTIONS_MM = (28.0, 32.0, 36.0)
#: Half thickness (mm) of each section's slab of vertices.
NECK_SLAB_HALF_MM = 1.5
#: Radius (mm) about the axis within which a section's vertices are taken.
NECK_RADIUS_MM = 22.0
NECK_ITERATIONS = 5

#: How each measure is shown (``gmed shape``, the app's Shape section): label, unit, decimals.
SHOWN = {
    "neck_shaft_angle_deg": ("neck-shaft angle", "deg", 1),
    "femoral_offset_mm": ("femoral offset", "mm", 1),
    "femoral_length_mm": ("femoral length", "mm", 1),
    "anteversion_deg": ("femoral anteversion", "deg", 1),
    "pelvic_width_mm": ("pelvic width (inter-ASIS)", "mm", 1),
    "abductor_moment_arm_mm": ("abductor moment arm at neutral", "mm", 1),
    "abductor_force_bw": ("stance abductor force, full strength", "BW", 2),
}


@dataclass(frozen=True)
class ShapeMeasures:
    """The measures of one side's hip; :func:`measure` computes them."""

    neck_shaft_angle_deg: float
    femoral_offset_mm: float
    femoral_length_mm: float
    anteversion_deg: float
    pelvic_width_mm: float
    abductor_moment_arm_mm: float | None = None
    abductor_force_bw: float | None = None

    def row(self) -> dict[str, float | None]:
        return asdict(self)


def _femur(model: HipModel, side: str):
    v = model.bones[f"femur_{side}"].vertices
    head = model.landmark(f"femoral_head_centre_{side}")
    knee = model.landmark(f"knee_centre_{side}")
    return v, head, knee


def shaft_axis(model: HipModel, side: str) -> tuple[np.ndarray, np.ndarray]:
    """A point ((3,) mm) and the proximal unit direction of the femoral shaft axis (module docstring)."""
    v, head, knee = _femur(model, side)
    y = geometry.unit(head - knee)
    below = (head - v) @ y / np.linalg.norm(head - knee)
    band = v[(below >= SHAFT_BAND[0]) & (below <= SHAFT_BAND[1])]
    centre = band.mean(axis=0)
    _, _, vt = np.linalg.svd(band - centre, full_matrices=False)
    axis = vt[0] if vt[0] @ y > 0 else -vt[0]
    return centre, axis


def _circle_centre(points: np.ndarray) -> np.ndarray:
    """Centre ((2,) float) of the least-squares (algebraic) circle through 2D points."""
    a = np.column_stack([2.0 * points, np.ones(len(points))])
    sol = np.linalg.lstsq(a, (points * points).sum(axis=1), rcond=None)[0]
    return sol[:2]


def neck_axis(model: HipModel, side: str) -> np.ndarray:
    """Unit direction of the femoral neck axis, from the neck toward the head centre (module docstring)."""
    v, head, _ = _femur(model, side)
    c, s = shaft_axis(model, side)
    foot = c + ((head - c) @ s) * s  # the shaft axis point level with the head
    u = geometry.unit(foot - head)  # from the head toward the shaft
    for _ in range(NECK_ITERATIONS):
        a = geometry.unit(np.cross(u, s))
        b = np.cross(u, a)
        d = v - head
        t = d @ u
        centres = []
        for at in NECK_SECTIONS_MM:
            ring = d[
                (np.abs(t - at) <= NECK_SLAB_HALF_MM)
                & (np.linalg.norm(d - np.outer(t, u), axis=1) <= NECK_RADIUS_MM)
            ]
            x, y = _circle_centre(np.column_stack([ring @ a, ring @ b]))
            centres.append(at * u + x * a + y * b)
        u = geometry.unit(np.mean([geometry.unit(q) for q in centres], axis=0))
    return -u


def neck_shaft_angle(model: HipModel, side: str) -> float:
    """Neck-shaft angle (deg): between the neck axis (toward the head) and the shaft axis
    (distally), in 3D (the plane the two axes span)."""
    _, s = shaft_axis(model, side)
    return float(np.degrees(np.arccos(np.clip(neck_axis(model, side) @ -s, -1.0, 1.0))))


def femoral_offset(model: HipModel, side: str) -> float:
    """Femoral offset (mm): perpendicular distance from the femoral head centre to the shaft axis."""
    c, s = shaft_axis(model, side)
    d = model.landmark(f"femoral_head_centre_{side}") - c
    return float(np.linalg.norm(d - (d @ s) * s))


def femoral_length(model: HipModel, side: str) -> float:
    """Femoral length (mm): the femur's extent along its mechanical axis (knee centre to head
    centre), from the top of the head to the lowest point of the condyles."""
    v, head, knee = _femur(model, side)
    y = geometry.unit(head - knee)
    t = v @ y
    return float(t.max() - t.min())


def anteversion(model: HipModel, side: str) -> float:
    """Femoral anteversion (deg): the angle between the neck axis and the transepicondylar axis
    (lateral to medial epicondyle), both projected on the plane normal to the shaft axis;
    positive when the neck points anteriorly (+X at neutral) of the epicondylar axis."""
    _, s = shaft_axis(model, side)
    n = neck_axis(model, side)
    e = model.landmark(f"epicondyle_medial_{side}") - model.landmark(f"epicondyle_lateral_{side}")
    e = geometry.unit(e - (e @ s) * s)
    front = np.cross(s, e)
    if front[0] < 0:
        front = -front
    n = n - (n @ s) * s
    return float(np.degrees(np.arctan2(n @ front, n @ e)))


def pelvic_width(model: HipModel) -> float:
    """Pelvic width (mm): the distance between the two anterior superior iliac spines (inter-ASIS)."""
    return model.inter_asis_distance


def abductor_moment_arm(hip, side: str) -> float:
    """The gluteus medius' abduction moment arm at neutral (mm): ``-dL/dθ`` of its parts
    (:meth:`viewer.muscles.FanMuscle.moment_arms`), weighted by their maximum forces as the
    stance model weights them (``annotations/stance.json``); ``hip`` is a :class:`viewer.posed.Hip`."""
    from viewer.anatomy import Pose
    from viewer.mechanics.stance import stance_parameters

    forces = stance_parameters()["gluteus_medius_max_force_n"]
    muscle = hip.muscles[side]
    r = muscle.moment_arms(Pose(), "abduction")
    parts = [p["id"] for p in muscle.parts]
    return float(sum(forces[p] * r[p] for p in parts) / sum(forces[p] for p in parts))


def abductor_force(hip, side: str) -> float:
    """The gluteus medius' force in single-leg stance on ``side`` at full strength, no lean and no
    cane (body weights): :class:`viewer.mechanics.stance.StanceModel` on this hip."""
    from viewer.mechanics.stance import StanceInput, stance_model

    return float(stance_model(hip).solve(StanceInput(side=side)).abductor_force_bw)


@dataclass(eq=False)  # hashable by identity: its stance model is kept per hip
class AbductorHip:
    """What the stance model needs of a hip (:class:`viewer.posed.Hip`): the model and the
    gluteus medius of each side."""

    model: HipModel
    muscles: dict


def abductor_hip(model: HipModel) -> AbductorHip:
    """The gluteus medius of both sides, built with only the layers it lies over (minimus,
    nerve): the very muscle :class:`viewer.muscles.Neighbourhood` builds, in a third of the time."""
    from viewer.anatomy import SIDES
    from viewer.muscles import Neighbourhood

    deep = {side: Neighbourhood(model, side, until="gluteus_medius") for side in SIDES}
    return AbductorHip(model, {side: n.muscles["gluteus_medius"] for side, n in deep.items()})


def measure(model: HipModel, side: str = "right", mechanics: bool = True, hip=None) -> ShapeMeasures:
    """Every measure of one side; ``mechanics`` adds the moment arm and stance force (builds the
    muscles, about 2 s, unless ``hip``, a :class:`viewer.posed.Hip` of ``model``, has them)."""
    arm = force = None
    if mechanics:
        hip = hip if hip is not None else abductor_hip(model)
        arm, force = abductor_moment_arm(hip, side), abductor_force(hip, side)
    return ShapeMeasures(
        neck_shaft_angle_deg=neck_shaft_angle(model, side),
        femoral_offset_mm=femoral_offset(model, side),
        femoral_length_mm=femoral_length(model, side),
        anteversion_deg=anteversion(model, side),
        pelvic_width_mm=pelvic_width(model),
        abductor_moment_arm_mm=arm,
        abductor_force_bw=force,
    )
