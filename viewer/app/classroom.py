"""The classroom bar's structure controls: pick a structure, show or hide it, set its opacity."""

from __future__ import annotations

import panel as pn


def structure_controls(app, stylesheets: list[str]) -> list:
    """A structure menu, a Shown toggle and an Opacity slider acting on the structure picked.

    Parameters
    ----------
    app : viewer.app.main.GmedApp
        The session: its layer switches (``muscle``, ``minimus``, ...), ``muscle_opacity``
        (the medius) and ``opacities`` (the others, defaults ``contract.default_opacity``).
    stylesheets : list of str
        The classroom's large-control CSS.

    Returns
    -------
    list of panel widgets
        ``[menu, shown, opacity]``; they follow the session when the page or the sidebar
        changes the structure picked.
    """
    c = app.startup.contract
    names = app.startup.texts["controls"]
    layers = list(c["opacity_layers"])
    options = {names["short_names"].get(layer, layer): layer for layer in layers}
    menu = pn.widgets.Select(
        name=names["structure"], options=options, value=layers[0], width=190, stylesheets=stylesheets
    )
    shown = pn.widgets.Toggle(name=names["shown"], width=120, stylesheets=stylesheets)
    opacity = pn.widgets.FloatSlider(
        name=names["layer_opacity"],
        start=c["min_opacity"],
        end=1.0,
        step=0.05,
        width=200,
        stylesheets=stylesheets,
    )

    def current(layer: str) -> float:
        if layer == "muscle":
            return float(app.muscle_opacity)
        return float(app.opacities.get(layer, c["default_opacity"][layer]))

    def show(*_):
        shown.value = bool(getattr(app, menu.value))
        opacity.value = current(menu.value)

    def set_shown(e):
        setattr(app, menu.value, bool(e.new))

    def set_opacity(e):
        if current(menu.value) == e.new:
            return
        if menu.value == "muscle":
            app.muscle_opacity = e.new
        else:
            app.opacities = {**app.opacities, menu.value: e.new}

    show()
    menu.param.watch(show, "value")
    shown.param.watch(set_shown, "value")
    opacity.param.watch(set_opacity, "value")
    app.param.watch(show, [*layers, "muscle_opacity", "opacities"])
    return [menu, shown, opacity]
