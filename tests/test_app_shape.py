"""The app's Shape section (issue #16), without a browser: a shape asked for by a slider, a
clinical target or the page is built, sent as the view's scene and measured as ``gmed shape``
measures it; refused targets and bad page input leave the shape on show."""

from __future__ import annotations

import pytest

from viewer import shape_measures
from viewer.app.browser_input import shape_from_browser
from viewer.app.main import GmedApp
from viewer.app.payload import shape_dict
from viewer.shape import Shape
from viewer.shape_targets import TOLERANCE

WAIT_S = 300


@pytest.fixture(scope="module")
def app():
    return GmedApp()


def settled(app) -> None:
    assert app.shape_section.wait(WAIT_S), "the shape was not built in time"


def test_a_shape_is_built_sent_and_measured_as_gmed_shape_does(app):
    sec, start = app.shape_section, app.view3d.scene_data
    shape = Shape.of({2: -2.0, 3: -1.0})
    sec.set_shape(shape)
    assert app.view3d.shape == shape_dict(shape)  # what the page is told is coming
    settled(app)
    sd = app.view3d.scene_data
    assert sd is not start
    assert sd["shape"] == {"mode1": 0.0, "mode2": -2.0, "mode3": -1.0, "mode4": 0.0, "mode5": 0.0}
    assert sec.shown == shape and app.scene.model.shape == shape  # exports draw the shape on show
    assert app.view3d.shape_status == {} and not sec.building and sec.message == ""
    # the measures are those of `gmed shape --shape 2=-2,3=-1` (muscles built anew there)
    want = shape_measures.measure(app.scene.model.with_shape(shape), "right").row()
    for key, value in want.items():
        assert sec.measures[key] == pytest.approx(value, abs=1e-6), key
    mean = sec.mean_measures
    assert mean["femoral_offset_mm"] - sec.measures["femoral_offset_mm"] > 3  # mode 2 down: a shorter offset
    # its muscle and stance model are the shape's: the moment arm the page will read differs
    assert sd["stance"] != start["stance"]
    assert sd["sides"]["right"]["model"] != start["sides"]["right"]["model"]


def test_the_mean_again_sends_the_start_up_scene_itself(app):
    sec = app.shape_section
    sec.set_shape(Shape.of({1: 1.0}))
    settled(app)
    sec.reset()
    settled(app)
    assert sec.shown.is_mean and app.view3d.scene_data is app.startup.static  # nothing resent
    assert sec.measures == sec.mean_measures


def test_a_clinical_target_finds_the_least_norm_shape(app):
    sec = app.shape_section
    sec.neck_shaft_angle = 130.0
    settled(app)
    assert sec.measures["neck_shaft_angle_deg"] == pytest.approx(130.0, abs=TOLERANCE + 0.01)
    assert sec.neck_shaft_angle == pytest.approx(sec.measures["neck_shaft_angle_deg"])
    assert not sec.shown.is_mean and sec.shape == sec.shown
    # the other clinical slider shows what that shape has
    assert sec.femoral_offset == pytest.approx(sec.measures["femoral_offset_mm"])


def test_a_target_beyond_the_model_is_refused_in_one_line(app):
    sec = app.shape_section
    before = sec.shown
    sec.neck_shaft_angle = 149.0
    settled(app)
    assert "beyond the model's -3..3 SD" in sec.message and "\n" not in sec.message
    assert app.view3d.shape_status == {"error": sec.message}
    assert sec.shown == before and sec.shape == before  # the sliders back at the shape on show
    assert sec.neck_shaft_angle == pytest.approx(sec.measures["neck_shaft_angle_deg"])


def test_the_page_asks_for_a_shape_and_bad_asks_change_nothing(app):
    sec = app.shape_section
    app.view3d.shape = {"mode1": 0.5}
    settled(app)
    assert sec.shown == Shape.of({1: 0.5})
    for bad in ({"mode9": 1.0}, {"mode1": "x"}, {"mode1": float("nan")}, {"mode1": True}):
        app.view3d.shape = bad
        assert sec.shape == Shape.of({1: 0.5}) and sec.wait(0)  # nothing asked
    app.view3d.shape = {"mode1": 9.0}  # clamped, as every number the page reports
    settled(app)
    assert sec.shown == Shape.of({1: 3.0})


