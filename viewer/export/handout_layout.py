"""The handout: page 1, three labelled lateral views, a posterior view, facts, a table and sources;
page 2, standing on one leg (``handout_stance``); page 3, the moment arms (``handout_moments``);
optionally page 4, two hip shapes compared (``handout_shapes``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from viewer import data
from viewer.anatomy import Pose
from viewer.export.files import ExportError, check_output, write_atomic
from viewer.export.render import render_image
from viewer.scene import HipScene, SceneOptions

#: Paper sizes in inches (width, height), portrait.
PAPER = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}


def handout(
    scene: HipScene,
    out: Path,
    side: str = "right",
    angles: tuple[float, float, float] = (0.0, 20.0, 40.0),
    paper: str = "a4",
    force: bool = False,
    stance: bool = True,
    moments: bool = True,
    shapes: tuple | None = None,
    exercises: bool = False,
) -> Path:
    """The handout: a PDF of three pages with a text layer, or a PNG at 300 dpi (the pages one
    under the other).

    Page 1: three lateral views at ``angles`` of abduction with labels, a small posterior
    view, the facts from ``annotations/texts.json``, the length and moment-arm table for
    the poses shown, and the source and licence line of the bones. Page 2 (``stance``):
    standing on ``side``'s leg, strong and weak (:func:`viewer.export.handout_stance.stance_page`).
    Page 3 (``moments``): each part's moment arm over each hip angle
    (:func:`viewer.export.handout_moments.moments_page`). Page 4 (``shapes``: two
    :class:`viewer.shape.Shape`): the two shapes side by side against the scene's (the mean)
    (:func:`viewer.export.handout_shapes.shapes_page`). Then, with ``exercises``, the exercise
    sheet (:func:`viewer.export.handout_exercises.exercises_page`).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import rcParams

    out = Path(out)
    if out.suffix.lower() not in (".pdf", ".png"):
        raise ExportError(f"{out}: the handout must be .pdf or .png")
    if paper not in PAPER:
        raise ExportError(f"unknown paper {paper!r}; choose from {', '.join(PAPER)}")
    check_output(out, force)
    texts = data.annotation("texts")
    captions = texts["handout"]
    layers = frozenset({"bones", "muscle", "fibres", "footprints", "labels"})
    views, rows = [], []
    for a in angles:  # each pose computed once: the picture, its labels and its table row
        opts = SceneOptions(pose=Pose(a), side=side, view="lateral", theme="print", layers=layers)
        posed = scene.posed(opts, readout=True)
        views.append(crop(render_image(scene, opts, size=(1400, 1600), label_scale=1.5, posed=posed)))
        lengths, arms = posed.lengths, posed.moment_arms
        rows.append(
            [f"{a:g}°"] + [f"{lengths[p]:.0f} / {arms[p]:.0f}" for p in (*scene.hip.part_ids, "whole")]
        )
    posterior = SceneOptions(
        pose=Pose(angles[-1]), side=side, view="posterior", theme="print", layers=layers - {"labels"}
    )
    back = crop(render_image(scene, posterior, size=(1400, 1100), posed=posed))

    from viewer.export.geometry_files import instance_name, source_line

    bones_source = source_line(scene.model.shape)
    rcParams["pdf.fonttype"] = 42  # real text in the PDF, selectable and searchable
    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.06, 0.965, texts["title"], fontsize=22, weight="bold", va="top")
    subtitle = captions["subtitle"].format(subtitle=texts["subtitle"], side=side)
    fig.text(0.06, 0.935, subtitle, fontsize=11, va="top", style="italic")
    for i, (a, img) in enumerate(zip(angles, views, strict=True)):
        ax = fig.add_axes((0.04 + i * 0.31, 0.60, 0.30, 0.29))
        ax.imshow(img)
        ax.set_axis_off()
        ax.set_title(captions["view_title"].format(angle=f"{a:g}"), fontsize=11)
    ax = fig.add_axes((0.62, 0.33, 0.34, 0.24))
    ax.imshow(back)
    ax.set_axis_off()
    ax.set_title(captions["posterior_title"].format(angle=f"{angles[-1]:g}"), fontsize=9)
    y = 0.575
    line = 8 * 1.25 / 72 / h  # one line of 8 pt text, as a fraction of the page height
    for s in texts["sections"]:
        fig.text(0.06, y, s["heading"], fontsize=9, weight="bold", va="top")
        body = _wrap(s["text"], 78)
        fig.text(0.06, y - 1.3 * line, body, fontsize=8, va="top", linespacing=1.25)
        y -= (2.1 + body.count("\n") + 0.8) * line
    tab = fig.add_axes((0.06, 0.055, 0.88, 0.11))
    tab.set_axis_off()
    table = tab.table(
        cellText=rows,
        colLabels=captions["table_columns"],
        loc="center",
        cellLoc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.4)
    fig.text(0.06, 0.17, captions["table_caption"], fontsize=8.5, va="bottom", style="italic")
    sources = _wrap(captions["sources"] + "; ".join(texts["sources"]), 150)
    fig.text(0.06, 0.018, sources, fontsize=6.5, va="bottom")
    if not scene.model.shape.is_mean:  # the app's handout of a shape: which instance the bones are
        fig.text(0.06, 0.006, bones_source, fontsize=6.5, va="bottom")

    pages = [fig]
    try:
        if stance:
            from viewer.export.handout_stance import stance_page
            from viewer.stance_scene import StanceScene

            pages.append(stance_page(StanceScene(scene), side, paper))
        if moments:
            from viewer.export.handout_moments import moments_page

            pages.append(moments_page(scene.hip.muscles[side], paper))
        if shapes:
            from viewer.export.handout_shapes import shapes_page

            pages.append(shapes_page(scene, shapes, side, paper))
        if exercises:
            from viewer.export.handout_exercises import exercises_page

            pages.append(exercises_page(scene, side, paper))
        subject = captions["pdf_subject"].format(
            side=side, angles=", ".join(f"{a:g}" for a in angles), shape=instance_name(scene.model.shape)
        )
        meta = {
            "Title": captions["pdf_title"],
            "Author": captions["pdf_author"],
            "Subject": subject
            + (captions["pdf_subject_stance"] if stance else "")
            + (captions["pdf_subject_moments"] if moments else ""),
        }
        if shapes:
            a, b = (s.describe(ascii=True) for s in shapes)
            meta["Subject"] += texts["handout_shapes"]["pdf_subject"].format(a=a, b=b)
        if exercises:
            meta["Subject"] += texts["handout_exercises"]["pdf_subject"]
        return write_atomic(out, lambda tmp: write_pages(pages, tmp, out.suffix.lower(), meta), force)
    finally:
        for page in pages:
            plt.close(page)


