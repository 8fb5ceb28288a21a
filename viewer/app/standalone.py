"""A single self-contained HTML file of the 3D view that works offline, without a server."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import panel as pn
from bokeh.resources import INLINE

from viewer import contract
from viewer.anatomy import Pose
from viewer.app.hipview import HipView, vtk_js_path
from viewer.app.momentplot import moment_plot, plot_spec
from viewer.app.payload import shared_scene
from viewer.app.startup import build
from viewer.export import write_atomic

PANEL_DIST = Path(pn.__file__).parent / "dist"


def export_html(
    out: Path,
    side: str = "right",
    flexion: float = 0.0,
    rotation: float = 0.0,
    force: bool = False,
    abduction: float = 0.0,
    view: str | None = None,
    stance: dict | None = None,
    model=None,
    activity: dict | None = None,
):
    """Write the whole app as one page: vtk.js, the muscle models of both sides and every
    script inlined.

    The file opens from disk in any browser with no network. Every pose is computed in
    the page: both sides, all three hip angles, playback, layers, views, labels, the info
    panel and classroom mode, the Stance mode, the exercises and walking, the moment-arm plot,
    the JS API (``window.gmed``) and the URL hash. It opens at the given side, angles
    (degrees) and view, and at ``stance`` (mode and stance inputs, ``HipView.stance``) and
    ``activity`` (``HipView.activity``) when given. ``model``: a
    :class:`viewer.anatomy.HipModel` of a shape (its name in the page's title) instead of the mean.
    """
    out = Path(out)
    vtk_js = vtk_js_path()  # before the scene is built: a missing file is a clear error at once
    scene = shared_scene() if model is None else _scene_of(model)
    pose = Pose(abduction, flexion, rotation)  # a clear ValueError out of range
    s = build(scene)
    view = view or contract.views()["default"]
    spec = plot_spec(s.contract["parts"])
    hip = HipView(
        vtk_url="data:text/javascript;base64," + base64.b64encode(vtk_js.read_bytes()).decode("ascii"),
        scene_data=s.static,
        cameras=s.cameras,
        pose={"side": side, "abduction": pose.abduction, "flexion": pose.flexion, "rotation": pose.rotation},
        view=view,
        stance=dict(stance or {}),
        activity=dict(activity or {}),
        standalone=True,
        layers=list(contract.DEFAULT_LAYERS),
        texts=s.texts,
        contract=s.contract,
        camera_preset={**s.cameras[side][view], "view_angle": contract.view_angle(), "name": view},
        sizing_mode="stretch_both",
        min_height=600,
        plot=spec,
    )
    # the moment-arm plot (BokehJS is inlined anyway: Panel runs on it), filled by the page
    page = pn.Row(hip, pn.pane.Bokeh(moment_plot(spec), margin=(5, 5)), sizing_mode="stretch_both")
    title = f"{s.texts['title']}: the hip in 3D (offline page)"
    if not scene.model.shape.is_mean:
        title += f", shape: {scene.model.shape.describe()}"

    def write(tmp: Path) -> None:
        page.save(tmp, resources=INLINE, title=title)
        tmp.write_text(inline_panel_urls(tmp.read_text(encoding="utf-8")), encoding="utf-8")

    return write_atomic(out, write, force)


def _scene_of(model):
    """The :class:`viewer.app.payload.BrowserScene` of one model (a shape): the server's, when it
    holds this very model (the app's Shape section), else built for this page only."""
    from viewer.app.payload import BrowserScene, kept_scene
    from viewer.scene import HipScene

    kept = kept_scene(model.shape)
    return kept if kept is not None and kept.model is model else BrowserScene(HipScene(model))


def inline_panel_urls(html: str) -> str:
    """Replace Panel's remaining CDN stylesheet links by data URLs of the installed files.

    Even with inline resources Panel leaves a few stylesheet URLs of its own
    (loading spinner, layout and theme CSS); the same files ship in the wheel.
    """

    def local(match: re.Match) -> str:
        path = PANEL_DIST / match.group("path")
        if not path.is_file():
            raise FileNotFoundError(f"{match.group(0)} has no local copy in {PANEL_DIST}")
        mime = "text/css" if path.suffix == ".css" else "application/octet-stream"
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

    return CDN.sub(local, html)


#: Panel's own CDN addresses, e.g. https://cdn.holoviz.org/panel/1.9.4/dist/css/loading.css?v=1.9.4
CDN = re.compile(
    r"https://cdn\.holoviz\.org/panel/[0-9][^/]*/dist/(?P<path>[A-Za-z0-9_@./-]+?)(?:\?v=[0-9.]+)?(?=[\"'\\)])"
)
