"""End to end: a real server, headless Chromium, the page as a user sees it.

Every pose is computed in the page: the controls, the keys and play send nothing while they
move the hip, and the server hears of the pose in one small message once input rests.
"""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import urlparse

import numpy as np
import pytest
from conftest import (
    KNEES_CAMERA,
    READOUT_MM,
    VIEW_MODEL,
    Page,
    changed_rows,
    image,
    python_readout,
    readout_error,
    red_fraction,
)

from viewer.app.hipview import VTK_JS_URL

pytestmark = pytest.mark.e2e

NEUTRAL = {"side": "right", "abduction": 0, "flexion": 0, "rotation": 0}
REST_MS = 1000  # the page sends the pose 250 ms after input rests; this leaves it time to


def changes(frames: list, attr: str) -> list:
    """The values the page sent for the 3D view's ``attr`` (Bokeh PATCH-DOC events)."""
    out = []
    for f in frames:
        if not isinstance(f, str) or '"events"' not in f:
            continue
        for ev in json.loads(f).get("events", []):
            if ev.get("kind") == "ModelChanged" and ev.get("attr") == attr:
                new = ev["new"]
                out.append(dict(new["entries"]) if isinstance(new, dict) and "entries" in new else new)
    return out


def sent_last(p: Page, attr: str, timeout_ms: int = 5000):
    """The last value the page sent for ``attr``, waiting (up to ``timeout_ms``) until one came:
    Playwright reports websocket frames asynchronously, and a slow runner may take longer than
    :data:`REST_MS` to deliver what the page sent."""
    waited = 0
    while True:
        flush(p)
        got = changes(p.sent, attr)
        if got or waited >= timeout_ms:
            return got[-1] if got else None
        p.page.wait_for_timeout(100)
        waited += 100


def sizes(frames: list) -> list[int]:
    return [len(f.encode() if isinstance(f, str) else f) for f in frames]


def flush(p: Page) -> None:
    """Let Playwright deliver the events the page has produced so far."""
    p.page.evaluate("0")


