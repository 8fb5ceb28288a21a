"""A page whose 3D view can be taken out and put back (``panel serve``, for test_view_remove.py)."""

import panel as pn

from viewer.app.hipview import PAGE_TEMPLATE
from viewer.app.main import GmedApp

app = GmedApp()
holder = pn.Column(app.view3d, sizing_mode="stretch_both", min_height=600)


def swap(_event) -> None:
    holder.objects = [pn.pane.Markdown("no view")] if holder.objects[0] is app.view3d else [app.view3d]


button = pn.widgets.Button(name="Take out / put back")
button.on_click(swap)
pn.state.curdoc.template = PAGE_TEMPLATE
pn.Column(button, holder, sizing_mode="stretch_both").servable()
