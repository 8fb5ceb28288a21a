"""The Stance mode in Chromium (issue #13): switched on and driven through window.gmed, its
read-out, badge and picture change; the offline file does the same with the network blocked."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Page

from viewer.app.standalone import export_html

pytestmark = pytest.mark.e2e


def stance_readout(p: Page) -> dict:
    return p.page.evaluate("window.gmed.readout()")


def drive(p: Page) -> None:
    """Stance mode, strength 100 then 20: the drop grows, the badge appears, the picture changes."""
    assert p.page.evaluate("window.gmed.getStance().mode") == "explore"
    got = p.page.evaluate("window.gmed.setStance({mode: 'stance', strength: 100, lean: 0, cane_hand: 'off'})")
    assert got["mode"] == "stance" and got["strength"] == 100
    assert p.page.locator(".gmed-root.gmed-stance").count() == 1
    strong, strong_img = stance_readout(p), p.canvas()
    assert strong["mode"] == "stance" and strong["pelvic_drop_mm"] <= 10
    assert strong["trendelenburg_positive"] is False
    assert not p.page.locator(".gmed-badge").is_visible()
    assert 1.0 < strong["abductor_force_bw"] < 3.0 and strong["hip_contact_force_bw"] > 1.5
    text = p.page.locator(".gmed-stance-readout").inner_text()
    assert "Pelvic drop" in text and "BW" in text and " N" in text
    # four force labels at most; the weight, the abductor and the hip contact are there
    labels = p.page.locator(".gmed-arrow-label:visible").all_inner_texts()
    assert {t.split(" ")[0] for t in labels} >= {"Body", "Gluteus", "Hip"}, labels

    p.page.evaluate("window.gmed.setStance({strength: 20})")
    weak, weak_img = stance_readout(p), p.canvas()
    assert weak["strength"] == 20
    assert weak["pelvic_drop_mm"] > strong["pelvic_drop_mm"] + 15
    assert weak["pelvic_drop_deg"] > strong["pelvic_drop_deg"]
    assert weak["trendelenburg_positive"] is True
    badge = p.page.locator(".gmed-badge")
    assert badge.is_visible() and badge.inner_text() == "Trendelenburg positive"
    assert np.abs(weak_img - strong_img).mean() > 0.5  # the pelvis dropped on screen

    # a bad value: one line, nothing changes
    err = p.page.evaluate("window.gmed.setStance({strength: 120}).then(() => '', (e) => e.message)")
    assert err == "strength 120 is outside 0..100 %"
    assert p.page.evaluate("window.gmed.getStance().strength") == 20
    # the arrow keys step the strength in stance mode
    p.page.keyboard.press("ArrowRight")
    assert p.page.evaluate("window.gmed.getStance().strength") == 25
    # and back to Explore: the free femur again
    p.page.evaluate("window.gmed.setStance({mode: 'explore'})")
    assert "length_mm" in stance_readout(p)
    assert p.errors() == []


def test_stance_mode_on_the_served_page(app_page):
    p = app_page()
    drive(p)
    # the hash carries the stance while in stance mode
    p.page.evaluate("window.gmed.setStance({mode: 'stance', strength: 40, lean: 10})")
    p.page.wait_for_timeout(800)
    h = p.page.evaluate("location.hash")
    assert "mode=stance" in h and "strength=40" in h and "lean=10" in h, h


def test_stance_hash_opens_stance_and_a_bad_field_is_named(app_page):
    p = app_page("#mode=stance&strength=20&lean=0")
    assert p.page.evaluate("window.gmed.getStance()")["mode"] == "stance"
    assert p.page.evaluate("window.gmed.readout().trendelenburg_positive") is True
    q = app_page("#mode=stance&strength=lots")
    assert q.page.locator(".gmed-status.gmed-error").inner_text() == "URL: strength=lots is not a number (%)"


def test_stance_mode_in_the_offline_file_with_the_network_blocked(browser, tmp_path):
    out = tmp_path / "hip.html"
    export_html(out)
    p = Page(browser, out.as_uri(), width=1400, height=900, offline=True)
    try:
        drive(p)
        assert p.blocked == [], p.blocked
    finally:
        p.close()
