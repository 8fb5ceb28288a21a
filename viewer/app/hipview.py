"""The browser 3D view: a Panel custom component driving the vtk.js bundled with Panel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import panel
import param
from panel.custom import JSComponent

HERE = Path(__file__).parent

#: The view's ES modules (``viewer/app/js/``), in the order they are concatenated: each
#: declares top-level functions and constants (unique names across the files), marks its
#: public ones ``export`` and imports nothing; ``view.js`` (``render``) comes last.
JS_DIR = HERE / "js"
JS_MODULES = (
    "util.js",
    "muscleModel.js",
    "stanceModel.js",
    "stanceState.js",
    "activityModel.js",
    "activityState.js",
    "sides.js",
    "poseModel.js",
    "blend.js",
    "renderWindow.js",
    "sceneActors.js",
    "layerState.js",
    "lod.js",
    "framing.js",
    "labels.js",
    "arrows.js",
    "bodyActors.js",
    "stanceScene.js",
    "activityScene.js",
    "readout.js",
    "momentPlot.js",
    "stanceReadout.js",
    "frames.js",
    "playback.js",
    "input.js",
    "controls.js",
    "stanceControls.js",
    "stanceMode.js",
    "activityControls.js",
    "activityMode.js",
    "standalone.js",
    "shapeRequest.js",
    "shapePreview.js",
    "api.js",
    "renderLoop.js",
    "view.js",
)

#: vtk.js inside the panel wheel, relative to panel's ``dist`` folder. The view is written
#: against this vtk.js: Panel ships 30.1.0 since 1.4 (March 2024) and still in 1.9.4.
VTK_JS_IN_PANEL = "bundled/abstractvtkplot/vtk.js@30.1.0/vtk.js"
#: Panel releases known to ship VTK_JS_IN_PANEL (the project needs JSComponent, 1.5+).
PANEL_SUPPORTED = "panel 1.9.x with vtk.js 30.1.0 (pinned in pyproject.toml; tested with 1.9.4)"

#: vtk.js as shipped inside the panel wheel and served by the Panel server itself.
VTK_JS_URL = "static/extensions/panel/" + VTK_JS_IN_PANEL


def vtk_js_path() -> Path:
    """The vtk.js file inside the installed panel package, which the page loads.

    Raises
    ------
    RuntimeError
        If the installed panel has no such file (another Panel release, or a broken
        install): names the expected path and the Panel releases supported.
    """
    path = Path(panel.__file__).parent / "dist" / VTK_JS_IN_PANEL
    if not path.is_file():
        raise RuntimeError(
            f"vtk.js not found at {path}: the 3D view needs the vtk.js shipped inside the "
            f"panel wheel; installed is panel {panel.__version__}, supported: {PANEL_SUPPORTED}"
        )
    return path


def bundle(modules: tuple[str, ...] = JS_MODULES, folder: Path = JS_DIR) -> str:
    """The view's ES module: the files of ``folder`` concatenated in the given order.

    Panel evaluates ``HipView._esm`` from a blob URL, where imports of sibling files do not
    resolve, so the modules import nothing and are joined into one: the ``export`` keyword
    at a line start is dropped and one ``export { render };`` closes the module. Two files
    declaring the same top-level name make it a SyntaxError (``tests/test_js.py``).
    """
    parts = []
    for name in modules:
        text = (folder / name).read_text(encoding="utf-8")
        parts.append(f"// ---- {name}\n" + EXPORT.sub("", text))
    return "\n".join(parts) + "\nexport { render };\n"


#: ``export`` at the start of a line, before a declaration
EXPORT = re.compile(r"^export (?=(?:async\s+)?function\b|const\b|let\b|class\b)", re.MULTILINE)

#: Page template (extends Panel's): vtk.js starts loading as soon as the page has asked the
#: server for its document, so that its half second of compiling and evaluating overlaps the
#: wait for the document instead of following it. ``loadVtk`` (``js/renderWindow.js``) reuses the
#: same promise.
PAGE_TEMPLATE = (
    """{% block postamble %}{{ super() }}
