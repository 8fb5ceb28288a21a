"""The app's param state drives the browser view, without a browser."""

import io
from collections import OrderedDict

import numpy as np
import panel as pn
import param
import pytest
from PIL import Image

from viewer.app import payload, startup
from viewer.app.main import GmedApp, shared_scene
from viewer.app.payload import SWEEP_STEP_DEG


@pytest.fixture(scope="module")
def app():
    return GmedApp()


def _frame(app):
    return np.frombuffer(app.view3d.frame, dtype="<f4")


def test_initial_state(app):
    layout = shared_scene().layout
    assert len(app.view3d.frame) == 4 * layout.floats
    assert len(app.view3d.frame) < 100_000  # bytes per server-driven frame
    assert set(app.view3d.layers) == {"bones", "muscle", "fibres", "footprints", "labels", "other_side"}
    assert app.view3d.scene_data["side"] == "right"
    assert app.view3d.readout["moment_arm"] > 30


def test_abduction_moves_femur_and_muscle(app):
    before = _frame(app).copy()
    app.abduction = 30
    after = _frame(app)
    matrix = after[:16].reshape(4, 4).T  # column-major in the buffer
    np.testing.assert_allclose(matrix, shared_scene().model.femur_transform("right", app.pose()), atol=1e-5)
    assert not np.allclose(before[16:], after[16:])
    assert app.view3d.angle == 30
    assert app.view3d.readout["length"] < 145
    app.abduction = 0


def test_layers_opacity_view_classroom(app):
    app.fibres = False
    assert "fibres" not in app.view3d.layers
    app.fibres = True
    app.muscle_opacity = 0.4
    assert app.view3d.muscle_opacity == 0.4
    app.view = "posterior"
    assert app.view3d.camera_preset["name"] == "posterior"
    assert app.view3d.camera_preset["position"][0] < app.view3d.camera_preset["focal_point"][0]
    app.classroom = True
    assert app.view3d.classroom
    app.param.update(classroom=False, muscle_opacity=1.0, view="oblique")


def test_side_switch_sends_other_meshes(app):
    app.side = "left"
    assert app.view3d.scene_data["side"] == "left"
    assert app.view3d.camera_preset["position"][2] < 0  # camera on the left
    app.side = "right"


def test_play_sends_a_sweep_once(app):
    app.playing = True
    layout = shared_scene().layout
    n = round(60 / SWEEP_STEP_DEG) + 1
    assert len(app.view3d.sweep) == 4 * layout.floats * n
    assert len(app.view3d.sweep_meta["angles"]) == n
    assert app.view3d.playing
    app.playing = False
    # the browser reports where it paused; the pose follows
    app.view3d.angle = 12
    assert app.abduction == 12
    app.flexion = 20
    assert app.view3d.sweep == b""  # stale sweep dropped, recomputed at the next play
    app.param.update(abduction=0, flexion=0)


def test_keys_from_browser(app):
    app.view3d.param.update(view_key="3", view_key_nonce=app.view3d.view_key_nonce + 1)
    assert app.view == "lateral"
    labels = app.labels
    app.view3d.labels_key += 1
    assert app.labels is not labels


def test_screenshot_is_rendered_offscreen(app):
    app.screenshot_size = "1280 x 720"
    png = app.screenshot().getvalue()
    img = Image.open(io.BytesIO(png))
    assert img.size == (1280, 720)
    assert np.asarray(img.convert("L")).std() > 10  # a picture, not a blank frame


def test_sessions_do_not_share_state():
    a, b = GmedApp(), GmedApp()
    a.abduction = 25
    assert b.abduction == 0 and b.view3d.angle == 0
    assert a.scene is b.scene  # the immutable meshes are shared


def test_handout_and_offline_page_downloads(app):
    assert app.handout_pdf().getvalue().startswith(b"%PDF")
    page = app.offline_html().getvalue()
    assert page.startswith(b"<!DOCTYPE html>") and b"gmed-ready" not in page[:100]
    assert b"cdn.holoviz.org/panel" not in page


