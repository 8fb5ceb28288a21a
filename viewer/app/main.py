"""The gmed app: UI state in param on a Panel Viewer, the 3D view and the info panel."""

from __future__ import annotations

import io

import panel as pn
import param

from viewer.anatomy import POSE_RANGE, Pose
from viewer.app.browser_input import (
    activity_from_browser,
    opacities_from_browser,
    pose_from_browser,
    shape_from_browser,
    stance_from_browser,
)
from viewer.app.classroom import structure_controls
from viewer.app.hipview import HipView
from viewer.app.mode_pictures import mode_png, stance_input
from viewer.app.momentplot import moment_plot, plot_spec
from viewer.app.shape_section import ShapeSection
from viewer.app.startup import Startup, startup
from viewer.options import LAYERS, SceneOptions

SCREENSHOT_SIZES = {"1280 x 720": (1280, 720), "1920 x 1080": (1920, 1080), "3840 x 2160 (4K)": (3840, 2160)}

#: What the page sets on the 3D view that is the session's state too (the exports draw it).
FROM_BROWSER = (
    "pose",
    "view",
    "playing",
    "labels_key",
    "stance",
    "layers",
    "muscle_opacity",
    "opacities",
    "peel",
    "activity",
    "shape",
)

CLASSROOM_WIDGET_CSS = """
:host, .bk-input, .bk-btn, label, .bk-slider-title, .bk-input-group { font-size: 28px !important; }
.bk-btn { padding: 8px 16px; }
"""

#: The pose controls sit over the 3D view (``js/controls.js``): the browser computes each pose.
MOTION_HELP = (
    "Side, abduction, flexion and rotation: the controls at the bottom of the 3D view, or \u2190/\u2192."
)

CSS = """
.gmed-sidebar { font-size: 15px; }
.gmed-info h3 { margin: 10px 0 2px 0; font-size: 16px; }
.gmed-info p { margin: 0 0 6px 0; line-height: 1.35; }
.gmed-classroom-page .gmed-info h3 { font-size: 30px; }
.gmed-classroom-page .gmed-info p, .gmed-classroom-page .gmed-info li { font-size: 28px; }
"""


def layer_name(layer: str) -> str:
    """A layer's checkbox text: ``lower_legs`` -> "Lower legs", ``tfl`` -> "TFL" (an abbreviation)."""
    return "TFL" if layer == "tfl" else layer.replace("_", " ").capitalize()


