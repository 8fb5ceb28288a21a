"""Page 3 of the handout: each part's moment arm over each hip angle, the app's plot on paper."""

from __future__ import annotations

import numpy as np

from viewer import data
from viewer.anatomy import POSE_RANGE
from viewer.export.handout_layout import PAPER
from viewer.muscles import JOINTS, FanMuscle, sweep


def step_deg() -> float:
    """The curves' spacing in degrees (``style.json`` ``moment_plot.sweep_step_deg``)."""
    return float(data.annotation("style")["moment_plot"]["sweep_step_deg"])


def moment_curves(muscle: FanMuscle, joint: str, step: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Moment arms over the whole range of ``joint``, the other angles at 0.

    Returns
    -------
    angles : ndarray, shape (n,)
        Degrees, every ``step`` from the range's start, its end included.
    arms : dict of str to ndarray, shape (n,)
        Moment arm (mm, ``-dL/dθ``) per part and ``whole``.
    """
    lo, hi = POSE_RANGE[joint]
    rows = sweep({muscle.side: muscle}, joint, lo, hi, step)
    if rows[-1]["angle_deg"] < hi:  # the range's end, as the app's plot
        rows += sweep({muscle.side: muscle}, joint, hi, hi, step)
    angles = np.unique([r["angle_deg"] for r in rows])
    arms: dict[str, list[float]] = {}
    for r in rows:
        arms.setdefault(r["part"], []).append(r["moment_arm_mm"])
    return angles, {k: np.asarray(v) for k, v in arms.items()}


def moments_page(muscle: FanMuscle, paper: str = "a4"):
    """The page (a matplotlib figure): one plot per hip angle, a line per part and a dashed
    one for the whole muscle, in the parts' colours; axis labels and captions from
    ``texts.json`` ``moment_plot``."""
    import matplotlib.pyplot as plt

    texts, style = data.annotation("texts")["moment_plot"], data.annotation("style")
    colours = {**style["muscle_parts"], "whole": style["themes"]["print"]["text"]}
    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.08, 0.965, texts["handout_title"], fontsize=18, weight="bold", va="top")
    fig.text(0.08, 0.935, f"{texts['title']} ({muscle.side} side)", fontsize=11, va="top", style="italic")
    step = step_deg()
    for i, joint in enumerate(JOINTS):
        ax = fig.add_axes((0.12, 0.68 - i * 0.28, 0.8, 0.21))
        angles, arms = moment_curves(muscle, joint, step)
        for part, values in arms.items():
            ax.plot(
                angles,
                values,
                color=colours[part],
                lw=2,
                ls="--" if part == "whole" else "-",
                label=texts["parts"].get(part, part),
            )
        ax.axhline(0, color="#999999", lw=0.6)
        ax.set_xlim(*POSE_RANGE[joint])
        ax.set_xlabel(texts["x_label"].format(joint=texts["joints"][joint]), fontsize=10)
        ax.set_ylabel(texts["y_label"].format(action=texts["actions"][joint]), fontsize=9)
        ax.grid(color="#e3e3e3", lw=0.5)
        ax.tick_params(labelsize=8)
        if i == 0:
            ax.legend(fontsize=8, ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    caption = texts["handout_caption"]
    fig.text(0.08, 0.03, "\n".join(_wrap(caption, 120)), fontsize=8, va="bottom", style="italic")
    return fig


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)
