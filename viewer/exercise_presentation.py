"""What a picture of an exercise shows: bones, both gluteus medius and their neighbours posed in the room."""

from __future__ import annotations

import numpy as np

from viewer import contract, framing, geometry
from viewer.mechanics.exercises import Exercise, ExercisePose, world
from viewer.posed import Hip
from viewer.presentation import Item, Presentation, muscle_item, part_look, point_normals, rgb

#: Every how many vertices of a bone the picture's framing takes.
FRAME_STRIDE = 16
#: How far the floor reaches beyond the bones, front to back and side to side (mm).
FLOOR_MARGIN_MM = 80.0

#: The gluteus medius' neighbours drawn with it (``contract.STRUCTURE_LAYERS``): the
#: iliotibial tract is left out, as it runs to the tibia with the knee straight.
NEIGHBOURS = (
    "gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae",
    "trochanteric_bursa", "superior_gluteal_nerve",
)  # fmt: skip

#: Sides of the band's strands (rods).
BAND_SIDES = 12

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


def rod(a: np.ndarray, b: np.ndarray, radius: float, sides: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ((2 sides + 2, 3) float) and outward faces ((4 sides, 3) int) of a capped
    cylinder from ``a`` to ``b``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    axis = (b - a) / np.linalg.norm(b - a)
    u = np.cross(axis, [1.0, 0.0, 0.0] if abs(axis[0]) < 0.9 else [0.0, 1.0, 0.0])
    u /= np.linalg.norm(u)
    v = np.cross(axis, u)
    t = np.linspace(0.0, 2 * np.pi, sides, endpoint=False)
    ring = radius * (np.cos(t)[:, None] * u + np.sin(t)[:, None] * v)
    verts = np.concatenate([a + ring, b + ring, [a, b]])
    k = np.arange(sides)
    n = (k + 1) % sides
    side = np.concatenate([np.column_stack([k, n, sides + n]), np.column_stack([k, sides + n, sides + k])])
    caps = np.concatenate(
        [
            np.column_stack([np.full(sides, 2 * sides), n, k]),
            np.column_stack([np.full(sides, 2 * sides + 1), sides + k, sides + n]),
        ]
    )
    return verts, np.concatenate([side, caps])


def neighbour_items(hip: Hip, side: str, pose, pelvis: np.ndarray, femur: np.ndarray) -> list[Item]:
    """The :data:`NEIGHBOURS` of one side in a hip pose, placed in the room: the fan muscles
    posed (all at once, :meth:`viewer.muscles.Neighbourhood.surfaces`) with the ``pelvis``
    matrix, the bursa with the ``femur``'s, the nerve with the pelvis'; named ``<id>_<side>``,
    coloured and translucent as ``style.json`` ``parts``."""
    n = hip.neighbourhoods[side]
    surfaces = n.surfaces(pose)
    items = []
    for sid in NEIGHBOURS:
        look = part_look(hip.style, contract.STRUCTURE_STYLE[sid])
        if sid in n.muscles:
            v, f, matrix = surfaces[sid].vertices, surfaces[sid].faces, pelvis
        else:
            r = n.rigid[sid]
            v, f, matrix = r.vertices, r.faces, femur if r.follows == "femur" else pelvis
        items.append(
            Item(
                f"{sid}_{side}", "structure", rgb(look["colour"]), matrix, v, f, point_normals(v, f),
                opacity=float(look["opacity"]), specular=hip.style["specular"]["muscle"],
            )
        )  # fmt: skip
    return items


def band_strands(hip: Hip, ex: Exercise, matrices: dict[str, np.ndarray]) -> np.ndarray:
    """The band's front and back strands in the room ((2, 2, 3) float, mm: strand, end (right,
    left), xyz), each side's points moved by its tibia-fibula's matrix; empty (0, 2, 3) without a band."""
    if ex.band is None:
        return np.empty((0, 2, 3))
    pts = ex.band.points(hip.model)
    ends = [geometry.apply(matrices[f"tibia_fibula_{s}"], pts[s]) for s in ("right", "left")]
    return np.stack(ends, axis=1)


def leg_poses(ex: Exercise, side: str, at: ExercisePose | None = None) -> dict[str, ExercisePose]:
    """Each leg's pose by side: the working ``side`` in ``at`` (default: the key pose), the other
    leg in the exercise's ``other_leg``."""
    other = "left" if side == "right" else "right"
    return {side: ex.key_pose if at is None else at, other: ex.other_leg}


def bone_matrices(hip: Hip, ex: Exercise, side: str, at: ExercisePose | None = None) -> dict[str, np.ndarray]:
    """(4, 4) placement in the room of every hip and leg bone (``data.ALL_BONES``) for the
    exercise worked by ``side`` in ``at`` (default: the key pose), the room of the key pose
    (:func:`viewer.mechanics.exercises.world`)."""
    model = hip.model
    w = world(model, side, ex)
    out = {b: w for b in ("hip_right", "hip_left", "sacrum")}
    for s, leg_at in leg_poses(ex, side, at).items():
        out[f"femur_{s}"] = w @ model.femur_transform(s, leg_at.pose)
        leg = w @ model.lower_leg_transform(s, leg_at.pose, leg_at.knee_flexion)
        out[f"tibia_fibula_{s}"] = out[f"patella_{s}"] = leg
    return out


def in_room(
    hip: Hip,
    frames: list[tuple[list[Item], np.ndarray, float]],
    direction: np.ndarray,
    theme: str = "light",
    aspect: float = 16 / 9,
) -> list[Presentation]:
    """Pictures of items placed in the room (Y up), one per frame, with one floor and one camera.

    ``frames``: each frame's items, the points it frames ((n, 3) float, mm) and the height of
    its lowest bone (mm). The floor slab (``style.json`` ``stance``) lies under the lowest bone
    of any frame and reaches :data:`FLOOR_MARGIN_MM` beyond every point; the camera looks from
    ``direction`` (room's up) and frames all the points and the floor.
    """
    st = hip.style["stance"]
    points = np.concatenate([p for _, p, _ in frames])
    lo, hi = points.min(axis=0), points.max(axis=0)
    lo[1] = min(low for _, _, low in frames)
    reach = np.array([FLOOR_MARGIN_MM, 0.0, FLOOR_MARGIN_MM])
    v, f = box(
        np.array([lo[0], lo[1] - st["floor_thickness_mm"], lo[2]]) - reach,
        np.array([hi[0], lo[1], hi[2]]) + reach,
    )
    floor = Item("floor", "structure", rgb(st["colours"]["floor"]), None, v, f, point_normals(v, f))
    margin = contract.view_frame()["margin"]
    fit = framing.view_fit(
        np.concatenate([points, v]), direction, [0.0, 1.0, 0.0], contract.view_angle(), margin
    )
    camera = framing.fitted_camera(fit, aspect)
    colours = contract.themes()[theme]
    return [
        Presentation(
            background=colours["background"],
            text=colours["text"],
            items=(*items, floor),
            label_texts=(),
            label_points=np.empty((0, 3)),
            camera=camera,
            view_angle=contract.view_angle(),
        )
        for items, _, _ in frames
    ]


def _placed(hip: Hip, ex: Exercise, side: str, at: ExercisePose) -> tuple[list[Item], np.ndarray, float]:
    """The bones and both muscles of one pose placed in the room; the points framed (every
    :data:`FRAME_STRIDE`-th bone vertex) and the height of the lowest bone vertex (mm)."""
    style = hip.style
    matrices = bone_matrices(hip, ex, side, at)
    items = [
        Item(b, "bone", colour=rgb(style["bone"]), matrix=m, specular=style["specular"]["bone"])
        for b, m in matrices.items()
    ]
    w = matrices["sacrum"]
    for s, leg_at in leg_poses(ex, side, at).items():
        item = muscle_item(hip, s, hip.muscles[s].surface(leg_at.pose))
        items.append(Item(**{**item.__dict__, "matrix": w}))
        items += neighbour_items(hip, s, leg_at.pose, w, matrices[f"femur_{s}"])
    for k, (a, b) in enumerate(band_strands(hip, ex, matrices)):
        v, f = rod(a, b, ex.band.radius_mm, BAND_SIDES)
        items.append(Item(f"band_{k}", "structure", rgb(ex.band.colour), None, v, f, point_normals(v, f)))
    bones = hip.model.bones
    points = np.concatenate(
        [geometry.apply(m, bones[b].vertices[::FRAME_STRIDE]) for b, m in matrices.items()]
    )
    lowest = min(float((bones[b].vertices @ m[1, :3]).min() + m[1, 3]) for b, m in matrices.items())
    return items, points, lowest


def present_sequence(
    hip: Hip,
    ex: Exercise,
    poses: list[ExercisePose],
    side: str = "right",
    theme: str = "light",
    view: str | None = None,
    aspect: float = 16 / 9,
) -> list[Presentation]:
    """Pictures of an exercise worked by the ``side`` leg in each of ``poses``, with one floor
    and one camera for them all (:func:`present_exercise`)."""
    placed = [_placed(hip, ex, side, at) for at in poses]
    direction = np.array(contract.view_presets()[view]["direction"] if view else ex.camera_direction, float)
    direction[2] *= 1.0 if side == "right" else -1.0
    return in_room(hip, placed, direction, theme, aspect)


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
    return present_sequence(hip, ex, [ex.at(fault)], side, theme, view, aspect)[0]
