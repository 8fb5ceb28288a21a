"""The app's param state drives the browser view, without a browser."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from viewer.app.main import GmedApp


@pytest.fixture(scope="module")
def app():
    return GmedApp()


def test_initial_state(app):
    sd = app.view3d.scene_data
    assert set(sd["sides"]) == {"right", "left"}  # both sides once: a side switch sends no meshes
    assert [b["id"] for b in sd["bones"]] == [
        "sacrum", "hip_right", "hip_left", "femur_right", "femur_left",
        "tibia_fibula_right", "tibia_fibula_left", "patella_right", "patella_left",
    ]  # fmt: skip
    # the lower legs are sent but off: the abduction view is of the hip
    assert set(app.view3d.layers) == {"bones", "muscle", "fibres", "footprints", "labels", "other_side"} | {
        "minimus",
        "maximus",
        "tfl",
        "bursa",
        "nerve",
    }
    assert app.lower_legs is False
    assert app.view3d.pose == {"side": "right", "abduction": 0.0, "flexion": 0.0, "rotation": 0.0}
    assert set(app.view3d.cameras["left"]) == set(app.view3d.contract["views"]["ids"])


def test_pose_goes_to_the_browser_as_a_small_state_message(app):
    """The browser computes the pose: the server sends only the side and the angles."""
    scene = app.view3d.scene_data
    app.param.update(abduction=30, flexion=10, side="left")
    assert app.view3d.pose == {"side": "left", "abduction": 30.0, "flexion": 10.0, "rotation": 0.0}
    assert len(json.dumps(app.view3d.pose)) < 1024
    assert app.view3d.scene_data is scene  # nothing else sent
    app.param.update(abduction=0, flexion=0, side="right")


def test_pose_from_the_browser_is_the_session_state(app):
    sent = []
    watcher = app.view3d.param.watch(lambda e: sent.append(e.new), "pose")
    try:
        app.view3d.pose = {"side": "left", "abduction": 12.0, "flexion": 5.0, "rotation": -3.0}
        assert (app.side, app.abduction, app.flexion, app.rotation) == ("left", 12.0, 5.0, -3.0)
        assert app.pose().abduction == 12.0  # exports use it
        assert len(sent) == 1  # not echoed back to the browser
    finally:
        app.view3d.param.unwatch(watcher)
        app.param.update(abduction=0, flexion=0, rotation=0, side="right")


def test_a_wrong_pose_from_the_browser_changes_only_its_valid_fields(app):
    for bad in ({"abduction": "ten"}, {"flexion": None, "rotation": float("nan")}, {"side": "middle"}, {}):
        app.view3d.pose = bad
        assert (app.side, app.abduction, app.flexion, app.rotation) == ("right", 0.0, 0.0, 0.0), bad
    app.view3d.pose = {"side": "left", "abduction": 400, "flexion": True, "rotation": -5}
    assert (app.side, app.abduction, app.flexion, app.rotation) == ("left", 45.0, 0.0, -5.0)
    app.param.update(side="right", abduction=0, rotation=0)


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


def test_play_and_pause(app):
    app.playing = True
    assert app.view3d.playing
    app.view3d.playing = False  # the browser paused (space), then reports where
    assert not app.playing
    app.view3d.pose = {**app.view3d.pose, "abduction": 12.0}
    assert app.abduction == 12
    app.param.update(abduction=0)


def test_view_and_labels_from_browser(app):
    preset = app.view3d.camera_preset
    app.view3d.view = "lateral"  # key 3, or gmed.setView: the browser has moved its camera
    assert app.view == "lateral"
    assert app.view3d.camera_preset is preset  # not sent back
    labels = app.labels
    app.view3d.labels_key += 1
    assert app.labels is not labels
    app.param.update(view="oblique", labels=True)


def test_screenshot_is_rendered_offscreen(app):
    app.screenshot_size = "1280 x 720"
    png = app.screenshot().getvalue()
    img = Image.open(io.BytesIO(png))
    assert img.size == (1280, 720)
    assert np.asarray(img.convert("L")).std() > 10  # a picture, not a blank frame


def test_lower_legs_layer_checkbox_classroom_and_screenshot():
    """Off at first; its sidebar checkbox and classroom toggle send only the layer list; the
    screenshot draws the lower legs below the femur when it is on."""
    app = GmedApp(view="anterior", screenshot_size="1280 x 720")
    sent, layout = app.view3d.scene_data, app.__panel__()
    # the presets frame the hip; the user zoomed out to the knees (camera 1.4 m in front)
    focal = [0.0, -300.0, 0.0]
    app.view3d.camera = {"position": [1400.0, -300.0, 0.0], "focal_point": focal, "view_up": [0.0, 1.0, 0.0]}
    names = [getattr(w, "name", None) for w in app._controls.objects]
    assert "Lower legs" in names and app._controls.objects[names.index("Lower legs")].value is False
    grey = []
    for on in (False, True):
        app.lower_legs = on
        assert ("lower_legs" in app.view3d.layers) is on and app.view3d.scene_data is sent
        grey.append(np.asarray(Image.open(app.screenshot()).convert("L"), dtype=float))
    # the lower legs come in under the knees (the picture's bottom fifth) and nowhere else
    rows, changed = grey[0].shape[0], np.abs(grey[1] - grey[0]) > 30
    assert not changed[: rows // 2].any()
    assert changed[4 * rows // 5 :].mean() > 0.02
    app.classroom = True
    bar = [getattr(w, "name", None) for w in app._bar.objects]
    assert "Lower legs" in bar and layout is app.__panel__()
    app.param.update(classroom=False, lower_legs=False)
    assert "lower_legs" not in app.view3d.layers


def test_in_stance_mode_the_download_is_the_stance_picture(app, monkeypatch):
    """The PNG (and the handout's side) follow the page's mode and stance, as ``gmed screenshot --stance``."""
    from viewer.app import mode_pictures
    from viewer.export.render import png_bytes
    from viewer.mechanics.stance import StanceInput

    app.screenshot_size = "1280 x 720"
    explore = app.screenshot().getvalue()
    assert app.stance_input() is None
    sent = {"mode": "stance", "side": "left", "strength": 20.0, "lean": 5.0, "body_mass": 90.0}
    app.view3d.stance = {**sent, "cane": 10.0, "cane_hand": "same"}  # as the page reports it
    try:
        want = StanceInput("left", 20.0, 5.0, 90.0, 10.0, "same")
        assert app.stance_input() == want
        png = app.screenshot().getvalue()
        assert png != explore
        drawn = png_bytes(mode_pictures.stance_scene().render(want, (1280, 720), "light", app.view))
        a, b = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), float) for x in (png, drawn))
        assert a.shape == (720, 1280, 3) and np.abs(a - b).mean() < 0.5
        sides = []
        monkeypatch.setattr("viewer.export.handout", lambda scene, out, side: sides.append(side) or _pdf(out))
        app.handout_pdf()
        assert sides == ["left"] and app.side == "right"
    finally:
        app.view3d.stance = {"mode": "explore"}
    assert app.stance_input() is None


def test_in_exercise_and_walk_mode_the_download_is_their_picture(app):
    """The PNG follows the page's Exercise or Walk mode: the picture ``gmed screenshot --exercise``
    draws, at the page's exercise, side and phase (the gait's frame at its phase)."""
    from viewer.app.mode_pictures import activity_presentation
    from viewer.export.render import render_presentation
    from viewer.options import SceneOptions

    app.screenshot_size = "1280 x 720"
    scene = app.scene.scene
    try:
        for mode, activity in (
            ("exercise", {"exercise": "clamshell", "side": "left", "phase": 0.5, "fault": None}),
            ("walk", {"gait": "trendelenburg", "phase": 0.3, "exercise": "nope", "side": 3}),
        ):
            app.view3d.activity = activity  # as the page reports it (bad fields dropped)
            app.view3d.stance = {"mode": mode}
            png = np.asarray(Image.open(io.BytesIO(app.screenshot().getvalue())).convert("RGB"), float)
            valid = {k: v for k, v in activity.items() if k not in ("exercise", "side") or mode == "exercise"}
            assert app.activity == {**app.activity, **valid}
            pres = activity_presentation(scene, mode, app.activity, "light", 1280 / 720)
            want = render_presentation(scene, pres, SceneOptions(layers=frozenset()), (1280, 720))[..., :3]
            assert png.shape == (720, 1280, 3) and np.abs(png - want).mean() < 0.5
    finally:
        app.view3d.stance = {"mode": "explore"}
    assert app.activity["exercise"] == "clamshell" and app.activity["gait"] == "trendelenburg"


def _pdf(out):
    out.write_bytes(b"%PDF-1.4")
    return out


def test_sessions_do_not_share_state():
    a, b = GmedApp(), GmedApp()
    a.abduction = 25
    assert b.abduction == 0 and b.view3d.pose["abduction"] == 0
    assert a.scene is b.scene  # the immutable meshes are shared


def test_handout_and_offline_page_downloads(app):
    assert app.handout_pdf().getvalue().startswith(b"%PDF")
    page = app.offline_html().getvalue()
    assert page.startswith(b"<!DOCTYPE html>") and b"gmed-ready" not in page[:100]
    assert b"cdn.holoviz.org/panel" not in page


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


def test_peel_and_opacities_from_the_browser_are_the_session_state(app):
    """The peel slider, P, setPeel and setOpacity reach the session once the page rests; the
    session keeps only known layers and numbers in range, and sends nothing back."""
    sent = []
    watchers = [app.view3d.param.watch(lambda e: sent.append(e.name), n) for n in ("peel", "opacities")]
    try:
        app.view3d.peel = 2
        app.view3d.opacities = {"maximus": 0.6, "minimus": 0.05, "muscle": 0.5, "knee": 1.0, "tfl": "x"}
        assert app.peel == 2
        assert app.opacities == {"maximus": 0.6, "minimus": 0.1}  # min_opacity 0.1; the rest dropped
        app.view3d.peel = 99
        assert app.peel == 3  # len(contract.peel())
        assert sent == ["peel", "opacities", "peel"]  # only the browser's own changes
    finally:
        for w in watchers:
            app.view3d.param.unwatch(w)
        app.view3d.param.update(peel=0, opacities={})
    assert app.peel == 0 and app.opacities == {}
    app.param.update(peel=1, opacities={"tfl": 0.4})  # set in Python: the page follows
    assert app.view3d.peel == 1 and app.view3d.opacities == {"tfl": 0.4}
    app.param.update(peel=0, opacities={})


def test_download_png_honours_peel_and_opacities(app, tmp_path):
    """The PNG draws the page's peeling as ``gmed screenshot --peel`` does, and its opacities:
    the maximus made opaque fills its purple; peeled one step, it is gone, as from the CLI."""
    from viewer.cli import main as cli

    def purple(img):  # gluteus maximus, style.json #c39bd3, lit (the dark posterior fibres: g < 80)
        r, g, b = (img[..., i].astype(float) for i in range(3))
        return ((b - g > 25) & (r - g > 25) & (g > 80)).mean()

    app.param.update(screenshot_size="1280 x 720", view="oblique")
    app.opacities = {"maximus": 1.0}
    try:
        opaque = np.asarray(Image.open(app.screenshot()).convert("RGB"))
        app.peel = 1
        peeled = np.asarray(Image.open(app.screenshot()).convert("RGB"))
    finally:
        app.param.update(peel=0, opacities={})
    out = tmp_path / "peel1.png"
    args = ["screenshot", str(out), "--peel", "1", "--labels", "--size", "1280x720", "--view", "oblique"]
    assert cli(args) == 0
    drawn = np.asarray(Image.open(out).convert("RGB"))
    assert purple(opaque) > 0.01 and purple(peeled) < 0.001, (purple(opaque), purple(peeled))
    assert np.abs(peeled.astype(float) - drawn).mean() < 0.5


def test_classroom_bar_shows_hides_and_fades_each_structure():
    """Classroom mode hides the sidebar: its bar has a structure menu, a Shown toggle and an
    Opacity slider, which set the session's layers and opacities and follow the page's."""
    app = GmedApp(classroom=True)
    app.__panel__()
    bar = {getattr(w, "name", None): w for w in app._bar.objects}
    menu, shown, opacity = bar["Structure"], bar["Shown"], bar["Opacity"]
    assert list(menu.options.values()) == list(app.view3d.contract["opacity_layers"])
    assert menu.value == "muscle" and shown.value is True and opacity.value == 1.0
    menu.value = "maximus"
    assert shown.value is True and opacity.value == 0.35  # style.json gluteus_maximus
    opacity.value = 0.8
    assert app.view3d.opacities == {"maximus": 0.8}
    shown.value = False
    assert "maximus" not in app.view3d.layers and "minimus" in app.view3d.layers
    app.view3d.opacities = {"maximus": 0.5}  # gmed.setOpacity in the page
    app.view3d.layers = [x for x in app.view3d.layers if x != "minimus"] + ["maximus"]  # setLayers
    assert opacity.value == 0.5 and shown.value is True
    menu.value = "minimus"
    assert shown.value is False and opacity.value == 1.0
    menu.value = "muscle"
    opacity.value = 0.6
    assert app.view3d.muscle_opacity == 0.6 and app.view3d.opacities == {"maximus": 0.5}
