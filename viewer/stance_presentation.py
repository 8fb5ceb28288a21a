"""What a picture of single-leg stance shows: posed bones and muscles, force arrows, floor and centre of mass.

A pure presentation of a solved stance (``viewer.mechanics.stance.StanceResult``): every bone
with its world matrix, both muscles regenerated for their hip poses and carried by the
pelvis, the forces on the upper body as arrows scaled in body weights, the floor, the trunk
and the centre of mass. ``viewer.stance_scene`` draws it with PyVista. No rendering library is
imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from viewer import contract, data
from viewer.presentation import Item, Presentation, muscle_item, rgb

if TYPE_CHECKING:
    from viewer.mechanics.stance import StanceResult
    from viewer.posed import Hip

#: The bones carried by the pelvis's matrix.
PELVIS_BONES = ("sacrum", "hip_right", "hip_left")
#: The bones with a matrix of their own, drawn when the model has them.
LIMB_BONES = ("femur", "tibia_fibula", "patella")
#: Forces pushing on the upper body, drawn with their tip at the point of application; the
#: others (pulls and the weight) start there.
PUSHES = ("hip_contact", "cane")
#: Font of the arrows' labels: pixels per 1080 pixels of picture height, and the width of a
#: character as a share of the font size (to leave room for the labels when framing).
LABEL_FONT_PX = 20
CHAR_WIDTH = 0.62


def label_font_px(height: int, scale: float = 1.0) -> int:
    """Font size (pixels) of the arrows' labels in a picture ``height`` pixels high."""
    return max(10, round(LABEL_FONT_PX * scale * height / 1080))


@dataclass(frozen=True)
class Arrow:
    """A force arrow.

    Attributes
    ----------
    name : str
        ``weight``, ``abductor``, ``hip_contact`` or ``cane``.
    start : (3,) float
        Tail, mm.
    vector : (3,) float
        Tail to tip, mm (the force in body weights times the scale).
    colour : (3,) float
        0..1.
    label : str
        Its name and size in body weights, e.g. ``abductor 1.9 BW``.
    label_point : (3,) float
        Where the label stands, mm.
    on_right : bool
        The label reads to the right of ``label_point`` on screen (else it ends there).
    """

    name: str
    start: np.ndarray
    vector: np.ndarray
    colour: tuple[float, float, float]
    label: str
    label_point: np.ndarray
    on_right: bool = True


@dataclass(frozen=True)
class StancePresentation:
    """Everything a stance picture shows, ready to draw.

    Attributes
    ----------
    base : Presentation
        Bones and muscles (with their matrices), theme colours and camera; no labels.
    arrows : tuple of Arrow
    shaft_mm : float
        Radius of the arrow shafts, mm.
    floor : (2, 3) float
        Opposite corners of the floor slab, mm.
    floor_colour, com_colour : (3,) float
    com : (3,) float
        Centre of mass of the body above the stance hip, mm.
    com_radius_mm : float
    plumb : (2, 3) float
        The plumb line from the centre of mass down to the floor, mm.
    trunk : (2, 3) float
        The trunk's axis, from the sacral base to the trunk's centre of mass, mm.
    legend : str
        The arrows' scale and what the picture shows, one or two lines.
    bounds : (2, 3) float
        Lowest and highest corner of everything drawn, mm (to frame several pictures alike).
    margin : float
        Room around ``bounds`` in the picture (1.1: 10 %).
    parallel_scale : float
        Half the height the picture shows, mm: it is drawn in parallel projection, a
        diagram of the frontal plane whose arrows lie before the body.
    """

    base: Presentation
    arrows: tuple[Arrow, ...]
    shaft_mm: float
    floor: np.ndarray
    floor_colour: tuple[float, float, float]
    com: np.ndarray
    com_radius_mm: float
    com_colour: tuple[float, float, float]
    plumb: np.ndarray
    trunk: np.ndarray
    legend: str
    bounds: np.ndarray
    margin: float
    parallel_scale: float