def test_first_start_offers_the_sweep_once_it_is_computed(tmp_path, monkeypatch):
    """On the first start after an install the start-up payloads come without the sweeps, so
    that the first page is drawn sooner; a page that is already drawn gets them afterwards."""
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))  # no cache yet
    monkeypatch.setattr(payload, "_sweeps", OrderedDict())  # and no sweep computed
    startup.reset()
    try:
        assert not startup.startup().complete
        a = GmedApp()
        assert a.view3d.frame  # the neutral frame is in the light payloads
        a.view3d.drawn = True
        assert a.view3d.sweep == b"" and a._sweep_wait is not None
        a._sweep_arrived()  # the poll, before the sweeps exist: nothing yet
        assert a.view3d.sweep == b""
        full = startup.complete()
        assert full.complete and startup.startup() is full
        a._sweep_arrived()
        assert len(a.view3d.sweep_meta["angles"]) == 61
        assert a.view3d.sweep == full.sweeps["right"][0]
    finally:
        startup.reset()


def test_page_draws_abduction_from_its_sweep():
    """Once the page has drawn, it holds the sweep: abduction moves cost the server no frame."""
    startup.complete()  # as after the first start
    a = GmedApp()
    first = a.view3d.frame
    a.view3d.drawn = True  # the browser's first frame
    assert len(a.view3d.sweep_meta["angles"]) == 61
    a.abduction = 17
    assert a.view3d.frame is first  # no frame sent
    assert a.view3d.angle == 17  # the page takes pose 17 from its sweep
    # a flexion without a computed sweep: frames again, 37 KB each
    a.flexion = 13
    assert a.view3d.sweep == b""
    assert a.view3d.frame is not first and len(a.view3d.frame) < 100_000
    before = a.view3d.frame
    a.abduction = 20
    assert a.view3d.frame is not before
    # playing computes that sweep; later sessions at this flexion get it at once
    a.playing = True
    a.playing = False
    b = GmedApp(flexion=13)
    b.view3d.drawn = True
    assert b.view3d.sweep == a.view3d.sweep


def test_abduction_slider_goes_to_the_server_on_release():
    a = GmedApp()
    a.__panel__()
    slider = next(
        w for w in a._controls.objects if isinstance(w, pn.widgets.FloatSlider) and "Abduction" in w.name
    )
    a.view3d.drawn = True
    slider.value = 12  # dragged: drawn by the page from its sweep, not sent
    assert a.abduction == 0
    with param.edit_constant(slider):
        slider.value_throttled = 12  # released (set by the browser only)
    assert a.abduction == 12 and a.view3d.angle == 12
    a.abduction = -5  # e.g. the arrow keys
    assert slider.value == -5


def test_a_browser_leaving_mid_send_is_one_log_line(caplog):
    """Panel's send task fails with WebSocketClosedError when a student closes the tab while a
    message is on its way; the server logs one line instead of asyncio's traceback."""
    import asyncio
    import logging

    from tornado.websocket import WebSocketClosedError

    from viewer.app.server import _loop_exception

    loop = asyncio.new_event_loop()
    seen = []
    loop.default_exception_handler = lambda ctx: seen.append(ctx)
    try:
        with caplog.at_level(logging.INFO, logger="gmed"):
            _loop_exception(
                loop, {"message": "Task exception was never retrieved", "exception": WebSocketClosedError()}
            )
            _loop_exception(loop, {"message": "other", "exception": ValueError("real bug")})
    finally:
        loop.close()
    assert "a browser left while the server was sending to it" in caplog.text
    assert [type(c["exception"]) for c in seen] == [ValueError]  # real errors still reported


def test_reset_sends_a_new_preset_every_press(app):
    """Each Reset carries a fresh nonce, so the browser jumps back even when nothing else changed."""
    seen = []
    for _ in range(50):
        app.reset_view()
        seen.append(app.view3d.camera_preset["nonce"])
    assert len(set(seen)) == 50
    assert app.view3d.camera_preset["name"] == app.view
    assert app.view3d.camera_preset["view_angle"] == 30.0  # annotations/views.json view_angle_deg
