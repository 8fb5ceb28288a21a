"""The Stance mode in Chromium (issue #13): switched on and driven through window.gmed, its
read-out, badge and picture change; the offline file does the same with the network blocked."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import Page

from viewer.app.standalone import export_html
from viewer.mechanics.stance import StanceInput, StanceModel

pytestmark = pytest.mark.e2e


#: The figures window.gmed.readout() gives in stance mode, each StanceResult's (the JS twin
#: agrees to 1e-12, tests/test_stance_twin.py)
FIGURES = (
    "pelvic_drop_deg", "pelvic_drop_mm", "hip_adduction_deg", "knee_valgus_deg", "abductor_force_n",
    "abductor_available_n", "abductor_effort_pct", "abductor_force_bw", "hip_contact_force_n",
    "hip_contact_force_bw", "abductor_moment_arm_mm", "weight_lever_arm_mm", "cane_lever_arm_mm",
)  # fmt: skip
_MODEL: list[StanceModel] = []


def python_result(got: dict):
    """``StanceModel().solve`` for the stance inputs a read-out shows."""
    if not _MODEL:
        _MODEL.append(StanceModel())
    off = got["cane_hand"] == "off"
    inp = StanceInput(
        side=got["side"],
        strength_pct=float(got["strength"]),
        lean_deg=float(got["lean"]),
        body_mass_kg=float(got["body_mass"]),
        cane_pct=0.0 if off else float(got["cane"]),
        cane_hand="same" if got["cane_hand"] == "same" else "opposite",
    )
    return _MODEL[0].solve(inp)


def stance_readout(p: Page) -> dict:
    """The page's stance figures, checked against Python's for the same inputs (numbers and text)."""
    got = p.page.evaluate("window.gmed.readout()")
    if got.get("mode") != "stance":
        return got
    r = python_result(got)
    for k in FIGURES:
        assert got[k] == pytest.approx(getattr(r, k), abs=1e-6), k
    assert got["trendelenburg_positive"] is r.trendelenburg_positive
    text = p.page.locator(".gmed-stance-readout").inner_text()
    for shown in (
        f"{num(r.pelvic_drop_deg, 1)}\u00b0 \u00b7 {num(r.pelvic_drop_mm, 0)} mm",
        f"{num(r.abductor_force_bw, 2)} BW \u00b7 {num(r.abductor_force_n, 0)} N",
        f"{num(r.hip_contact_force_bw, 2)} BW \u00b7 {num(r.hip_contact_force_n, 0)} N",
        f"{num(r.abductor_moment_arm_mm, 0)} mm",
        f"{num(r.weight_lever_arm_mm, 0)} mm",
        f"{num(r.abductor_effort_pct, 0)} %",
    ):
        assert shown in text, (shown, text)
    assert "-0 " not in text and "-0.0" not in text, text
    return got


def num(value: float, digits: int) -> str:
    """A figure as the read-out shows it: fixed decimals, never a negative zero."""
    return re.sub(r"^-(?=0(\.0*)?$)", "", f"{value:.{digits}f}")


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
    assert "Pelvic drop" in text and "Abductor effort" in text and "Cane lever arm" not in text
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

    # a cane in the opposite hand lowers the muscle's force; in the same hand much less
    p.page.evaluate("window.gmed.setStance({strength: 100, cane: 20, cane_hand: 'opposite'})")
    opposite = stance_readout(p)
    assert "Cane lever arm" in p.page.locator(".gmed-stance-readout").inner_text()
    assert opposite["abductor_force_n"] < 0.7 * strong["abductor_force_n"]
    p.page.evaluate("window.gmed.setStance({cane_hand: 'same', lean: 20})")
    stance_readout(p)
    p.page.evaluate("window.gmed.setStance({cane_hand: 'off', lean: 0, strength: 20})")

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
