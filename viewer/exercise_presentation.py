"""What a picture of an exercise shows: bones and both gluteus medius in its pose, in the room, on a floor."""

from __future__ import annotations

import numpy as np

from viewer import contract, framing, geometry
from viewer.mechanics.exercises import Exercise, ExercisePose, world
from viewer.posed import Hip
from viewer.presentation import Item, Presentation, muscle_item, point_normals, rgb

#: Every how many vertices of a bone the picture's framing takes.
FRAME_STRIDE = 16
#: How far the floor reaches beyond the bones, front to back and side to side (mm).
FLOOR_MARGIN_MM = 80.0

#: A unit cube's corners and its 12 outward-facing triangles.
_CUBE = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dtype=float)
_CUBE_FACES = np.array(
    [[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
     [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]]
)  # fmt: skip


def box(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ((8, 3) float) and outward faces ((12, 3) int) of the box from corner ``lo`` to ``hi``."""
    lo = np.asarray(lo, dtype=float)
    return lo + _CUBE * (np.asarray(hi, dtype=float) - lo), _CUBE_FACES.copy()


def leg_poses(ex: Exercise, side: str, fault: str | None = None) -> dict[str, ExercisePose]:
    """Each leg's pose by side: the working ``side`` in the key pose (or the fault's), the other
    leg in the exercise's ``other_leg``."""
    other = "left" if side == "right" else "right"
    return {side: ex.at(fault), other: ex.other_leg}


def bone_matrices(hip: Hip, ex: Exercise, side: str, fault: str | None = None) -> dict[str, np.ndarray]:
    """(4, 4) placement in the room of every hip and leg bone (``data.ALL_BONES``) for the
    exercise worked by ``side`` (:func:`viewer.mechanics.exercises.world`)."""
    model = hip.model
    w = world(model, side, ex)
    out = {b: w for b in ("hip_right", "hip_left", "sacrum")}
    for s, at in leg_poses(ex, side, fault).items():
        out[f"femur_{s}"] = w @ model.femur_transform(s, at.pose)
        leg = w @ model.lower_leg_transform(s, at.pose, at.knee_flexion)
        out[f"tibia_fibula_{s}"] = out[f"patella_{s}"] = leg
    return out


def _camera(ex: Exercise, side: str, view: str | None, points: np.ndarray, aspect: float):
    direction = np.array(contract.view_presets()[view]["direction"] if view else ex.camera_direction, float)
    direction[2] *= 1.0 if side == "right" else -1.0
    fit = framing.view_fit(
        points, direction, [0.0, 1.0, 0.0], contract.view_angle(), contract.view_frame()["margin"]
    )
    return framing.fitted_camera(fit, aspect)


def present_exercise(
    hip: Hip,
    ex: Exercise,
    side: str = "right",
    fault: str | None = None,
    theme: str = "light",
    view: str | None = None,
    aspect: float = 16 / 9,
) -> Presentation:
    """The picture of an exercise worked by the ``side`` leg, in its key pose or its fault.

    The bones and both gluteus medius (each in its leg's pose) are placed in the room, a floor
    slab under the lowest bone; the camera looks along the exercise's ``camera_direction`` (or
    the direction of the view preset ``view``) taken in the room, mirrored for the left side,
    with the room's up, and frames them all.

    Parameters
    ----------
    hip : viewer.posed.Hip
    ex : viewer.mechanics.exercises.Exercise
    side : {"right", "left"}
    fault : str, optional
        An id of ``ex.faults``: its pose instead of the key pose.
    theme : str
        A theme of :data:`viewer.contract.THEMES`.
    view : str, optional
        A view preset of ``annotations/views.json``.
    aspect : float
        Width / height of the picture.

    Returns
    -------
    viewer.presentation.Presentation
        No labels.
    """
    style = hip.style
    matrices = bone_matrices(hip, ex, side, fault)
    items = [
        Item(b, "bone", colour=rgb(style["bone"]), matrix=m, specular=style["specular"]["bone"])
        for b, m in matrices.items()
    ]
    w = matrices["sacrum"]
    for s, at in leg_poses(ex, side, fault).items():
        surface = hip.muscles[s].surface(at.pose)
        item = muscle_item(hip, s, surface)
        items.append(Item(**{**item.__dict__, "matrix": w}))
    points = np.concatenate(
        [geometry.apply(m, hip.model.bones[b].vertices[::FRAME_STRIDE]) for b, m in matrices.items()]
    )
    lo, hi = points.min(axis=0), points.max(axis=0)
    # the floor touches the lowest point of any bone (every vertex, not only those framed)
    lo[1] = min(float((hip.model.bones[b].vertices @ m[1, :3]).min() + m[1, 3]) for b, m in matrices.items())
    st = style["stance"]
    reach = np.array([FLOOR_MARGIN_MM, 0.0, FLOOR_MARGIN_MM])
    v, f = box(
        np.array([lo[0], lo[1] - st["floor_thickness_mm"], lo[2]]) - reach,
        np.array([hi[0], lo[1], hi[2]]) + reach,
    )
    items.append(Item("floor", "structure", rgb(st["colours"]["floor"]), None, v, f, point_normals(v, f)))
    colours = contract.themes()[theme]
    return Presentation(
        background=colours["background"],
        text=colours["text"],
        items=tuple(items),
        label_texts=(),
        label_points=np.empty((0, 3)),
        camera=_camera(ex, side, view, np.concatenate([points, v]), aspect),
        view_angle=contract.view_angle(),
    )