def write_pages(pages: list, path: Path, suffix: str, metadata: dict | None = None) -> None:
    """Save matplotlib figures as the pages of a PDF, or one under the other in a PNG (300 dpi).

    ``metadata``: the PDF's document information (``Title``, ``Author``, ``Subject``).
    """
    if suffix == ".pdf":
        from matplotlib.backends.backend_pdf import PdfPages

        with PdfPages(path, metadata=metadata) as pdf:
            for page in pages:
                pdf.savefig(page, dpi=300)
        return
    from PIL import Image

    images = []
    for page in pages:
        page.canvas.draw()
        images.append(np.asarray(page.canvas.buffer_rgba())[..., :3])
    Image.fromarray(np.concatenate(images)).save(path, format="PNG", dpi=(300, 300))


def crop(img: np.ndarray, margin: int = 12) -> np.ndarray:
    """Trim the white border around a rendered picture."""
    ink = (img[..., :3] < 245).any(axis=-1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return img
    r0, r1 = max(0, rows[0] - margin), min(img.shape[0], rows[-1] + margin)
    c0, c1 = max(0, cols[0] - margin), min(img.shape[1], cols[-1] + margin)
    return img[r0:r1, c0:c1]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def text_sections(fig, sections: list[dict], fill: dict, y: float, line: float, gap: float) -> float:
    """Draw headed paragraphs (``sections``: heading, text with ``fill``'s fields) down a page
    from ``y`` (figure fraction); ``line`` is a line's height, ``gap`` the lines between
    sections. Returns the y below the last."""
    for s in sections:
        fig.text(0.06, y, s["heading"], fontsize=9, weight="bold", va="top")
        body = _wrap(s["text"].format(**fill), 125)
        fig.text(0.06, y - 1.3 * line, body, fontsize=8, va="top", linespacing=1.25)
        y -= (2.1 + body.count("\n") + gap) * line
    return y
