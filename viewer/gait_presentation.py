"""What a picture of walking shows: pelvis, legs and trunk in a frame of the gait cycle, active medius lit."""

from __future__ import annotations

import numpy as np

from viewer import geometry
from viewer.exercise_presentation import FRAME_STRIDE, in_room, rod
from viewer.mechanics.gait import GaitFrame
from viewer.mechanics.stance import rotation_x
from viewer.posed import Hip
from viewer.presentation import Item, Presentation, muscle_item, point_normals, rgb

#: Opacity of a gluteus medius while it is off (the active one is opaque).
RESTING_OPACITY = 0.25
#: Opacity of the trunk rod (a schematic: the bones behind it stay visible).
TRUNK_OPACITY = 0.5
#: The trunk drawn as a rod: from the sacral base, this long and this thick (mm), with these sides.
TRUNK_MM, TRUNK_RADIUS_MM, TRUNK_SIDES = 420.0, 45.0, 24


def pelvis_matrix(frame: GaitFrame) -> np.ndarray:
    """(4, 4) placement of the pelvis in the room: turned about the front-to-back axis through
    the pelvis frame's origin by the obliquity (positive: the right side up)."""
    return rotation_x(np.radians(-frame.pelvic_obliquity_deg), np.zeros(3))


def bone_matrices(hip: Hip, frame: GaitFrame) -> dict[str, np.ndarray]:
    """(4, 4) placement of every hip and leg bone in one frame."""
    model = hip.model
    w = pelvis_matrix(frame)
    out = {b: w for b in ("hip_right", "hip_left", "sacrum")}
    for s, pose in frame.hips.items():
        out[f"femur_{s}"] = w @ model.femur_transform(s, pose)
        out[f"tibia_fibula_{s}"] = out[f"patella_{s}"] = w @ model.lower_leg_transform(
            s, pose, frame.knees[s]
        )
    return out


def trunk_axis(hip: Hip, frame: GaitFrame) -> np.ndarray:
    """(2, 3) float: the trunk's axis in the room, from the sacral base up :data:`TRUNK_MM`,
    tilted toward the right by ``trunk_lean_deg``."""
    base = geometry.apply(pelvis_matrix(frame), hip.model.landmark("sacral_base_centre")[None])[0]
    lean = np.radians(frame.trunk_lean_deg)
    return np.array([base, base + TRUNK_MM * np.array([0.0, np.cos(lean), np.sin(lean)])])


def present_gait(
    hip: Hip, frames: list[GaitFrame], theme: str = "light", aspect: float = 16 / 9
) -> list[Presentation]:
    """Pictures of walking, one per frame, seen from behind (the stance picture's direction),
    with one floor (under the lowest bone of any frame) and one camera for them all; each
    gluteus medius opaque while it is active, faded while it is off."""
    style, st = hip.style, hip.style["stance"]
    bones = hip.model.bones
    placed = []
    for frame in frames:
        m = bone_matrices(hip, frame)
        items = [
            Item(b, "bone", colour=rgb(style["bone"]), matrix=x, specular=style["specular"]["bone"])
            for b, x in m.items()
        ]
        for s, pose in frame.hips.items():
            opacity = 1.0 if frame.gmed_active[s] else RESTING_OPACITY
            item = muscle_item(hip, s, hip.muscles[s].surface(pose), opacity)
            items.append(Item(**{**item.__dict__, "matrix": m["sacrum"]}))
        axis = trunk_axis(hip, frame)
        v, f = rod(axis[0], axis[1], TRUNK_RADIUS_MM, TRUNK_SIDES)
        colour = rgb(st["colours"]["com"])
        items.append(
            Item("trunk", "structure", colour, None, v, f, point_normals(v, f), opacity=TRUNK_OPACITY)
        )
        points = np.concatenate(
            [geometry.apply(x, bones[b].vertices[::FRAME_STRIDE]) for b, x in m.items()] + [v]
        )
        lowest = min(float((bones[b].vertices @ x[1, :3]).min() + x[1, 3]) for b, x in m.items())
        placed.append((items, points, lowest))
    return in_room(hip, placed, np.asarray(st["view_direction"], float), theme, aspect)
