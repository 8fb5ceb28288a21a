"""The handout's optional exercise sheet: each exercise's key pose, cited activity, cues and lever."""

from __future__ import annotations

import textwrap

import numpy as np

from viewer import data
from viewer.exercise_presentation import present_exercise
from viewer.export.handout_layout import PAPER, crop
from viewer.export.render import render_presentation
from viewer.mechanics.exercises import Exercise, gallery, lever
from viewer.scene import HipScene, SceneOptions

#: Pixels of each picture.
PICTURE = (900, 640)
#: Columns and rows of exercises on the page.
GRID = (2, 3)
#: Characters per line of an exercise's text (6.3 pt in a column of 0.44 page widths).
WRAP = 74


def short_source(citation: str) -> str:
    """``Distefano et al. 2009`` of a citation ``Distefano LJ, Blackburn JT, … 2009. Title…``."""
    authors, _, rest = citation.partition(" 20")
    first = authors.split(" ")[0]
    return f"{first} et al. 20{rest[:2]}" if "," in authors else f"{first} 20{rest[:2]}"


def lever_text(scene: HipScene, ex: Exercise, side: str, texts: dict) -> str:
    """The sentence of the muscle's lever at the key pose, part by part (mm)."""
    arms = lever(scene.hip.muscles[side], ex.key_pose)
    parts = [p for p in arms if p != "whole"]
    fmt = lambda key: " / ".join(f"{arms[p][key]:+.0f}" for p in parts)  # noqa: E731
    return texts["lever"].format(side=side, abduction=fmt("abduction_mm"), rotation=fmt("rotation_mm"))


def picture(scene: HipScene, ex: Exercise, side: str) -> np.ndarray:
    """The key pose in the print theme, cropped: an (h, w, 3) uint8 image."""
    pres = present_exercise(scene.hip, ex, side, theme="print", aspect=PICTURE[0] / PICTURE[1])
    opts = SceneOptions(side=side, theme="print", layers=frozenset({"bones", "muscle"}))
    return crop(render_presentation(scene, pres, opts, PICTURE))


def exercises_page(scene: HipScene, side: str = "right", paper: str = "a4"):
    """The page as a matplotlib figure (the caller saves and closes it): the gallery in its order,
    two columns of three, each exercise with its picture, activity and source, aim, cues and
    the gluteus medius' lever at the key pose; the full citations at the foot."""
    import matplotlib.pyplot as plt

    texts = data.annotation("texts")["handout_exercises"]
    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.06, 0.968, texts["title"], fontsize=20, weight="bold", va="top")
    fig.text(
        0.06, 0.94, _wrap(texts["subtitle"].format(side=side), 125), fontsize=9, va="top", style="italic"
    )
    cols, rows = GRID
    cell_w, cell_h, top = 0.44, 0.285, 0.905
    line = 7 * 1.3 / 72 / h
    cited = {}
    for i, ex in enumerate(gallery()[: cols * rows]):
        x0, y0 = 0.06 + (i % cols) * (cell_w + 0.02), top - (i // cols) * cell_h
        ax = fig.add_axes((x0, y0 - 0.135, cell_w, 0.13))
        ax.imshow(picture(scene, ex, side))
        ax.set_axis_off()
        a = ex.activity
        source = short_source(a.citation) + ("" if a.verified else f", {texts['secondary']}")
        cited[a.source] = a.citation
        y = y0 - 0.142
        fig.text(x0, y, f"{i + 1}. {ex.name}", fontsize=9.5, weight="bold", va="top")
        y -= 1.45 * line
        activity = _wrap(texts["activity"].format(activity=a.text(), source=source), 66)
        fig.text(x0, y, activity, fontsize=7, va="top", linespacing=1.2)
        y -= (1.2 + activity.count("\n") * 1.2) * line
        body = [
            _wrap(ex.aim, 88),
            *(_wrap("• " + c, 88) for c in ex.cues),
            _wrap(lever_text(scene, ex, side, texts), 88),
        ]
        block = "\n".join(body)
        fig.text(x0, y, block, fontsize=6.3, va="top", linespacing=1.2)
    foot = _wrap(texts["note"], 165) + "\n" + _wrap("Sources: " + " ".join(cited.values()), 165)
    fig.text(0.06, 0.018, foot, fontsize=5.8, va="bottom", linespacing=1.25)
    return fig


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))
