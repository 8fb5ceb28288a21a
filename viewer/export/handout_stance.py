"""Page 2 of the handout, "Standing on one leg": a strong and a weak stance, their figures and the test."""

from __future__ import annotations

import re
import textwrap

from viewer import data
from viewer.export.handout_layout import PAPER, crop, text_sections
from viewer.stance_scene import StanceScene

#: Strength of the two poses side by side (% of the gluteus medius's maximum force).
STRENGTHS = (100.0, 20.0)


def _num(value: float, digits: int) -> str:
    """``value`` to ``digits`` decimals, a rounded tiny negative without its sign."""
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def figure_values(result, texts: dict) -> list[str]:
    """The page's figures of one stance, in the order of ``texts["figure_rows"]``."""
    return [
        f"{_num(result.pelvic_drop_deg, 1)}° / {_num(result.pelvic_drop_mm, 0)} mm",
        f"{result.abductor_force_bw:.2f} BW ({result.abductor_force_n:.0f} N)",
        f"{result.hip_contact_force_bw:.2f} BW ({result.hip_contact_force_n:.0f} N)",
        f"{result.abductor_moment_arm_mm:.0f} mm",
        f"{result.weight_lever_arm_mm:.0f} mm",
        f"{_num(result.knee_valgus_deg, 1)}°",
        texts["positive"] if result.trendelenburg_positive else texts["negative"],
    ]


def citation(stance: dict, key: str) -> str:
    """A short form of a source of ``annotations/stance.json``: its authors and year, or its authors
    and title when the citation gives no year."""
    text = stance["sources"][key]["citation"]
    head, _, rest = text.partition(". ")
    year = re.search(r"\b(19|20)\d\d\b", head)
    if year is None:
        head = f"{head}, {rest.split('.')[0]}"
    return head if len(head) < 80 else head[:77] + "..."


def stance_page(
    stance_scene: StanceScene, side: str = "right", paper: str = "a4", body_mass_kg: float = 70.0
):
    """The page as a matplotlib figure (the caller saves and closes it)."""
    import matplotlib.pyplot as plt

    from viewer.mechanics.stance import StanceInput

    texts = data.annotation("texts")["handout_stance"]
    stance = data.annotation("stance")
    results, images = [], []
    for strength in STRENGTHS:
        inp = StanceInput(side=side, strength_pct=strength, body_mass_kg=body_mass_kg)
        results.append(stance_scene.model.solve(inp))
        image = stance_scene.render(inp, size=(1300, 1700), theme="print", label_scale=1.4, legend=False)
        images.append(crop(image))

    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.06, 0.965, texts["title"], fontsize=22, weight="bold", va="top")
    fig.text(0.06, 0.935, texts["subtitle"].format(side=side), fontsize=10, va="top", style="italic")
    for i, (strength, img) in enumerate(zip(STRENGTHS, images, strict=True)):
        ax = fig.add_axes((0.05 + i * 0.46, 0.50, 0.44, 0.40))
        ax.imshow(img)
        ax.set_axis_off()
        ax.set_title(texts["pose_title"].format(strength=f"{strength:g}"), fontsize=11)
    legend = data.annotation("texts")["stance_picture"]["legend"]
    scale = stance_scene.hip.style["stance"]["mm_per_bw"]
    fig.text(0.06, 0.49, _wrap(legend.format(mm=f"{scale:g}"), 120), fontsize=7.5, va="top", style="italic")

    tab = fig.add_axes((0.06, 0.31, 0.88, 0.15))
    tab.set_axis_off()
    columns = [""] + [texts["pose_title"].format(strength=f"{s:g}") for s in STRENGTHS]
    cells = [
        [row, *values]
        for row, *values in zip(
            texts["figure_rows"], *(figure_values(r, texts) for r in results), strict=True
        )
    ]
    table = tab.table(cellText=cells, colLabels=columns, loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1, 1.25)

    criterion = stance["trendelenburg"]
    fill = {
        "criterion": texts["criterion"],
        "threshold_mm": float(criterion["drop_threshold_mm"]),
        "threshold_source": citation(stance, criterion["source"]),
        "original_source": citation(stance, "hardcastle_nade1985"),
    }
    y = 0.295
    line = 8 * 1.25 / 72 / h
    y = text_sections(fig, texts["sections"], fill, y, line, gap=0.8)
    note = _wrap(texts["model_note"].format(mass=body_mass_kg), 140)
    fig.text(0.06, y - 0.2 * line, note, fontsize=7, va="top", style="italic")
    keys = ("magee", "hardcastle_nade1985", "winter2009", "opensim_gait2392", "anderson1999")
    sources = texts["sources"] + "; ".join(
        stance["sources"][k]["citation"] for k in keys if k in stance["sources"]
    )
    fig.text(0.06, 0.018, _wrap(sources, 175), fontsize=5.5, va="bottom")
    return fig


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))