def test_the_measures_follow_the_side(app):
    sec = app.shape_section
    sec.reset()
    settled(app)
    right = dict(sec.measures)
    app.side = "left"
    settled(app)
    try:
        assert sec.side == "left"
        want = shape_measures.measure(app.scene.model, "left").row()
        arm = want["abductor_moment_arm_mm"]
        assert sec.measures["abductor_moment_arm_mm"] == pytest.approx(arm, abs=1e-6)
        assert sec.measures["abductor_moment_arm_mm"] != right["abductor_moment_arm_mm"]
    finally:
        app.side = "right"
        settled(app)


@pytest.mark.parametrize(
    ("asked", "want"),
    [
        ({"mode2": -1.5}, Shape.of({2: -1.5})),
        ({"mode1": -7, "mode5": 2}, Shape.of({1: -3, 5: 2})),
        ({}, Shape()),
        ({"mode6": 1}, None),
        ({"mode1": None}, None),
        ("mode1=1", None),
    ],
)
def test_shape_from_browser(asked, want):
    assert shape_from_browser(asked) == want


def test_a_drag_previews_the_bones_of_the_full_build_at_once(app):
    """While a mode slider moves, the page gets the shape's light pelvis and femurs, re-seated
    exactly as the shape's build seats them, and the bones' measures; the release builds it."""
    import time

    from viewer.app.payload import shaped_scene
    from viewer.app.shape_preview import GEOMETRY, PREVIEW_BONES

    sec = app.shape_section
    sec.reset()
    settled(app)
    sec._drag("mode3", 1.5)  # what the slider's "value" reports while it is dragged
    deadline = time.monotonic() + 60
    while not (app.view3d.shape_preview and sec.preview_measures) and time.monotonic() < deadline:
        time.sleep(0.05)
    p, previewed = app.view3d.shape_preview, dict(sec.preview_measures)
    shape = Shape.of({3: 1.5})
    assert p["shape"] == shape_dict(shape) and set(p["bones"]) == set(PREVIEW_BONES)
    assert sec.shown.is_mean and sec.shape.is_mean  # nothing built or asked for yet
    sec.mode3 = 1.5  # released
    settled(app)
    assert app.view3d.shape_preview == {} and sec.preview_measures == {}
    built = {b["id"]: b for b in shaped_scene(shape).static["bones"]}
    for bone, raw in p["bones"].items():
        assert raw == built[bone]["lod"]["points"], bone  # the same float32 bytes
    # the bones' measures shown while dragging are those of the built shape
    assert set(previewed) == set(GEOMETRY)
    for key in GEOMETRY:
        assert previewed[key] == pytest.approx(sec.measures[key], abs=1e-9), key


def test_a_drag_back_to_the_shape_on_show_ends_the_preview(app):
    sec = app.shape_section
    sec._drag("mode1", -1.0)
    sec._drag("mode1", sec.mode1)  # back where it was before the release
    assert app.view3d.shape_preview == {} and sec._dragged is None


def test_download_png_of_a_shape_in_stance_mode_stands_on_the_shape(app):
    """Download PNG in Stance mode draws the shape's stance (not the mean's) and records the
    shape in the PNG, as ``gmed screenshot --stance --shape`` does."""
    import io

    import numpy as np
    from PIL import Image

    from viewer.app import mode_pictures
    from viewer.export.render import png_bytes
    from viewer.mechanics.stance import StanceInput

    sec = app.shape_section
    shape = Shape.of({2: -2.0})
    sec.set_shape(shape)
    settled(app)
    app.screenshot_size = "1280 x 720"
    app.view3d.stance = {"mode": "stance", "side": "right", "strength": 40.0}
    try:
        png = app.screenshot().getvalue()
        inp = StanceInput("right", 40.0)
        own = png_bytes(
            mode_pictures.stance_scene(app.scene.scene).render(inp, (1280, 720), "light", app.view)
        )
        mean = png_bytes(mode_pictures.stance_scene().render(inp, (1280, 720), "light", app.view))
        a, b, m = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), float) for x in (png, own, mean))
        assert np.abs(a - b).mean() < 0.5 and np.abs(a - m).mean() > 1.0
        assert Image.open(io.BytesIO(png)).text["gmed:shape"] == "2=-2"
    finally:
        app.view3d.stance = {"mode": "explore"}
        sec.reset()
        settled(app)