def bone_matrices(result: StanceResult, bones: set[str] | dict) -> dict[str, np.ndarray]:
    """World matrix ((4, 4) float) of every bone drawn: the pelvis's for the hip bones and sacrum,
    their own for the femurs and, when the model has them (``bones``), the lower legs."""
    pelvis = result.transforms["pelvis"]
    out = {b: pelvis for b in PELVIS_BONES}
    for name, matrix in result.transforms.items():
        if name.startswith(LIMB_BONES) and name in bones:
            out[name] = matrix
    return out


def arrow(name: str, point: np.ndarray, force_n: np.ndarray, body_weight_n: float, mm_per_bw: float) -> tuple:
    """Tail ((3,) mm) and tail-to-tip vector ((3,) mm) of a force ((3,) N) applied at ``point``.

    The length is the force in body weights times ``mm_per_bw``; a push (:data:`PUSHES`) ends at
    its point, a pull or the weight starts there.
    """
    vector = np.asarray(force_n, dtype=float) / body_weight_n * mm_per_bw
    point = np.asarray(point, dtype=float)
    return (point - vector if name in PUSHES else point), vector


def frontal_camera(
    lo: np.ndarray, hi: np.ndarray, direction: np.ndarray, view_angle_deg: float, aspect: float, margin: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Camera (position, focal point, view-up; mm) that frames the box ``lo``..``hi`` from
    ``direction``, and the parallel scale (half the height shown, mm) that does so in parallel
    projection.

    The whole box fits an image of ``aspect`` (width / height) with ``margin`` (e.g. 1.1 for 10 %)
    around it; the view-up is +Y.
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    direction = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    up = np.array([0.0, 1.0, 0.0])
    right = np.cross(up, direction)
    centre = 0.5 * (lo + hi)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    rel = corners - centre
    half_h = np.abs(rel @ up).max()
    half_w = np.abs(rel @ right).max()
    depth = np.abs(rel @ direction).max()
    tan = np.tan(np.radians(view_angle_deg) / 2)
    half = margin * max(half_h, half_w / aspect)
    distance = half / tan + depth
    return centre + distance * direction, centre, up, float(half)


def present_stance(
    hip: Hip,
    result: StanceResult,
    theme: str = "light",
    view: str | None = None,
    aspect: float = 16 / 9,
    label_scale: float = 1.0,
) -> StancePresentation:
    """What to draw of a solved stance.

    Parameters
    ----------
    hip : viewer.posed.Hip
        The model (bones), both muscles and the style (``style["stance"]``).
    result : viewer.mechanics.stance.StanceResult
    theme : str
        A theme of :data:`viewer.contract.THEMES`.
    view : str, optional
        A camera preset of ``annotations/views.json`` whose direction (mirrored for a left
        stance) replaces the frontal default of ``style["stance"]["view_direction"]``; the
        camera always frames the whole body, pelvis to feet.
    aspect : float
        Width / height of the picture, to frame it.
    label_scale : float
        Size of the labels (:func:`label_font_px`), to leave room for them.

    Returns
    -------
    StancePresentation
    """
    style, st = hip.style, hip.style["stance"]
    texts = data.annotation("texts")["stance_picture"]
    bone_colour, specular = rgb(style["bone"]), style["specular"]["bone"]
    matrices = bone_matrices(result, hip.model.bones)
    items = [
        Item(name, "bone", colour=bone_colour, matrix=m, specular=specular) for name, m in matrices.items()
    ]
    side = result.inp.side
    swing = "left" if side == "right" else "right"
    pelvis = result.transforms["pelvis"]
    surfaces = {
        side: hip.muscles[side].surface(result.stance_pose),
        swing: hip.muscles[swing].surface(result.swing_pose),
    }
    for s, surface in surfaces.items():
        items.append(replace(muscle_item(hip, s, surface), matrix=pelvis))
    insertion = pelvis[:3, :3] @ surfaces[side].insertion_edge.mean(axis=0) + pelvis[:3, 3]

    # the camera's direction and the screen's right, to set the arrows before the body
    direction = np.asarray(
        st["view_direction"] if view is None else contract.view_presets()[view]["direction"]
    )
    direction = direction * np.array([1.0, 1.0, 1.0 if side == "right" else -1.0])
    direction = direction / np.linalg.norm(direction)
    screen_right = np.cross([0.0, 1.0, 0.0], direction)
    placed = np.concatenate(
        [(m[:3, :3] @ hip.model.bones[b].vertices.T).T + m[:3, 3] for b, m in matrices.items()]
    )
    front = float((placed @ direction).max()) + 15.0  # 15 mm before the nearest bone

    def before(p: np.ndarray) -> np.ndarray:
        """``p`` moved along the line of sight to lie before the body (the picture is orthographic)."""
        return p + (front - p @ direction) * direction

    bw, scale = result.body_weight_n, float(st["mm_per_bw"])
    floor_y = result.floor_y
    arrows = []
    for name, force in result.forces.items():
        size = np.linalg.norm(force.vector) / bw
        if size * scale < 1.0:  # no force: no arrow (the abductor of a trunk leaning far over the hip)
            continue
        point = force.point
        if name == "abductor":  # slid along its line of action to end at the insertion, over the muscle
            u = force.vector / np.linalg.norm(force.vector)
            point = point + ((insertion - point) @ u) * u - size * scale * u
        start, vector = arrow(name, point, force.vector, bw, scale)
        start = before(start)
        anchor = {"weight": 0.5, "abductor": 0.5, "hip_contact": 0.0, "cane": 0.5}[name]
        at = start + anchor * vector
        # the label outside the body: on the stance side for the hip's forces, the swing side for the weight
        outward = (1.0 if side == "right" else -1.0) * (-1.0 if name == "weight" else 1.0)
        offset = st["label_offset_mm"] * outward * np.array([0.0, 0.0, 1.0])
        on_right = bool(offset @ screen_right > 0)
        text = texts["arrows"][name].format(bw=size)
        arrows.append(Arrow(name, start, vector, rgb(st["colours"][name]), text, at + offset, on_right))

    com = before(np.asarray(result.com_above, dtype=float))
    trunk = np.asarray(result.trunk, dtype=float)
    # the picture's extent: the bones as placed, the arrows, the trunk and the floor
    ends = [np.array([a.start, a.start + a.vector, a.label_point]) for a in arrows]
    allp = np.concatenate([placed, trunk, com[None], *ends])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    # the labels' far ends: a character is about CHAR_WIDTH of the font, whose size is a share
    # of the picture's height, which shows the body's height and the margin
    mm_per_char = CHAR_WIDTH * LABEL_FONT_PX * label_scale / 1080 * (hi[1] - lo[1]) * st["frame_margin"]
    for a in arrows:
        far = a.label_point + (1 if a.on_right else -1) * len(a.label) * mm_per_char * screen_right
        lo, hi = np.minimum(lo, far), np.maximum(hi, far)
    half = float(st["floor_half_width_mm"])
    foot = placed[np.argmin(placed[:, 1])]
    floor = np.array(
        [
            [foot[0] - half / 3, floor_y - st["floor_thickness_mm"], foot[2] - half],
            [foot[0] + half / 3, floor_y, foot[2] + half],
        ]
    )
    lo, hi = np.minimum(lo, floor[0]), np.maximum(hi, floor[1])
    margin = float(st["frame_margin"])
    position, focal, up, parallel = frontal_camera(lo, hi, direction, contract.view_angle(), aspect, margin)
    colours = contract.themes()[theme]
    base = Presentation(
        background=colours["background"],
        text=colours["text"],
        items=tuple(items),
        label_texts=(),
        label_points=np.empty((0, 3)),
        camera=(position, focal, up),
        view_angle=contract.view_angle(),
    )
    return StancePresentation(
        base=base,
        arrows=tuple(arrows),
        shaft_mm=float(st["arrow_shaft_mm"]),
        floor=floor,
        floor_colour=rgb(st["colours"]["floor"]),
        com=com,
        com_radius_mm=float(st["com_radius_mm"]),
        com_colour=rgb(st["colours"]["com"]),
        plumb=np.array([com, [com[0], floor_y, com[2]]]),
        trunk=trunk,
        legend=texts["legend"].format(mm=f"{scale:g}"),
        bounds=np.array([lo, hi]),
        margin=margin,
        parallel_scale=parallel,
    )
