"""The app's Shape section: LLP26 mode sliders, clinical sliders and the live measures of the shape."""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import panel as pn
import param

from viewer import data, shape_measures
from viewer.app import shape_preview
from viewer.app.payload import shape_dict, shaped_scene
from viewer.shape import MODES, SD_RANGE, Shape
from viewer.shape_targets import TARGETS, TargetOutOfRange, shape_for

log = logging.getLogger("gmed")

#: One shape is built at a time for the whole server (a build takes about a second and
#: 30 MB): requests queue, and a session's newer request supersedes its older one.
_BUILDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gmed-shape")
#: Drag previews (about 0.1 s each) have their own worker: they never wait behind a build.
_PREVIEWS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gmed-shape-preview")
#: The clinical sliders' ranges: wider than the model reaches, so that a target beyond
#: +-3 SD can be asked for and is refused with the mode it would need.
CLINICAL_RANGE = {"neck_shaft_angle": (105.0, 150.0), "femoral_offset": (20.0, 65.0)}
CLINICAL_STEP = 0.5
MODE_STEP = 0.1
_MEASURES_KEPT = 32
_measures: OrderedDict = OrderedDict()  # (Shape, side) -> ShapeMeasures.row()
_measures_lock = threading.Lock()

SECTION_HELP = (
    "The bones of another body: the first five modes of the LLP26 statistical shape model "
    "(mode 1 is overall size), in standard deviations (SD). Or ask for a neck-shaft angle or a "
    "femoral offset: the shape closest to the mean that has it (least Mahalanobis norm). "
    "Muscles, moment arms and the Stance mode follow the shape. A new shape takes a second or two."
)

TABLE_CSS = """
table.gmed-measures { border-collapse: collapse; font-size: 13px; }
table.gmed-measures td, table.gmed-measures th { padding: 1px 4px; text-align: right; white-space: nowrap; }
table.gmed-measures td:first-child { text-align: left; white-space: normal; }
.gmed-shape-error { color: #8b1a1a; }
"""


def measures_of(scene, side: str) -> dict[str, float | None]:
    """The :data:`viewer.shape_measures.SHOWN` measures of a shaped
    :class:`viewer.app.payload.BrowserScene` on ``side`` (its built muscles give the mechanics)."""
    key = (scene.model.shape, side)
    with _measures_lock:
        if key in _measures:
            _measures.move_to_end(key)
            return _measures[key]
    row = shape_measures.measure(scene.model, side, hip=scene.hip).row()
    with _measures_lock:
        _measures[key] = row
        while len(_measures) > _MEASURES_KEPT:
            _measures.popitem(last=False)
    return row


def _build(shape: Shape, side: str):
    """(scene, its measures, the mean's measures) of ``shape`` on ``side``, off the session."""
    scene = shaped_scene(shape)
    return scene, measures_of(scene, side), measures_of(shaped_scene(Shape()), side)


def _fit(name: str, value: float, side: str) -> Shape:
    from viewer.app.payload import shared_scene

    return shape_for(shared_scene().model, {name: value}, side).shape


