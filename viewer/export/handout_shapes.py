"""The handout's optional page, "Bodies differ": two shapes of the LLP26 model side by side.

Each shape gets a front view of its hip with the gluteus medius, the shaft and neck axes drawn
over it, and its measures (:mod:`viewer.shape_measures`): neck-shaft angle, femoral offset,
abductor moment arm, stance abductor force, pelvic width and femoral length, with the mean shape
as the reference column. Words such as "toward coxa valga" compare with the mean's numbers only.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace

import numpy as np

from viewer import contract, data, framing, shape_measures
from viewer.anatomy import Pose
from viewer.export.handout_layout import PAPER, text_sections
from viewer.export.render import render_image
from viewer.scene import HipScene, SceneOptions
from viewer.shape import Shape

#: What the pictures show: the bones and the gluteus medius with its fibres.
LAYERS = frozenset({"bones", "muscle", "fibres"})
#: Pixels of each picture.
PICTURE = (1000, 1500)
#: The region each picture frames about its own hip joint centre (mm): above, below, lateral, medial.
FRAME_MM = {"up": 165.0, "down": 205.0, "lateral": 110.0, "medial": 80.0}
#: Lengths of the axes drawn (mm): the shaft below the neck's meeting point and above it.
SHAFT_MM = (190.0, 25.0)
#: A difference of neck-shaft angle (deg) under which a shape counts as "about the mean's".
SAME_ANGLE_DEG = 0.5
#: Differences under which two levers (mm) or forces (BW) count as about the same.
SAME_ARM_MM, SAME_FORCE_BW = 0.05, 0.005


@dataclass(frozen=True)
class ShapeView:
    """One column of the page: a shape, its measures and its picture.

    Attributes
    ----------
    shape : Shape
    measures : viewer.shape_measures.ShapeMeasures
        With the abductor moment arm and stance force.
    image : (h, w, 3) uint8
        The front view (:data:`PICTURE`).
    overlay : dict of str to (k, 2) float
        Pixels of the lines drawn over it: ``shaft`` and ``neck`` (two points each), ``centre``
        (the hip joint centre) and ``corner`` (where the neck axis meets the shaft axis).
    """

    shape: Shape
    measures: shape_measures.ShapeMeasures
    image: np.ndarray
    overlay: dict


def hip_camera(model, side: str, size: tuple[int, int] = PICTURE) -> dict:
    """A front view (from +X, the pelvis frame's anterior) of ``side``'s hip: :data:`FRAME_MM` about
    its hip joint centre fills a ``size`` picture. Every shape is framed at the same scale."""
    s = 1.0 if side == "right" else -1.0
    f = FRAME_MM
    focal = model.hip_centre(side) + np.array(
        [0.0, (f["up"] - f["down"]) / 2.0, s * (f["lateral"] - f["medial"]) / 2.0]
    )
    angle = contract.view_angle()
    aspect = size[0] / size[1]
    half_height = max((f["up"] + f["down"]) / 2.0, (f["lateral"] + f["medial"]) / 2.0 / aspect)
    distance = half_height / np.tan(np.radians(angle) / 2.0)
    return {
        "position": (focal + np.array([distance, 0.0, 0.0])).tolist(),
        "focal_point": focal.tolist(),
        "view_up": [0.0, 1.0, 0.0],
        "view_angle": angle,
    }


def axis_lines(model, side: str) -> dict[str, np.ndarray]:
    """The points (mm) of the lines drawn over a picture: the shaft axis from below to above the
    neck's meeting point, the neck axis from the head centre to that point, the hip joint centre."""
    centre, s = shape_measures.shaft_axis(model, side)
    n = shape_measures.neck_axis(model, side)  # toward the head
    head = model.landmark(f"femoral_head_centre_{side}")
    # the neck line head - t n nearest the shaft line centre + u s
    a = np.column_stack([-n, -s])
    t, u = np.linalg.lstsq(a, centre - head, rcond=None)[0]
    corner = centre + u * s
    below, above = SHAFT_MM
    return {
        "shaft": np.array([corner - below * s, corner + above * s]),
        "neck": np.array([head, head - t * n]),
        "centre": model.hip_centre(side)[None, :],
        "corner": corner[None, :],
    }


def measures(scene: HipScene, side: str) -> shape_measures.ShapeMeasures:
    """Every measure of ``scene``'s shape, the moment arm and stance force from the muscles the
    scene built (:func:`viewer.shape_measures.measure` would build them again)."""
    m = shape_measures.measure(scene.model, side, mechanics=False)
    return replace(
        m,
        abductor_moment_arm_mm=shape_measures.abductor_moment_arm(scene.hip, side),
        abductor_force_bw=shape_measures.abductor_force(scene.hip, side),
    )


def shape_view(scene: HipScene, side: str) -> ShapeView:
    """The column of ``scene``'s shape: its measures (:func:`measures`) and its front view."""
    model = scene.model
    m = measures(scene, side)
    camera = hip_camera(model, side)
    opts = SceneOptions(pose=Pose(), side=side, view="anterior", theme="print", layers=LAYERS)
    image = render_image(scene, opts, size=PICTURE, camera=camera)
    cam = (camera["position"], camera["focal_point"], camera["view_up"])
    overlay = {
        k: framing.project(p, cam, camera["view_angle"], PICTURE)[0]
        for k, p in axis_lines(model, side).items()
    }
    return ShapeView(model.shape, m, image, overlay)


def title_of(shape: Shape, texts: dict) -> str:
    """``"Mode 5 −2 SD"``, or the reference's name for the mean."""
    if shape.is_mean:
        return texts["reference"]
    text = shape.describe()
    return text[0].upper() + text[1:]


def direction(angle: float, mean_angle: float, texts: dict) -> str:
    """Toward coxa valga (a higher neck-shaft angle than the mean's), vara (lower), or about the mean's."""
    if angle - mean_angle > SAME_ANGLE_DEG:
        return texts["direction"]["valga"]
    if mean_angle - angle > SAME_ANGLE_DEG:
        return texts["direction"]["vara"]
    return texts["direction"]["mean"]


def comparison(a: ShapeView, b: ShapeView, texts: dict) -> str:
    """The sentence comparing A's lever and stance force with B's, from their numbers."""
    ma, mb, w = a.measures, b.measures, texts["words"]
    arm_a, arm_b = ma.abductor_moment_arm_mm, mb.abductor_moment_arm_mm
    force_a, force_b = ma.abductor_force_bw, mb.abductor_force_bw
    if abs(arm_a - arm_b) < SAME_ARM_MM:
        arm_word = w["same_length"]
    else:
        arm_word = w["shorter"] if arm_a < arm_b else w["longer"]
    if abs(force_a - force_b) < SAME_FORCE_BW:
        force_word = w["same_force"]
    else:
        force_word = w["more"] if force_a > force_b else w["less"]
    return texts["compare"].format(
        a="A",
        b="B",
        arm_a=f"{arm_a:.1f}",
        arm_b=f"{arm_b:.1f}",
        arm_word=arm_word,
        arm_pct=f"{100.0 * (arm_a - arm_b) / arm_b:+.1f}",
        force_a=f"{force_a:.2f}",
        force_b=f"{force_b:.2f}",
        force_word=force_word,
        force_pct=f"{100.0 * (force_a - force_b) / force_b:+.1f}",
    )


def table_cells(views: list[ShapeView]) -> list[list[str]]:
    """The table's body: one row per measure (``texts.json`` ``handout_shapes.rows`` order), a
    column per shape in ``views``."""
    formats = (
        ("neck_shaft_angle_deg", "{:.1f}°"),
        ("femoral_offset_mm", "{:.1f} mm"),
        ("abductor_moment_arm_mm", "{:.1f} mm"),
        ("abductor_force_bw", "{:.2f} BW"),
        ("pelvic_width_mm", "{:.1f} mm"),
        ("femoral_length_mm", "{:.1f} mm"),
    )
    return [[fmt.format(getattr(v.measures, key)) for v in views] for key, fmt in formats]


def shapes_page(scene: HipScene, shapes: tuple[Shape, Shape], side: str = "right", paper: str = "a4"):
    """The page as a matplotlib figure (the caller saves and closes it).

    Parameters
    ----------
    scene : HipScene
        The handout's scene, of the mean: the reference column, and reused for a shape that is the mean.
    shapes : (Shape, Shape)
        A and B, left and right.
    """
    import matplotlib.pyplot as plt

    texts = data.annotation("texts")["handout_shapes"]
    style = data.annotation("style")
    mean = ShapeView(scene.model.shape, measures(scene, side), np.zeros((1, 1, 3), np.uint8), {})
    views = [
        shape_view(scene if s == scene.model.shape else HipScene(scene.model.with_shape(s)), side)
        for s in shapes
    ]
    a, b = views
    mean_angle = mean.measures.neck_shaft_angle_deg

    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.06, 0.965, texts["title"], fontsize=20, weight="bold", va="top")
    fig.text(
        0.06, 0.935, _wrap(texts["subtitle"].format(side=side), 120), fontsize=10, va="top", style="italic"
    )
    ink = style["themes"]["print"]["text"]
    for i, (letter, v) in enumerate(zip("AB", views, strict=True)):
        ax = fig.add_axes((0.06 + i * 0.46, 0.505, 0.42, 0.38))
        ax.imshow(v.image)
        _draw_overlay(ax, v, ink)
        ax.set_axis_off()
        title = texts["side_title"].format(letter=letter, shape=title_of(v.shape, texts))
        ax.set_title(title, fontsize=12, weight="bold")
        angle = v.measures.neck_shaft_angle_deg
        caption = texts["caption"].format(angle=f"{angle:.1f}", direction=direction(angle, mean_angle, texts))
        ax.text(0.5, -0.02, caption, transform=ax.transAxes, ha="center", va="top", fontsize=10)
    fig.text(0.06, 0.472, _wrap(texts["overlay"], 150), fontsize=7.5, va="top", style="italic")

    tab = fig.add_axes((0.06, 0.32, 0.88, 0.135))
    tab.set_axis_off()
    columns = [""] + [f"{x}: {title_of(v.shape, texts)}" for x, v in zip("AB", views, strict=True)]
    shown = [a, b]
    if not any(v.shape == mean.shape for v in views):  # the reference, unless A or B is it
        columns.append(title_of(mean.shape, texts))
        shown.append(mean)
    body = table_cells(shown)
    cells = [[row, *values] for row, values in zip(texts["rows"], body, strict=True)]
    widths = [0.31] + [0.69 / len(shown)] * len(shown)
    table = tab.table(cellText=cells, colLabels=columns, loc="center", cellLoc="center", colWidths=widths)
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1, 1.25)

    width = abs(a.measures.pelvic_width_mm - b.measures.pelvic_width_mm)
    fill = {"compare": comparison(a, b, texts), "width_mm": f"{width:.0f}", "mean_angle": f"{mean_angle:.1f}"}
    y = 0.30
    line = 8 * 1.25 / 72 / h
    y = text_sections(fig, texts["sections"], fill, y, line, gap=0.6)
    fig.text(0.06, y - 0.2 * line, _wrap(texts["definitions"], 148), fontsize=7, va="top", style="italic")
    fig.text(0.06, 0.018, _wrap(texts["sources"], 175), fontsize=5.5, va="bottom")
    return fig


def _draw_overlay(ax, v: ShapeView, colour: str) -> None:
    o = v.overlay
    for key in ("shaft", "neck"):
        ax.plot(o[key][:, 0], o[key][:, 1], color=colour, lw=1.2, ls="--", dashes=(4, 2))
    ax.plot(*o["centre"][0], "o", color=colour, ms=3.5)
    x, y = o["corner"][0]
    medial = 1.0 if o["neck"][0, 0] > x else -1.0  # the head's side of the shaft, in the picture
    ax.text(
        x + medial * 25,
        y + 45,
        f"{v.measures.neck_shaft_angle_deg:.1f}°",
        color=colour,
        fontsize=9,
        weight="bold",
        ha="left" if medial > 0 else "right",
        va="top",
    )
    ax.set_xlim(0, v.image.shape[1])
    ax.set_ylim(v.image.shape[0], 0)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))