def test_page_loads_offline_and_renders(app_page):
    p = app_page()
    hosts = {urlparse(u).hostname for u in p.requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, hosts  # nothing loaded from anywhere else
    # vtk.js is asked for once, by the page template, before the view needs it
    assert f's.src = "{VTK_JS_URL}"' in p.page.content()
    assert sum("vtk.js" in u for u in p.requests) == 1
    # a first frame of light meshes, then full detail at rest
    stats = p.page.wait_for_function("gmedStats.fullDetailAt > 0 && gmedStats", timeout=30_000).json_value()
    assert 0 < stats["firstRenderAt"] < stats["fullDetailAt"] and stats["lod"] is False
    img = image(p.canvas_png())
    assert img.std() > 25  # a rendered hip, not a blank canvas
    # bone colour and muscle colour are both on screen
    bone = np.abs(img - [227, 213, 184]).sum(axis=-1) < 90
    assert red_fraction(img) > 0.02 and bone.mean() > 0.05
    assert p.page.evaluate("window.gmed.getPose()") == NEUTRAL
    # the pose controls over the view, not in the sidebar
    joints = p.page.locator(".gmed-controls input[type=range][data-joint]")
    assert joints.evaluate_all("els => els.map(e => e.dataset.joint)") == ["abduction", "flexion", "rotation"]
    assert p.page.get_by_role("slider", name="Flexion").count() == 1  # only the one over the view
    assert p.errors() == []


def test_controls_change_picture_and_readout(app_page):
    p = app_page()
    before, neutral = p.canvas(), p.readout()
    flush(p)
    n = len(p.sent)
    p.page.locator("input[data-joint=flexion]").fill("30")
    p.page.locator("input[data-joint=rotation]").fill("20")
    got = p.readout()
    assert (got["flexion"], got["rotation"]) == (30, 20)
    assert abs(got["length_mm"] - neutral["length_mm"]) > 1.0
    text = p.page.locator(".gmed-readout:visible").inner_text()
    assert "Flexion\n30°" in text and "Internal rotation\n20°" in text
    assert np.abs(p.canvas() - before).mean() > 1.0  # the femur and muscle moved on screen
    p.page.wait_for_timeout(REST_MS)
    assert changes(p.sent[n:], "pose")[-1] == {**NEUTRAL, "flexion": 30, "rotation": 20}
    assert max(sizes(p.sent[n:])) <= 1024
    assert p.errors() == []


def test_arrow_keys_step_in_the_browser_and_send_the_pose_once_at_rest(app_page):
    p = app_page()
    before = image(p.canvas_png())
    shown = p.stats()["framesShown"]
    flush(p)
    sent, received = len(p.sent), len(p.received)
    for _ in range(10):
        p.page.keyboard.press("ArrowRight")
    flush(p)
    assert p.sent[sent:] == []  # not one websocket frame during the ten steps
    stats = p.stats()
    assert stats["framesShown"] == shown + 10
    assert stats["keyToFrameMs"] < 100
    assert p.readout()["abduction"] == 10
    assert p.page.locator(".gmed-readout:visible").inner_text().startswith("Abduction\n10°")
    # once the keys rest: one pose message (Bokeh: header, metadata, content), each frame small
    p.page.wait_for_timeout(REST_MS)
    after = p.sent[sent:]
    assert changes(after, "pose") == [{**NEUTRAL, "abduction": 10}]
    assert 1 <= len(after) <= 6 and max(sizes(after)) <= 1024, sizes(after)
    # and the server sends no geometry back: acknowledgements only
    assert sum(p.received[received:]) < 2048, p.received[received:]
    assert np.abs(p.canvas() - before).mean() > 1.0
    assert p.errors() == []


def test_play_animates_in_the_browser(app_page):
    p = app_page()
    flush(p)
    sent, received = len(p.sent), len(p.received)
    p.page.locator(".gmed-play:visible").click()
    p.page.wait_for_timeout(1500)
    s0, a0 = p.stats()["playFrames"], p.readout()["abduction"]
    p.page.wait_for_timeout(1500)
    s1, r1 = p.stats()["playFrames"], p.readout()
    assert s1 > s0 + 10  # frames computed here, not fetched one by one
    assert r1["abduction"] != a0 and r1["length_mm"] > 0
    assert p.page.locator(".gmed-play.gmed-on").count() == 1
    while_playing = p.sent[sent:]
    assert changes(while_playing, "playing") == [True] and changes(while_playing, "pose") == []
    assert sum(p.received[received:]) < 8192, p.received[received:]  # no sweep, no frames
    p.page.keyboard.press(" ")  # pause
    p.page.wait_for_timeout(REST_MS)
    stopped = p.readout()["abduction"]
    p.page.wait_for_timeout(500)
    assert p.readout()["abduction"] == stopped
    assert changes(p.sent[sent:], "pose")[-1]["abduction"] == stopped  # the server hears where
    assert p.errors() == []


def test_side_switch_with_the_controls(app_page):
    p = app_page()
    right = p.canvas()
    flush(p)
    sent, received = len(p.sent), len(p.received)
    p.page.locator(".gmed-sides:visible button", has_text="Left hip").click()
    assert p.page.evaluate("window.gmed.getPose()") == {**NEUTRAL, "side": "left"}
    assert p.page.locator(".gmed-sides:visible button.gmed-on").inner_text() == "Left hip"
    left = p.canvas()
    assert np.abs(left - right).mean() > 3.0  # the other hip, seen from its own side
    assert red_fraction(left) > 0.02
    p.page.wait_for_timeout(REST_MS)
    assert changes(p.sent[sent:], "pose") == [{**NEUTRAL, "side": "left"}]
    # both sides were in the page already: no meshes, only small changes and the Shape
    # section's measures of the other side (about 2 KB of text)
    assert sum(p.received[received:]) < 4096
    assert p.errors() == []


def _label_boxes(p):
    boxes = []
    for el in p.page.locator(".gmed-label").all():
        b = el.bounding_box()
        if b and el.is_visible():
            boxes.append((el.inner_text(), b))
    return boxes


@pytest.mark.parametrize("key", ["1", "3"])
def test_labels_readable_from_two_views(app_page, key, tmp_path):
    p = app_page()
    renders = p.stats()["renders"]
    p.page.keyboard.press(key)  # the camera moves in the page: no round trip to the server
    p.wait_idle()
    assert p.stats()["renders"] > renders
    assert p.page.evaluate("window.gmed.getView()") == {"1": "anterior", "3": "lateral"}[key]
    boxes = _label_boxes(p)
    texts = {t for t, _ in boxes}
    assert {"Gluteus medius", "Greater trochanter", "Iliac crest", "Femoral head", "Acetabulum"} <= texts
    view = p.page.locator(".gmed-canvas").bounding_box()
    for text, b in boxes:
        assert b["x"] >= view["x"] - 1 and b["x"] + b["width"] <= view["x"] + view["width"] + 1, text
        assert b["height"] >= 18, text  # readable size
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
        overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
        assert overlap_x <= 1 or overlap_y <= 1, (ta, tb)
    p.page.screenshot(path=str(tmp_path / f"labels_view_{key}.png"))


def test_classroom_mode_projector_sizes(app_page):
    p = app_page("?classroom=1", width=1920, height=1080)
    font = "el => parseFloat(getComputedStyle(el).fontSize)"
    size = min(el.evaluate(font) for el in p.page.locator(".gmed-label").all())
    readout = p.page.locator(".gmed-readout:visible").evaluate(font)
    controls = p.page.locator(".gmed-controls").evaluate(font)
    assert size >= 28 and readout >= 28 and controls >= 24
    img = image(p.canvas_png())
    assert (img.sum(axis=-1) < 30).mean() > 0.3  # black background for the projector
    assert p.errors() == []


def test_lower_legs_checkbox_draws_them_below_the_femurs(app_page):
    """The sidebar's Lower legs checkbox: off at first; on, the tibias and patellas appear
    under the knees (the camera zoomed out), and nothing changes above them. Only the view
    above the pose controls is compared: they lie over the bottom of the view (since the peel
    row and the moment-arm plot, over the shins at this camera)."""
    p = app_page(width=1400, height=900)
    box = p.page.locator(".gmed-sidebar .bk-Checkbox").filter(has_text="Lower legs").locator("input")
    assert box.count() == 1 and not box.is_checked()
    assert "lower_legs" not in p.page.evaluate(VIEW_MODEL + ".layers")
    top = int(
        p.page.locator(".gmed-controls").bounding_box()["y"]
        - p.page.locator(".gmed-canvas").bounding_box()["y"]
    )
    assert top > 400, top  # the controls cover less than the bottom half

    def seen():
        return p.canvas()[:top]

    p.set_camera(*KNEES_CAMERA)
    off = seen()
    box.check()
    p.page.wait_for_function(VIEW_MODEL + ".layers.includes('lower_legs')", timeout=10_000)
    on = seen()
    bands = changed_rows(off, on)
    assert max(bands[:7]) < 0.002, bands  # the hip and the thighs as they were
    assert min(bands[8:]) > 0.02, bands  # the knees and the lower legs under them
    # a pose moves them with the femur: abducted, the right lower leg leaves its place
    p.set_pose(abduction=30)
    assert max(changed_rows(on, seen())[8:]) > 0.02
    box.uncheck()
    p.set_pose(abduction=0)
    assert max(changed_rows(off, seen())) < 0.002
    assert p.errors() == []


def test_sessions_are_isolated(browser, server):
    """Two students: one moves the thigh, the other's model stays where it was."""
    a = Page(browser, server)
    b = Page(browser, server)
    try:
        shown_b = b.stats()["framesShown"]
        for _ in range(10):
            a.page.keyboard.press("ArrowRight")
        a.page.locator(".gmed-sides:visible button", has_text="Left hip").click()
        a.page.wait_for_timeout(REST_MS)
        assert a.page.evaluate("window.gmed.getPose()") == {**NEUTRAL, "side": "left", "abduction": 10}
        assert changes(a.sent, "pose")[-1] == {**NEUTRAL, "side": "left", "abduction": 10}
        assert b.page.evaluate("window.gmed.getPose()") == NEUTRAL
        assert b.page.locator(".gmed-readout:visible").inner_text().startswith("Abduction\n0°")
        assert b.stats()["framesShown"] == shown_b  # no pose reached the other session
        assert changes(b.sent, "pose") == []
    finally:
        a.close()
        b.close()


def test_deep_link_and_its_bad_parameters(app_page):
    """A link sets side, pose and view; what it gets wrong is named on the page, not fatal."""
    p = app_page("?side=left&abduction=20&view=lateral&flexion=99&zoom=2")
    alert = p.page.get_by_text("Link: ", exact=False)
    assert alert.is_visible()
    text = alert.inner_text()
    assert "flexion='99' is outside 0 to 90 degrees" in text and "unknown link parameter zoom" in text
    assert p.page.evaluate("window.gmed.getPose()") == {**NEUTRAL, "side": "left", "abduction": 20}
    assert p.page.evaluate("window.gmed.getView()") == "lateral"
    assert p.page.locator(".gmed-readout:visible").inner_text().startswith("Abduction\n20°")
    assert p.errors() == []


def test_hash_on_the_served_page(app_page, hip):
    """The offline page's hash works here too, and the server hears the pose it sets."""
    pose = {"side": "left", "abduction": 20, "flexion": 10, "rotation": 0}
    p = app_page("#side=left&abduction=20&flexion=10&rotation=0&view=lateral")
    assert p.page.evaluate("window.gmed.getPose()") == pose
    assert p.page.evaluate("window.gmed.getView()") == "lateral"
    assert readout_error(p.readout(), python_readout(hip, pose)) <= READOUT_MM
    p.page.wait_for_timeout(REST_MS)
    assert changes(p.sent, "pose")[-1] == pose and changes(p.sent, "view")[-1] == "lateral"
    p.set_pose(abduction=35)
    p.page.wait_for_timeout(REST_MS)
    assert p.page.evaluate("location.hash") == "#side=left&abduction=35&flexion=10&rotation=0&view=lateral"
    assert p.errors() == []


def test_js_api_on_the_served_page(app_page, hip):
    p = app_page()
    pose = {"side": "left", "abduction": 40, "flexion": 50, "rotation": -15}
    assert p.set_pose(**pose) == pose
    got = p.readout()
    assert {k: got[k] for k in pose} == pose
    err = readout_error(got, python_readout(hip, pose))
    assert err <= READOUT_MM, (got, python_readout(hip, pose))
    assert p.set_pose_error({"flexion": 99}) == "flexion 99 is outside 0..90 degrees"
    assert p.page.evaluate("window.gmed.getPose()") == pose
    assert p.page.evaluate("window.gmed.setView('posterior')") == "posterior"
    p.page.wait_for_timeout(REST_MS)
    assert sent_last(p, "view") == "posterior" and changes(p.sent, "pose")[-1] == pose
    assert p.errors() == []


def test_server_learns_the_pose_for_its_exports(app_page, tmp_path):
    """Set with the controls, the pose reaches the session: its offline page opens there."""
    p = app_page()
    p.page.locator(".gmed-sides:visible button", has_text="Left hip").click()
    p.page.locator("input[data-joint=flexion]").fill("25")
    p.page.locator("input[data-joint=rotation]").fill("-10")
    p.page.locator("input[data-joint=abduction]").fill("15")
    p.page.wait_for_timeout(REST_MS)
    with p.page.expect_download(timeout=120_000) as d:
        p.page.get_by_role("button", name="Offline page (HTML)").click()
    d.value.save_as(tmp_path / "offline.html")
    html = (tmp_path / "offline.html").read_text(encoding="utf-8")
    found = re.findall(r'"pose":\{"type":"map","entries":(\[\[.*?\]\])\}', html)
    pose = [dict(json.loads(f)) for f in found]
    assert {"side": "left", "abduction": 15.0, "flexion": 25.0, "rotation": -10.0} in pose, pose
    assert p.errors() == []


def test_labels_behind_bone_are_faded(app_page):
    """From above, the iliac wing hides the femoral head and the acetabulum: their labels are
    drawn faded with dashed leaders. From the default oblique view the main label is not. (Lifted
    over the gluteus minimus, the medius' belly shows beside the wing from above: not asserted.)"""

    def faded(p) -> dict[str, bool]:
        return dict(
            p.page.locator(".gmed-label").evaluate_all(
                "els => els.map(e => [e.textContent, e.classList.contains('gmed-label-behind')])"
            )
        )

    oblique = faded(app_page())
    assert oblique["Gluteus medius"] is False and oblique["Iliac crest"] is False
    above = faded(app_page("?view=superior"))
    assert above["Femoral head"] is True and above["Acetabulum"] is True
    assert above["Iliac crest"] is False and above["Sacrum"] is False