class ShapeSection(pn.viewable.Viewer):
    """The shape a session shows: five mode weights (SD), set by sliders, by a clinical target
    or by the page (``gmed.setShape``), and the measures of the shape on show."""

    mode1 = param.Number(default=0.0, bounds=SD_RANGE, step=MODE_STEP, doc="mode 1 weight (SD): size")
    mode2 = param.Number(default=0.0, bounds=SD_RANGE, step=MODE_STEP)
    mode3 = param.Number(default=0.0, bounds=SD_RANGE, step=MODE_STEP)
    mode4 = param.Number(default=0.0, bounds=SD_RANGE, step=MODE_STEP)
    mode5 = param.Number(default=0.0, bounds=SD_RANGE, step=MODE_STEP)
    neck_shaft_angle = param.Number(default=None, allow_None=True, bounds=CLINICAL_RANGE["neck_shaft_angle"])
    femoral_offset = param.Number(default=None, allow_None=True, bounds=CLINICAL_RANGE["femoral_offset"])
    side = param.Selector(default="right", objects=["right", "left"], doc="the side measured")
    measures = param.Dict(default={}, doc="the SHOWN measures of the shape on show, on side")
    preview_measures = param.Dict(default={}, doc="the bones' measures of the shape a slider is dragged to")
    mean_measures = param.Dict(default={}, doc="the same of the mean, to compare")
    building = param.Boolean(default=False, doc="a shape is being built for this session")
    message = param.String(default="", doc="why the last shape or target was refused")

    def __init__(self, view3d, mean_static: dict, **params):
        super().__init__(**params)
        self.view3d = view3d
        self._mean_static = mean_static  # the start-up payload of the mean: already in the page
        self._doc = pn.state.curdoc
        self._closed = False  # the session's page has gone (no more updates for it)
        if self._doc is not None and self._doc.session_context:
            self._doc.on_session_destroyed(self._session_destroyed)
        self._quiet = False  # values set from a result: no new request
        self._shown = Shape()
        self._pending: Future | None = None
        self._dragged: Shape | None = None  # the shape a mode slider is being dragged to
        self._preview_pending: Future | None = None
        self._settled = threading.Event()
        self._settled.set()
        self._widgets = None
        self._table: pn.widgets.StaticText | None = None  # the status and measures (made with the widgets)
        # the mean's measures once the page has drawn (the CPU is the first frame's until then)
        view3d.param.watch(self._first_drawn, "drawn")

    def _first_drawn(self, event) -> None:
        if event.new and not self.measures and self._pending is None:
            self._request(announce=False)

    # ------------------------------------------------------------------ state
    @property
    def shape(self) -> Shape:
        """The shape asked for (the sliders)."""
        return Shape(tuple(float(getattr(self, f"mode{i}")) for i in range(1, MODES + 1)))

    @property
    def shown(self) -> Shape:
        """The shape on show (its scene is in the view)."""
        return self._shown

    @property
    def scene(self):
        """The :class:`viewer.app.payload.BrowserScene` on show (for the exports): a session
        keeps only its shape, and a shape no longer kept for every session is built again."""
        return shaped_scene(self._shown)

    def wait(self, timeout: float = 120.0) -> bool:
        """Block until the last request is on show or refused (tests, no server)."""
        return self._settled.wait(timeout)

    def set_shape(self, shape: Shape) -> None:
        """Ask for ``shape`` (all five weights)."""
        self._quiet_update(**_modes(shape))
        self._request()

    def reset(self, *_):
        self.message = ""
        self.set_shape(Shape())

    @param.depends("mode1", "mode2", "mode3", "mode4", "mode5", watch=True)
    def _modes_changed(self):
        if not self._quiet:
            self._request()

    @param.depends("side", watch=True)
    def _side_changed(self):
        """The measures of the other side: the view already has both sides (nothing is sent to it)."""
        if not self.measures:
            return  # not measured yet: the first measures will be of this side
        shown, side = self._shown, self.side
        self._settled.clear()
        fut = _BUILDS.submit(_build, shown, side)
        fut.add_done_callback(lambda f: self._on_session(lambda: self._measured(shown, side, f)))

    def _measured(self, shown: Shape, side: str, fut: Future) -> None:
        if fut.cancelled() or shown != self._shown or side != self.side:
            return  # a newer shape or side: its own measures follow
        try:
            _, row, mean = fut.result()
        except Exception as exc:  # the shape on show was built: this is not expected
            log.exception("shape %s could not be measured on the %s side", shown, side)
            self.message = f"shape {shown} could not be measured on the {side} side: {exc}"
        else:
            self.param.update(mean_measures=mean, measures=row)
            self._show_measured(row)
        self._settled.set()

    @param.depends("neck_shaft_angle", watch=True)
    def _nsa_changed(self):
        self._target("neck_shaft_angle", self.neck_shaft_angle)

    @param.depends("femoral_offset", watch=True)
    def _offset_changed(self):
        self._target("femoral_offset", self.femoral_offset)

    def _quiet_update(self, **values):
        self._quiet = True
        try:
            self.param.update(**values)
        finally:
            self._quiet = False

    # ------------------------------------------------------------------ work off the session
    def _request(self, announce: bool = True) -> None:
        shape, side = self.shape, self.side
        self.message = ""
        self.view3d.shape = shape_dict(shape)
        if self._pending is not None:
            self._pending.cancel()  # not started yet: superseded
        self._settled.clear()
        if announce:
            self.building = True
            self.view3d.shape_status = {"building": shape_dict(shape)}
        self._pending = fut = _BUILDS.submit(_build, shape, side)
        fut.add_done_callback(lambda f: self._on_session(lambda: self._built(shape, side, f)))

    def _target(self, name: str, value) -> None:
        if self._quiet or value is None:
            return
        side = self.side
        self._settled.clear()
        self.building = True
        label, unit = TARGETS[name][2], TARGETS[name][1]
        self.view3d.shape_status = {"finding": f"{label} {float(value):g} {unit}"}
        fut = _BUILDS.submit(_fit, name, float(value), side)
        fut.add_done_callback(lambda f: self._on_session(lambda: self._fitted(name, value, f)))

    def _on_session(self, callback) -> None:
        """Run ``callback`` on the session's event loop (the document locked), or at once
        without a server."""
        from panel.io.state import set_curdoc

        doc = self._doc
        if doc is None or not doc.session_context:
            callback()
            return
        if self._closed:
            return  # the page has gone: its models are no longer in a document

        def run():
            if not self._closed and not _gone(doc):  # the page left while this waited
                callback()

        try:
            with set_curdoc(doc):
                pn.state.execute(run, schedule=True)
        except Exception as exc:  # the session closed while its shape was built
            log.info("a shape was built for a closed session (%s)", exc)

    def _session_destroyed(self, _context) -> None:
        self._closed = True

    def _built(self, shape: Shape, side: str, fut: Future) -> None:
        if fut.cancelled() or shape != self.shape or side != self.side:
            return  # a newer request follows
        try:
            scene, row, mean = fut.result()
        except data.DataError as exc:  # a far shape the muscles cannot be laid on
            self._refuse(f"shape {shape} cannot be shown: {exc}")
            return
        except Exception as exc:  # said in the section, and logged with its trace
            log.exception("shape %s could not be built", shape)
            self._refuse(f"shape {shape} could not be built: {exc}")
            return
        self._shown = shape
        # the mean's start-up payload is what the page has: the same object sends nothing
        self.view3d.scene_data = self._mean_static if shape.is_mean else scene.static
        if self._dragged is None or self._dragged == shape:  # else a slider is still moving
            self._end_preview()
        self.param.update(mean_measures=mean, measures=row)
        self._show_measured(row)
        self._settle({})
        log.info("shape %s on show", shape)

    def _fitted(self, name: str, value: float, fut: Future) -> None:
        try:
            shape = fut.result()
        except (TargetOutOfRange, data.DataError) as exc:
            self._refuse(str(exc))
            return
        self._quiet_update(**_modes(shape))
        self._request()

    def _show_measured(self, row: dict) -> None:
        """The clinical sliders at the measures of the shape on show."""
        if row:
            self._quiet_update(
                neck_shaft_angle=_clip(row["neck_shaft_angle_deg"], CLINICAL_RANGE["neck_shaft_angle"]),
                femoral_offset=_clip(row["femoral_offset_mm"], CLINICAL_RANGE["femoral_offset"]),
            )

    def _refuse(self, why: str) -> None:
        """Back to the shape on show, saying why."""
        self._end_preview()
        self._quiet_update(**_modes(self._shown))
        self._show_measured(self.measures)
        self.view3d.shape = shape_dict(self._shown)
        self.message = why
        self._settle({"error": why})

    # ------------------------------------------------------------------ drag preview
    def _drag(self, name: str, value: float) -> None:
        """A mode slider moves (not yet released): preview its shape's bones and measures."""
        weights = {**_modes(self.shape), name: value}
        try:
            shape = Shape(tuple(weights[f"mode{i}"] for i in range(1, MODES + 1)))
        except ValueError:
            return
        if shape == self.shape:  # back where it was, or the slider set from Python
            self._end_preview()
            return
        self._dragged = shape
        if self._preview_pending is not None:
            self._preview_pending.cancel()
        self._preview_pending = _PREVIEWS.submit(self._preview, shape, self.side)

    def _preview(self, shape: Shape, side: str) -> None:
        """(The preview worker.) The bones to the page first, then their measures."""
        if shape != self._dragged:
            return  # superseded while it waited
        try:
            model, drawn = shape_preview.bones(shape)
            self._on_session(lambda: self._previewed(shape, drawn=drawn))
            row = shape_preview.measures(model, side)
            self._on_session(lambda: self._previewed(shape, row=row))
        except Exception as exc:  # a preview is a convenience: the build says what went wrong
            log.info("no preview of shape %s: %s", shape, exc)

    def _previewed(self, shape: Shape, drawn: dict | None = None, row: dict | None = None) -> None:
        if shape != self._dragged or shape == self._shown:
            return  # superseded, ended, or its full build is already on show
        if drawn is not None:
            self.view3d.shape_preview = drawn
        if row is not None:
            self.preview_measures = row

    def _end_preview(self) -> None:
        self._dragged = None
        if self.view3d.shape_preview:
            self.view3d.shape_preview = {}
        if self.preview_measures:
            self.preview_measures = {}

    def _settle(self, status: dict) -> None:
        self.building = False
        self.view3d.shape_status = status
        self._settled.set()

    # ------------------------------------------------------------------ widgets
    def _slider(self, name: str, label: str, step: float) -> pn.widgets.FloatSlider:
        """A slider that asks for a value when released (each value costs a build)."""
        p = self.param[name]
        lo, hi = p.bounds
        value = getattr(self, name)
        s = pn.widgets.FloatSlider(
            name=label, start=lo, end=hi, step=step, value=lo if value is None else value, format="0.0"
        )
        # a slider's float steps (0.1 * 12 = 1.2000000000000002) rounded to the hundredth
        s.param.watch(lambda e: setattr(self, name, round(e.new, 2)), "value_throttled")
        if name.startswith("mode"):  # while dragged: the bones at once, the muscles on release
            s.param.watch(lambda e: self._drag(name, round(e.new, 2)), "value")
            s._debounce = 5  # the drag's values handled at once (Panel waits 50 ms by default)
        self.param.watch(lambda e: e.new is not None and setattr(s, "value", e.new), name)
        return s

    @param.depends("measures", "mean_measures", "preview_measures", "building", "message", "side", watch=True)
    def _show_status(self) -> None:
        # one pane whose text changes: a pane made anew in a callback would link Panel's own
        # stylesheets from its CDN (the page is offline)
        if self._table is not None:
            self._table.value = self._status_html()

    def _status_html(self) -> str:
        parts = []
        if self.building:
            parts.append("<p><b>Building the shape\u2026</b></p>")
        if self.message:
            parts.append(f"<p class='gmed-shape-error'>{html.escape(self.message)}</p>")
        row, mean = self.measures, self.mean_measures
        if self.preview_measures:  # the bones' measures now, the muscles' when it is built
            row = {k: self.preview_measures.get(k) for k in shape_measures.SHOWN}
        if row:
            which = "preview" if self.preview_measures else "this shape"
            head = f"<tr><th></th><th>{which}</th><th>mean</th></tr>"
            lines = []
            for key, (label, unit, digits) in shape_measures.SHOWN.items():
                cells = [
                    "" if r.get(key) is None else f"{r[key]:.{digits}f} {unit}" for r in (row, mean or {})
                ]
                lines.append(f"<tr><td>{html.escape(label)}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
            parts.append(f"<table class='gmed-measures'>{head}{''.join(lines)}</table>")
            shown = self._dragged if self.preview_measures and self._dragged else self._shown
            where = f"{self.side} side, at neutral; shape: {shown.describe()}"
            parts.append(f"<p><small>{html.escape(where)}</small></p>")
        return "".join(parts)

    def __panel__(self):
        if self._widgets is None:
            modes = [self._slider(f"mode{i}", f"Mode {i} (SD)", MODE_STEP) for i in range(1, MODES + 1)]
            clinical = [
                self._slider(name, f"{TARGETS[name][2].capitalize()} ({TARGETS[name][1]})", CLINICAL_STEP)
                for name in ("neck_shaft_angle", "femoral_offset")
            ]
            reset = pn.widgets.Button(name="Reset to the mean", on_click=self.reset)
            # a widget: its updates send only the new text (an HTML pane's send its stylesheets
            # again, which Bokeh refused in a class of sessions: "owned by another document")
            self._table = pn.widgets.StaticText(
                value=self._status_html(), sizing_mode="stretch_width", stylesheets=[TABLE_CSS]
            )
            self._widgets = pn.Column(
                pn.pane.Markdown("### Shape"),
                pn.pane.Markdown(SECTION_HELP, css_classes=["gmed-help"]),
                *modes,
                *clinical,
                reset,
                self._table,
                sizing_mode="stretch_width",
            )
        return self._widgets


def _gone(doc) -> bool:
    """The session of ``doc`` has no page any more: destroyed, or its websocket closed (Bokeh
    destroys it only at its next sweep; updating its models meanwhile fails in Bokeh)."""
    ctx = doc.session_context
    if ctx is None or ctx.destroyed:
        return True
    session = getattr(ctx, "_session", None)  # bokeh.server.session.ServerSession
    return session is not None and session.connection_count == 0


def _modes(shape: Shape) -> dict[str, float]:
    return {f"mode{i}": x for i, x in enumerate(shape.sd, start=1)}


def _clip(x: float, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return min(hi, max(lo, float(x)))
