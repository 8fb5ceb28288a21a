"""Labels drawn over a rendered picture as the app draws them: boxes, leaders, dots, hidden ones faded."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

from viewer.label_layout import Placement

#: The app's label style (``app/hipview.css``) in CSS pixels: font, bold main font, padding
#: (across, down), border, leader width, dot radius, reach (labels.js) and the opacity of a
#: hidden label; ``classroom`` is the projector style. A picture scales them with its height.
APP_STYLE = {
    "light": {
        "font": 15,
        "main_font": 17,
        "pad": (8, 2),
        "border": 1,
        "leader": 1.6,
        "dot": 4,
        "reach": 120,
        "behind": 0.45,
    },
    "classroom": {
        "font": 30,
        "main_font": 34,
        "pad": (12, 4),
        "border": 2,
        "leader": 3,
        "dot": 4,
        "reach": 170,
        "behind": 0.6,
    },
}
#: A picture 1080 pixels high draws the light style this much larger than the app (22 px
#: labels, legible in print); the classroom style is drawn at the app's size.
PICTURE_SCALE = {"light": 22 / 15, "classroom": 1.0}
#: Border of the main label (the muscle) on a light and on a dark background (hipview.css).
MAIN_BORDER = {"light": "#8b1a1a", "dark": "#ffd34d"}


@dataclass(frozen=True)
class LabelLook:
    """Sizes (pixels) and colours (0..255 RGB) of the labels of one picture."""

    font: int
    main_font: int
    pad: tuple[float, float]
    border: float
    leader: float
    dot: float
    reach: float
    behind: float
    text: tuple[int, int, int]
    background: tuple[int, int, int]
    main_border: tuple[int, int, int]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' as (r, g, b) in 0..255."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def look(theme: str, text: str, background: str, height: int, scale: float = 1.0) -> LabelLook:
    """The labels' look in a picture ``height`` pixels high in a theme (its text and background colours)."""
    kind = "classroom" if theme == "classroom" else "light"
    s, k = APP_STYLE[kind], PICTURE_SCALE[kind] * scale * height / 1080
    bg = hex_rgb(background)
    dark = sum(bg) < 3 * 128
    return LabelLook(
        font=max(10, round(s["font"] * k)),
        main_font=max(11, round(s["main_font"] * k)),
        pad=(s["pad"][0] * k, s["pad"][1] * k),
        border=max(1.0, s["border"] * k),
        leader=max(1.0, s["leader"] * k),
        dot=max(2.0, s["dot"] * k),
        reach=s["reach"] * k,
        behind=s["behind"],
        text=hex_rgb(text),
        background=bg,
        main_border=hex_rgb(MAIN_BORDER["dark" if dark else "light"]),
    )


@cache
def font(size: int, bold: bool):
    """DejaVu Sans (the app's font; shipped with matplotlib) at ``size`` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    )
    return ImageFont.truetype(path, size)


def box_sizes(texts: list[str], main: list[bool], lk: LabelLook) -> np.ndarray:
    """Width and height ((n, 2) float, pixels) of each label's box: text, padding and border."""
    out = []
    for t, m in zip(texts, main, strict=True):
        f = font(lk.main_font if m else lk.font, m)
        x0, _, x1, _ = f.getbbox(t)
        ascent, descent = f.getmetrics()
        out.append([x1 - x0 + 2 * (lk.pad[0] + lk.border), ascent + descent + 2 * (lk.pad[1] + lk.border)])
    return np.array(out, dtype=float).reshape(-1, 2)


def _dashes(x1: float, y1: float, x2: float, y2: float, on: float, off: float) -> list[tuple]:
    length = float(np.hypot(x2 - x1, y2 - y1))
    out, t = [], 0.0
    while t < length:
        a, b = t / length, min(t + on, length) / length
        out.append((x1 + a * (x2 - x1), y1 + a * (y2 - y1), x1 + b * (x2 - x1), y1 + b * (y2 - y1)))
        t += on + off
    return out


def draw_labels(
    image: np.ndarray,
    texts: list[str],
    main: list[bool],
    hidden: np.ndarray,
    placed: Placement,
    lk: LabelLook,
) -> np.ndarray:
    """The picture ((h, w, 3 or 4) uint8) with its labels drawn over it, as the app draws them.

    Each label: a dot at its anchor, a leader to its box, the box (background 92 % opaque,
    a border, the text); a hidden one (``hidden``, (n,) bool) is drawn with ``lk.behind``
    opacity, a dashed leader and a dashed border.
    """
    from PIL import Image, ImageDraw

    base = Image.fromarray(image).convert("RGBA")
    ss = 2  # drawn at twice the size, then reduced: smooth lines and dots
    for faded in (True, False):  # the hidden ones first, under the others
        shown = [i for i in range(len(texts)) if bool(hidden[i]) == faded]
        if not shown:
            continue
        layer = Image.new("RGBA", (base.width * ss, base.height * ss), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        for i in shown:
            _draw_one(d, texts[i], bool(main[i]), faded, placed.leaders[i], placed.boxes[i], lk, ss)
        layer = layer.resize(base.size, Image.Resampling.LANCZOS)
        if faded:
            alpha = np.asarray(layer)[..., 3].astype(float) * lk.behind
            layer.putalpha(Image.fromarray(alpha.round().astype(np.uint8)))
        base = Image.alpha_composite(base, layer)
    out = np.asarray(base)
    return out if image.shape[-1] == 4 else out[..., :3].copy()


def _draw_one(d, text: str, main: bool, faded: bool, leader, box, lk: LabelLook, ss: int) -> None:
    """One label on a PIL drawing ``ss`` times the picture's size."""
    ink = (*lk.text, 255)
    x1, y1, x2, y2 = (ss * v for v in leader)
    width = max(1, round(ss * lk.leader))
    if faded:
        for seg in _dashes(x1, y1, x2, y2, 5 * width, 4 * width):
            d.line(seg, fill=ink, width=width)
    else:
        d.line((x1, y1, x2, y2), fill=ink, width=width)
    r = ss * lk.dot
    d.ellipse((x1 - r, y1 - r, x1 + r, y1 + r), fill=ink)
    left, top, bw, bh = (ss * v for v in box)
    border = (*(lk.main_border if main else lk.text), 255)
    bw_px = max(1, round(ss * lk.border))
    d.rounded_rectangle(
        (left, top, left + bw, top + bh),
        radius=4 * ss,
        fill=(*lk.background, round(0.92 * 255)),
        outline=None if faded else border,
        width=bw_px,
    )
    if faded:  # a dashed border
        corners = [(left, top), (left + bw, top), (left + bw, top + bh), (left, top + bh), (left, top)]
        for a, b in itertools.pairwise(corners):
            for seg in _dashes(*a, *b, 5 * bw_px, 4 * bw_px):
                d.line(seg, fill=border, width=bw_px)
    f = font(ss * (lk.main_font if main else lk.font), main)
    tx = left + ss * (lk.pad[0] + lk.border) - f.getbbox(text)[0]
    d.text((tx, top + ss * (lk.pad[1] + lk.border)), text, font=f, fill=ink)