class GmedApp(pn.viewable.Viewer):
    """One browser session: pose, layers, view and mode, and the widgets that drive them."""

    side = param.Selector(default="right", objects=["right", "left"], doc="the side that moves")
    abduction = param.Number(default=0.0, bounds=POSE_RANGE["abduction"], step=1.0)
    flexion = param.Number(default=0.0, bounds=POSE_RANGE["flexion"], step=1.0)
    rotation = param.Number(default=0.0, bounds=POSE_RANGE["rotation"], step=1.0)
    playing = param.Boolean(default=False)
    loop = param.Boolean(default=True)
    speed = param.Number(default=15.0, bounds=(2.0, 60.0), step=1.0, doc="degrees per second")
    bones = param.Boolean(default=True)
    muscle = param.Boolean(default=True)
    fibres = param.Boolean(default=True)
    footprints = param.Boolean(default=True)
    labels = param.Boolean(default=True)
    other_side = param.Boolean(default=True)
    lower_legs = param.Boolean(default=False, doc="tibia-fibulas and patellas (off at first)")
    minimus = param.Boolean(default=True, doc="the gluteus minimus")
    maximus = param.Boolean(default=True, doc="the gluteus maximus (translucent at first)")
    tfl = param.Boolean(default=True, doc="the tensor fasciae latae and iliotibial tract")
    bursa = param.Boolean(default=True, doc="the trochanteric bursa")
    nerve = param.Boolean(default=True, doc="the superior gluteal nerve")
    muscle_opacity = param.Number(default=1.0, bounds=(0.1, 1.0), step=0.05)
    opacities = param.Dict(default={}, doc="layer -> opacity of the other structures (the browser's too)")
    peel = param.Integer(default=0, bounds=(0, None), doc="layer peeling: steps of contract.peel hidden")
    view = param.Selector(
        default="oblique", objects=["oblique", "anterior", "posterior", "lateral", "superior"]
    )
    classroom = param.Boolean(default=False)
    stance = param.Dict(
        default={},
        doc="mode (explore|stance|exercise|walk) and the stance inputs "
        "{side, strength, lean, body_mass, cane, cane_hand}",
    )
    activity = param.Dict(default={}, doc="the exercise or gait shown {exercise, fault, side, gait, phase}")
    screenshot_size = param.Selector(default="1920 x 1080", objects=list(SCREENSHOT_SIZES))

    def __init__(self, **params):
        super().__init__(**params)
        self._resets = 0  # presses of Reset: the camera preset's nonce
        self._from_view = False  # a change the browser reported: not sent back to it
        self.plot_spec = plot_spec(self.startup.contract["parts"])
        # a session starts from the cached start-up payloads (``self.startup``): meshes and the
        # muscle models of both sides, from which the browser computes every pose itself; the
        # full scene (PyVista) is needed only for exports, and is built in the background
        self.view3d = HipView(
            sizing_mode="stretch_both",
            min_height=500,
            texts=self.startup.texts,
            contract=self.startup.contract,
            scene_data=self.startup.static,
            cameras=self.startup.cameras,
            pose=self._pose_dict(),
            view=self.view,
            layers=self._layers(),
            muscle_opacity=self.muscle_opacity,
            opacities=dict(self.opacities),
            peel=self.peel,
            classroom=self.classroom,
            speed=self.speed,
            loop=self.loop,
            camera_preset=self._camera_preset(),
            stance=dict(self.stance),
            activity=dict(self.activity),
            plot=self.plot_spec,
        )
        self.view3d.param.watch(
            self._from_browser,
            list(FROM_BROWSER),
        )
        # the LLP26 shape on show (its scene: exports, the payload of a shape), and its measures
        self.shape_section = ShapeSection(self.view3d, self.startup.static, side=self.side)
        self._layout = None

    # ------------------------------------------------------------------ state -> view
    def _layers(self) -> list[str]:
        return [name for name in LAYERS if getattr(self, name)]

    def _pose_dict(self) -> dict:
        return {
            "side": self.side,
            "abduction": float(self.abduction),
            "flexion": float(self.flexion),
            "rotation": float(self.rotation),
        }

    @property
    def scene(self):
        """The full scene of the shape on show: the shared mean's (built on first use, and in the
        background by ``gmed serve``) or a shape's (``viewer.app.payload.shaped_scene``)."""
        return self.shape_section.scene

    def _camera_preset(self) -> dict:
        return {
            **self.startup.cameras[self.side][self.view],
            "view_angle": self.startup.contract["views"]["view_angle_deg"],
            "name": self.view,
        }

    def pose(self) -> Pose:
        return Pose(self.abduction, self.flexion, self.rotation)

    @property
    def startup(self) -> Startup:
        """The start-up payloads, shared by every session."""
        return startup()

    @param.depends("side", "abduction", "flexion", "rotation", watch=True)
    def _pose_changed(self):
        # the browser computes the pose: it gets only the side and the angles
        if not self._from_view:
            self.view3d.pose = self._pose_dict()

    @param.depends("side", watch=True)
    def _side_changed(self):
        self.shape_section.side = self.side  # its measures are of the side that moves

    @param.depends("stance", watch=True)
    def _stance_changed(self):
        if not self._from_view:
            self.view3d.stance = dict(self.stance)

    @param.depends("activity", watch=True)
    def _activity_changed(self):
        if not self._from_view:
            self.view3d.activity = dict(self.activity)

    @param.depends("playing", watch=True)
    def _play(self):
        self.view3d.playing = self.playing

    @param.depends("loop", "speed", watch=True)
    def _playback_settings(self):
        self.view3d.param.update(loop=self.loop, speed=self.speed)

    @param.depends(*LAYERS, watch=True)
    def _layers_changed(self):
        self.view3d.layers = self._layers()

    @param.depends("muscle_opacity", watch=True)
    def _opacity(self):
        self.view3d.muscle_opacity = self.muscle_opacity

    @param.depends("opacities", watch=True)
    def _opacities_changed(self):
        if not self._from_view:
            self.view3d.opacities = dict(self.opacities)

    @param.depends("peel", watch=True)
    def _peel_changed(self):
        if not self._from_view:
            self.view3d.peel = self.peel

    @param.depends("view", watch=True)
    def _view_changed(self):
        if not self._from_view:
            self.view3d.camera_preset = self._camera_preset()

    @param.depends("classroom", watch=True)
    def _classroom_changed(self):
        self.view3d.classroom = self.classroom
        if self._layout is not None:
            self._apply_classroom_layout()

    def reset_view(self, *_):
        # a new value each press, so the browser jumps back even to the preset it came from
        self._resets += 1
        self.view3d.camera_preset = {**self._camera_preset(), "nonce": self._resets}

    # ------------------------------------------------------------------ view -> state
    def _from_browser(self, *events):
        self._from_view = True
        try:
            for e in events:
                if e.name == "pose":
                    self.param.update(**pose_from_browser(e.new, self.param.side.objects))
                elif e.name == "view" and e.new in self.param.view.objects:
                    self.view = e.new
                elif e.name == "playing":
                    self.playing = e.new
                elif e.name == "stance":
                    new = stance_from_browser(e.new, self.startup.contract["stance"])
                    self.stance = {**self.stance, **new}
                elif e.name == "activity":
                    new = activity_from_browser(e.new, self.startup.contract["activity"])
                    self.activity = {**self.activity, **new}
                elif e.name == "labels_key":
                    self.labels = not self.labels
                elif e.name == "layers" and isinstance(e.new, list):
                    # gmed.setLayers, the hash: the browser asked for these layers
                    self.param.update(**{n: n in e.new for n in LAYERS})
                elif e.name == "muscle_opacity" and isinstance(e.new, int | float):
                    lo, hi = self.param.muscle_opacity.bounds
                    self.muscle_opacity = max(lo, min(hi, float(e.new)))
                elif e.name == "opacities" and isinstance(e.new, dict):
                    self.opacities = opacities_from_browser(e.new, self.startup.contract)
                elif e.name == "peel" and isinstance(e.new, int) and not isinstance(e.new, bool):
                    self.peel = max(0, min(len(self.startup.contract["peel"]), e.new))
                elif e.name == "shape":  # gmed.setShape (checked by the page; ignored when not valid)
                    asked = shape_from_browser(e.new)
                    if asked is not None and asked != self.shape_section.shape:
                        self.shape_section.set_shape(asked)
        finally:
            self._from_view = False

    # ------------------------------------------------------------------ exports
    def stance_input(self):
        """The ``StanceInput`` the page shows in stance mode, else None."""
        return stance_input(self.stance, self.startup.contract["stance"])

    def screenshot(self) -> io.BytesIO:
        """PNG of the current view (camera, pose, layers), rendered off-screen by PyVista; in
        stance mode the stance picture of ``gmed screenshot --stance`` for the page's stance, in
        exercise and walk mode the exercise's or the gait frame's picture."""
        from viewer.export import render_png
        from viewer.export.render import shape_text

        theme = "classroom" if self.classroom else "light"
        size = SCREENSHOT_SIZES[self.screenshot_size]
        text = shape_text(self.shape_section.shown)  # a shape is recorded in the PNG, as gmed screenshot does
        c = self.startup.contract
        png = mode_png(self.scene.scene, self.stance, self.activity, c, size, theme, self.view, text)
        if png is not None:  # the Stance, Exercise or Walk mode's picture
            return io.BytesIO(png)

        opts = SceneOptions(
            pose=self.pose(),
            side=self.side,
            view=self.view,
            theme=theme,
            layers=frozenset(self._layers()),
            muscle_opacity=self.muscle_opacity,
            peel=self.peel,
            opacities=dict(self.opacities),
        )
        png = render_png(self.scene.scene, opts, size, camera=self.view3d.camera, text=text)
        return io.BytesIO(png)

    def handout_pdf(self) -> io.BytesIO:
        """The handout for the current side (in stance mode the stance's side: its page 2), as PDF bytes."""
        import tempfile
        from pathlib import Path

        from viewer.export import handout

        with tempfile.TemporaryDirectory() as d:
            inp = self.stance_input()
            side = inp.side if inp is not None else self.side
            path = handout(self.scene.scene, Path(d) / "handout.pdf", side)
            return io.BytesIO(path.read_bytes())

    def offline_html(self) -> io.BytesIO:
        """The whole app as one offline page, opening at this session's pose and view."""
        import tempfile
        from pathlib import Path

        from viewer.app.standalone import export_html

        with tempfile.TemporaryDirectory() as d:
            path = export_html(
                Path(d) / "gmed.html",
                self.side,
                float(self.flexion),
                float(self.rotation),
                abduction=float(self.abduction),
                view=self.view,
                stance=dict(self.stance),
                activity=dict(self.activity),
                model=None if self.shape_section.shown.is_mean else self.scene.model,
            )
            return io.BytesIO(path.read_bytes())

    # ------------------------------------------------------------------ layout
    def _opacity_sliders(self) -> list:
        """A slider per structure layer (``contract.OPACITY_LAYERS`` but the medius), its
        default from ``style.json``; the browser's value (``gmed.setOpacity``, the hash) shown."""
        c = self.startup.contract
        names = self.startup.texts["controls"]["layer_names"]
        sliders = {}
        for layer in c["opacity_layers"]:
            if layer == "muscle":
                continue
            s = pn.widgets.FloatSlider(
                name=f"{names.get(layer, layer)} opacity",
                start=c["min_opacity"],
                end=1.0,
                step=0.05,
                value=float(self.view3d.opacities.get(layer, c["default_opacity"][layer])),
            )
            s.param.watch(lambda e, layer=layer: self._set_opacity(layer, e.new), "value")
            sliders[layer] = s

        def shown(e):
            for layer, v in (e.new or {}).items():
                if layer in sliders and isinstance(v, int | float):
                    sliders[layer].value = float(v)

        self.view3d.param.watch(shown, "opacities")
        return list(sliders.values())

    def _set_opacity(self, layer: str, value: float) -> None:
        if self.opacities.get(layer) != value:
            self.opacities = {**self.opacities, layer: value}

    def _info(self) -> pn.pane.HTML:
        t = self.startup.texts
        parts = [f"<h2>{t['title']}</h2><p><i>{t['subtitle']}</i></p>"]
        for s in t["sections"]:
            parts.append(f"<h3>{s['heading']}</h3><p>{s['text']}</p>")
        if t.get("structures"):
            parts.append("<h2>Its neighbours</h2>")
        for s in t.get("structures", []):
            cite = "; ".join(s["sources"])
            parts.append(f"<h3>{s['heading']}</h3><p>{s['text']}</p><p><small>Sources: {cite}</small></p>")
        st = t["stance"]
        parts.append(f"<h2>{st['title']}</h2>")
        for s in st["sections"]:
            parts.append(f"<h3>{s['heading']}</h3><p>{s['text']}</p>")
        sources = [*t["sources"], *st["sources"]]
        parts.append("<h3>Sources</h3><ul>" + "".join(f"<li>{x}</li>" for x in sources) + "</ul>")
        parts.append(f"<p><small>{t['shortcuts']}<br>{st['shortcuts']}</small></p>")
        return pn.pane.HTML("".join(parts), css_classes=["gmed-info"], sizing_mode="stretch_width")

    def __panel__(self):
        if self._layout is not None:
            return self._layout
        w = pn.widgets
        play = w.Toggle.from_param(self.param.playing, name="\u25b6 Play / pause", button_type="primary")
        buttons = [
            w.Button(
                name=v.capitalize(), on_click=lambda e, v=v: (setattr(self, "view", v), self.reset_view())
            )
            for v in ("anterior", "posterior", "lateral", "superior")
        ]
        views = pn.GridBox(
            *buttons,
            w.Button(
                name="Oblique", on_click=lambda e: (setattr(self, "view", "oblique"), self.reset_view())
            ),
            w.Button(name="Reset", on_click=self.reset_view),
            ncols=3,
        )
        download = w.FileDownload(callback=self.screenshot, filename="gmed-view.png", label="Download PNG")
        handout = w.FileDownload(
            callback=self.handout_pdf, filename="gmed-handout.pdf", label="Handout (PDF)"
        )
        offline = w.FileDownload(
            callback=self.offline_html, filename="gmed-hip.html", label="Offline page (HTML)"
        )
        controls = pn.Column(
            pn.pane.Markdown("### Motion"),
            pn.pane.Markdown(MOTION_HELP, css_classes=["gmed-help"]),
            pn.Row(play, w.Checkbox.from_param(self.param.loop, name="Loop")),
            w.FloatSlider.from_param(self.param.speed, name="Speed (\u00b0/s)"),
            pn.pane.Markdown("### Layers"),
            *[w.Checkbox.from_param(self.param[n], name=layer_name(n)) for n in LAYERS],
            w.FloatSlider.from_param(self.param.muscle_opacity, name="Muscle opacity"),
            *self._opacity_sliders(),
            pn.pane.Markdown("### View"),
            views,
            w.Checkbox.from_param(self.param.classroom, name="Classroom mode"),
            self.shape_section,
            pn.pane.Markdown("### Export"),
            w.Select.from_param(self.param.screenshot_size, name="Screenshot size"),
            download,
            handout,
            offline,
            css_classes=["gmed-sidebar"],
            width=330,
            sizing_mode="stretch_height",
            scroll=True,
        )
        info = pn.Column(self._info(), width=360, scroll=True, sizing_mode="stretch_height")
        # the page fills and styles the plot (js/momentPlot.js): its size follows classroom mode
        self._plot = pn.pane.Bokeh(moment_plot(self.plot_spec), margin=(5, 5))
        right = pn.Column(self._plot, info, sizing_mode="stretch_height")
        self._right = right
        bar = pn.FlexBox(flex_wrap="wrap", sizing_mode="stretch_width")  # filled in classroom mode
        self._controls, self._info_panel, self._bar = controls, info, bar
        self._layout = pn.Column(
            bar,
            pn.Row(controls, self.view3d, right, sizing_mode="stretch_both"),
            sizing_mode="stretch_both",
            stylesheets=[CSS],
        )
        self._apply_classroom_layout()
        return self._layout

    def _classroom_bar(self) -> list:
        w = pn.widgets
        big = [CLASSROOM_WIDGET_CSS]
        return [
            w.Toggle.from_param(
                self.param.playing, name="\u25b6 Play / pause", button_type="primary", stylesheets=big
            ),
            *[
                w.Button(
                    name=v.capitalize(),
                    stylesheets=big,
                    on_click=lambda e, v=v: (setattr(self, "view", v), self.reset_view()),
                )
                for v in ("anterior", "posterior", "lateral", "superior")
            ],
            w.Toggle.from_param(self.param.lower_legs, name="Lower legs", stylesheets=big),
            *structure_controls(self, big),
            w.Toggle.from_param(self.param.classroom, name="Exit classroom", stylesheets=big),
        ]

    def _apply_classroom_layout(self):
        # classroom: the 3D view fills the screen under one bar of large controls
        if self.classroom and not self._bar.objects:
            self._bar.objects = self._classroom_bar()
        self._controls.visible = not self.classroom
        self._info_panel.visible = not self.classroom
        bg = self.startup.contract["themes"]["classroom"]["background"]
        self._right.styles = {"background": bg} if self.classroom else {}
        self._bar.visible = self.classroom
        self._layout.css_classes = ["gmed-classroom-page"] if self.classroom else []
