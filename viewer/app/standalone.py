"""A single self-contained HTML file of the 3D view that works offline, without a server."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import panel as pn
from bokeh.resources import INLINE

from viewer import contract
from viewer.anatomy import POSE_RANGE
from viewer.app.hipview import HipView, vtk_js_path
from viewer.app.payload import shared_scene, shared_sweep
from viewer.export import write_atomic

PANEL_DIST = Path(pn.__file__).parent / "dist"


def export_html(
    out: Path, side: str = "right", flexion: float = 0.0, rotation: float = 0.0, force: bool = False
):
    """Write the view with the whole abduction sweep, vtk.js and every script inlined.

    The file opens from disk in any browser with no network: rotate and zoom the
    model, pick the abduction angle with the slider or play the motion.
    """
    out = Path(out)
    vtk_js = vtk_js_path()  # before the scene is built: a missing file is a clear error at once
    scene = shared_scene()
    frames, meta = shared_sweep(side, float(flexion), float(rotation))
    lo, hi = POSE_RANGE["abduction"]
    start = meta["angles"].index(0.0) if 0.0 in meta["angles"] else 0
    n = len(frames) // len(meta["angles"])
    position, focal, up = scene.scene.camera(scene.scene.default_view, side)
    view = HipView(
        vtk_url="data:text/javascript;base64," + base64.b64encode(vtk_js.read_bytes()).decode("ascii"),
        scene_data=scene.static[side],
        frame=frames[start * n : (start + 1) * n],
        readout={"length": meta["length"][start], "moment_arm": meta["moment_arm"][start]},
        sweep=frames,
        sweep_meta=meta,
        angle=0.0,
        standalone=True,
        layers=list(contract.LAYERS),
        texts=scene.texts["readout"],
        contract=contract.as_json(),
        camera_preset={
            "position": position.tolist(),
            "focal_point": focal.tolist(),
            "view_up": up.tolist(),
            "view_angle": contract.view_angle(),
        },
        sizing_mode="stretch_both",
        min_height=600,
    )
    page = pn.Column(view, sizing_mode="stretch_both")
    title = f"Gluteus medius, {side} hip: abduction {lo:g} to {hi:g} degrees"

    def write(tmp: Path) -> None:
        page.save(tmp, resources=INLINE, title=title)
        tmp.write_text(inline_panel_urls(tmp.read_text(encoding="utf-8")), encoding="utf-8")

    return write_atomic(out, write, force)


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
