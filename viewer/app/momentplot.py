"""The app's moment-arm plot: a Bokeh figure whose curves and marker the page computes (js/momentPlot.js)."""

from __future__ import annotations

from bokeh.models import ColumnDataSource, Legend, Range1d, Span, Title
from bokeh.plotting import figure

from viewer import data
from viewer.anatomy import POSE_RANGE

#: Names of the plot's Bokeh models: the page finds them in its Bokeh document by name.
NAMES = {
    "figure": "gmed-moment-plot",
    "curves": "gmed-moment-curves",
    "markers": "gmed-moment-markers",
    "now": "gmed-moment-now",
    "held": "gmed-moment-held",
}


def plot_spec(parts: list[str]) -> dict:
    """What ``js/momentPlot.js`` needs (``HipView.plot``): the models' names, the series
    (``parts`` and ``whole``), their colours per theme, the theme sizes and the texts.

    Parameters
    ----------
    parts : list of str
        The muscle's part ids (``contract.muscle_parts()``), in order.

    Returns
    -------
    dict
        Plain JSON values.
    """
    style, texts = data.annotation("style"), data.annotation("texts")["moment_plot"]
    plot = style["moment_plot"]
    themes = {}
    for name, palette in (("light", "muscle_parts"), ("classroom", "classroom_parts")):
        theme = style["themes"][name]
        themes[name] = {
            **plot[name],
            "background": theme["background"],
            "text": theme["text"],
            "colours": {**{p: style[palette][p] for p in parts}, "whole": theme["text"]},
        }
    return {
        "names": NAMES,
        "series": [*parts, "whole"],
        "themes": themes,
        "step_deg": plot["sweep_step_deg"],
        "texts": texts,
    }


def moment_plot(spec: dict) -> figure:
    """The figure (light theme, empty): a line per series over the plotted angle, a dot per
    series at the current pose and a vertical line there. The page fills the sources and
    restyles it (``js/momentPlot.js``); changes made in the page are not sent back
    (``syncable=False``): the server never needs them.

    Parameters
    ----------
    spec : dict
        :func:`plot_spec`.
    """
    t, light, names = spec["texts"], spec["themes"]["light"], spec["names"]
    series = spec["series"]
    curves = ColumnDataSource({"angle": [], **{s: [] for s in series}}, name=names["curves"], syncable=False)
    markers = ColumnDataSource(
        {"angle": [], "value": [], "colour": []}, name=names["markers"], syncable=False
    )
    lo, hi = POSE_RANGE["abduction"]
    fig = figure(
        name=names["figure"],
        width=light["width"],
        height=light["height"],
        title=t["title"],
        x_range=Range1d(lo, hi),
        y_range=Range1d(0, 1),  # set by the page from its curves
        toolbar_location=None,
        tools="",
        min_border_right=24,
        syncable=False,
    )
    fig.xaxis.axis_label = t["x_label"].format(joint=t["joints"]["abduction"])
    fig.yaxis.axis_label = t["y_label"].format(action=t["actions"]["abduction"])
    items = []
    for s in series:
        line = fig.line(
            "angle",
            s,
            source=curves,
            color=light["colours"][s],
            line_width=light["line_width"],
            line_dash="dashed" if s == "whole" else "solid",
            name=f"{names['curves']}-{s}",
            syncable=False,
        )
        items.append((t["parts"].get(s, s), [line]))
    now = Span(location=0, dimension="height", line_color=light["text"], line_alpha=0.5, name=names["now"])
    fig.add_layout(now)
    fig.scatter(
        "angle",
        "value",
        source=markers,
        color="colour",
        size=light["marker_size"],
        line_color=light["text"],
        name=f"{names['markers']}-dots",
        syncable=False,
    )
    fig.add_layout(Title(text="", name=names["held"], text_font_style="italic"), "above")
    legend = Legend(items=items, orientation="horizontal", location="center", spacing=8, padding=2, margin=2)
    fig.add_layout(legend, "below")
    return fig
