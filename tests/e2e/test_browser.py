"""End to end: a real server, headless Chromium, the page as a user sees it."""

import io
import itertools
import time
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from viewer.app.hipview import VTK_JS_URL

pytestmark = pytest.mark.e2e


def image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


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
    red = (img[..., 0] > 150) & (img[..., 1] < 110) & (img[..., 2] < 110)
    bone = np.abs(img - [227, 213, 184]).sum(axis=-1) < 90
    assert red.mean() > 0.02 and bone.mean() > 0.05
    assert p.errors() == []


def test_slider_change_changes_picture(app_page):
    p = app_page()
    before = image(p.canvas_png())
    shown = p.stats().get("framesShown", 0)
    for _ in range(20):
        p.page.keyboard.press("ArrowRight")
    deadline = time.time() + 15
    while time.time() < deadline:
        if p.page.locator(".gmed-readout").inner_text().startswith("Abduction\n20°"):
            break
        time.sleep(0.1)
    p.wait_idle()
    stats = p.stats()
    assert stats["framesShown"] >= shown + 20
    # the page holds the abduction sweep: every step was drawn without a server frame
    assert stats["localFrames"] >= 20 and stats.get("framesReceived", 0) == 0
    assert stats["keyToFrameMs"] < 100
    assert "20°" in p.page.locator(".gmed-readout").inner_text()
    after = image(p.canvas_png())
    assert np.abs(after - before).mean() > 1.0  # the femur and muscle moved on screen
    assert p.errors() == []


def test_play_animates_in_the_browser(app_page):
    p = app_page()
    p.page.get_by_role("button", name="▶ Play / pause").click()
    time.sleep(1.5)
    s0 = p.stats()
    angle0 = p.page.locator(".gmed-readout").inner_text()
    time.sleep(1.5)
    s1 = p.stats()
    assert s1["frames"] > s0["frames"] + 10  # frames played locally, not fetched one by one
    assert p.page.locator(".gmed-readout").inner_text() != angle0
    p.page.keyboard.press(" ")  # pause
    time.sleep(0.5)
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
    p.page.keyboard.press(key)
    p.wait_idle(renders=1)
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
    readout = p.page.locator(".gmed-readout").evaluate(font)
    assert size >= 28 and readout >= 28
    img = image(p.canvas_png())
    assert (img.sum(axis=-1) < 30).mean() > 0.3  # black background for the projector
    assert p.errors() == []


def test_sessions_are_isolated(browser, server):
    """Two students: one moves the thigh, the other's model stays where it was."""
    from conftest import Page

    a = Page(browser, server)
    b = Page(browser, server)
    try:
        for _ in range(10):
            a.page.keyboard.press("ArrowRight")
        deadline = time.time() + 15
        while "10°" not in a.page.locator(".gmed-readout").inner_text() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        assert "10°" in a.page.locator(".gmed-readout").inner_text()
        assert b.page.locator(".gmed-readout").inner_text().startswith("Abduction\n0°")
        assert b.stats().get("framesShown", 0) == 0  # no pose reached the other session
    finally:
        a.page.close()
        b.page.close()


def test_deep_link_and_its_bad_parameters(app_page):
    """A link sets side, pose and view; what it gets wrong is named on the page, not fatal."""
    p = app_page("?side=left&abduction=20&view=lateral&flexion=99&zoom=2")
    alert = p.page.get_by_text("Link: ", exact=False)
    assert alert.is_visible()
    text = alert.inner_text()
    assert "flexion='99' is outside 0 to 60 degrees" in text and "unknown link parameter zoom" in text
    assert p.page.locator(".gmed-readout").inner_text().startswith("Abduction\n20°")
    assert p.errors() == []


def test_labels_behind_bone_are_faded(app_page):
    """From above, the iliac wing hides the upper muscle and the femoral head: their labels are
    drawn faded with dashed leaders. From the default oblique view the main label is not."""

    def faded(p) -> dict[str, bool]:
        return dict(
            p.page.locator(".gmed-label").evaluate_all(
                "els => els.map(e => [e.textContent, e.classList.contains('gmed-label-behind')])"
            )
        )

    oblique = faded(app_page())
    assert oblique["Gluteus medius"] is False and oblique["Iliac crest"] is False
    above = faded(app_page("?view=superior"))
    assert above["Gluteus medius"] is True and above["Femoral head"] is True
    assert above["Iliac crest"] is False and above["Sacrum"] is False