<script>
document.addEventListener("DOMContentLoaded", () => setTimeout(() => {
  if (window.vtk || window.__gmedVtkPromise) return;
  window.__gmedVtkPromise = new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "VTK_JS_URL";
    s.onload = () => resolve(window.vtk);
    s.onerror = () => reject(new Error("could not load vtk.js from " + s.src));
    document.head.appendChild(s);
  });
}, 0));
</script>
{% endblock %}"""
).replace("VTK_JS_URL", VTK_JS_URL)


class HipView(JSComponent):
    """vtk.js view of bones and muscle: meshes and the muscle model once, then every pose is
    computed in the browser (``js/muscleModel.js``); only small state messages pass."""

    vtk_url = param.String(default=VTK_JS_URL, doc="where the page loads vtk.js from")
    scene_data = param.Dict(default={}, doc="both sides' meshes, muscle models and labels (binary buffers)")
    pose = param.Dict(
        default={"side": "right", "abduction": 0.0, "flexion": 0.0, "rotation": 0.0},
        doc="side and hip angles (deg); set by Python, and by the browser once its input rests",
    )
    stance = param.Dict(
        default={},
        doc="mode (explore|stance|exercise|walk) and the stance inputs {side, strength, lean, body_mass, "
        "cane, cane_hand}; set by Python, and by the browser once its input rests",
    )
    activity = param.Dict(
        default={},
        doc="what the exercise and walk modes show {exercise, fault, side, gait, phase}; set by Python, "
        "and by the browser once its input rests",
    )
    shape = param.Dict(
        default={},
        doc="the LLP26 shape asked for {mode1: sd, ..., mode5: sd} (gmed.setShape, the Shape section); "
        "the server builds it and sends its scene_data, whose 'shape' is the shape shown",
    )
    shape_preview = param.Dict(
        default={},
        doc="while a shape slider is dragged: {shape, bones: {id: float32 bytes of its light mesh's "
        "vertices}} (viewer.app.shape_preview); {} otherwise",
    )
    shape_status = param.Dict(
        default={},
        doc="{building: shape being built | finding: the clinical target sought, error: why the last "
        "shape or target was refused}, from the server",
    )
    cameras = param.Dict(
        default={}, doc="side -> view -> {position, focal_point, view_up, fit} (fit: framing.js)"
    )
    view = param.String(default="", doc="the preset view last chosen (keys 1-4, setView, the hash)")
    playing = param.Boolean(default=False)
    loop = param.Boolean(default=True)
    speed = param.Number(default=15.0, doc="playback speed (deg/s)")
    layers = param.List(default=[], item_type=str)
    muscle_opacity = param.Number(default=1.0, bounds=(0.05, 1.0))
    opacities = param.Dict(
        default={},
        doc="layer -> opacity of the other structures (contract.opacity_layers); style.json otherwise",
    )
    peel = param.Integer(default=0, bounds=(0, None), doc="layer peeling: steps of contract.peel hidden")
    camera_preset = param.Dict(default={}, doc="camera the view jumps to")
    camera = param.Dict(default={}, doc="camera as the user left it (reported by the browser)")
    classroom = param.Boolean(default=False)
    texts = param.Dict(default={}, doc="annotations/texts.json: read-out words, and the info panel offline")
    contract = param.Dict(default={}, doc="viewer.contract.as_json(): ranges, ids, views, keys, themes")
    plot = param.Dict(
        default={},
        doc="viewer.app.momentplot.plot_spec(): the moment-arm plot the page fills (none: no plot)",
    )
    labels_key = param.Integer(default=0, doc="counts presses of L")
    drawn = param.Boolean(default=False, doc="set by the browser after its first frame")
    standalone = param.Boolean(default=False, doc="no server: the page's own controls set everything")
    lod = param.Selector(
        default="auto",
        objects=["auto", "off", "always"],
        doc="light bones while moving: when slow, never, always",
    )

    #: Panel gathers browser changes for this long before handling them (default 50 ms). The
    #: browser sends the pose only once its input rests (``SYNC_REST_MS`` in ``js/view.js``).
    _debounce: ClassVar[int] = 5

    _esm: ClassVar[str] = bundle()
    _stylesheets: ClassVar[list[str]] = [(HERE / "hipview.css").read_text()]
