"""A shape in Chromium (issue #16): gmed.setShape on the served page brings the shape's bones,
muscles and stance model, whose read-outs agree with Python on that shape; the Shape section
shows its measures; the offline page holds the shape it was exported with."""

from __future__ import annotations

import pytest
from conftest import READOUT_MM, Page, python_readout, readout_error
from gmedserver import grab_slider

from viewer.app.standalone import export_html
from viewer.mechanics.stance import StanceInput, StanceModel
from viewer.shape import Shape

pytestmark = pytest.mark.e2e

SHAPE = Shape.of({2: -2.0, 3: -1.0})
ASKED = {"mode2": -2, "mode3": -1}
SHOWN = {"mode1": 0, "mode2": -2, "mode3": -1, "mode4": 0, "mode5": 0}


@pytest.fixture(scope="module")
def shaped_hip(model):
    from viewer.posed import Hip

    return Hip(model.with_shape(SHAPE))


def test_set_shape_on_the_served_page(app_page, shaped_hip, hip):
    p = app_page()
    got = p.page.evaluate(f"window.gmed.setShape({ASKED})")
    assert got == SHOWN and p.page.evaluate("window.gmed.getShape()") == SHOWN
    p.wait_idle()
    # the page now poses the shape's muscle: Python's read-out of that shape, not the mean's
    pose = {"side": "right", "abduction": 10.0, "flexion": 0.0, "rotation": 0.0}
    p.set_pose(**pose)
    assert readout_error(p.readout(), python_readout(shaped_hip, pose)) < READOUT_MM
    assert readout_error(p.readout(), python_readout(hip, pose)) > 2  # it did change
    # the Shape section's table shows the shape's offset (the same as gmed shape --shape 2=-2,3=-1)
    from viewer import shape_measures

    offset = shape_measures.femoral_offset(shaped_hip.model, "right")
    p.page.get_by_text(f"{offset:.1f} mm").first.wait_for(timeout=30_000)
    # the Stance mode stands on the shape: its figures are Python's for it
    p.page.evaluate("window.gmed.setStance({side: 'right', strength: 40})")
    p.page.evaluate("window.gmed.setMode('stance')")
    r = p.page.evaluate("window.gmed.readout()")
    want = StanceModel(shaped_hip).solve(StanceInput(side="right", strength_pct=40.0))
    assert r["abductor_moment_arm_mm"] == pytest.approx(want.abductor_moment_arm_mm, abs=1e-6)
    assert r["pelvic_drop_deg"] == pytest.approx(want.pelvic_drop_deg, abs=1e-6)
    # bad asks: one line each, nothing changes
    err = p.page.evaluate("window.gmed.setShape({mode1: 4}).then(() => 'ok', (e) => e.message)")
    assert err == "setShape: mode1=4 SD is outside -3..3 SD"
    assert p.page.evaluate("window.gmed.getShape()") == SHOWN
    # back to the mean
    assert p.page.evaluate("window.gmed.setShape({mode2: 0, mode3: 0})") == {k: 0 for k in SHOWN}
    assert not [c for c in p.console if c.startswith(("error", "pageerror"))], p.console


def test_the_offline_page_holds_its_shape(browser, tmp_path, shaped_hip):
    path = export_html(tmp_path / "shaped.html", model=shaped_hip.model)
    p = Page(browser, path.as_uri(), offline=True)
    try:
        assert p.page.evaluate("window.gmed.getShape()") == SHOWN
        err = p.page.evaluate("window.gmed.setShape({mode1: 1}).then(() => 'ok', (e) => e.message)")
        assert err == (
            "setShape: this offline page holds one shape (mode 2 \u22122 SD, mode 3 \u22121 SD); "
            "export another with gmed export-html --shape"
        )
        pose = {"side": "right", "abduction": 0.0, "flexion": 20.0, "rotation": 0.0}
        p.set_pose(**pose)
        assert readout_error(p.readout(), python_readout(shaped_hip, pose)) < READOUT_MM
        assert p.blocked == []
    finally:
        p.close()


def test_dragging_a_mode_slider_previews_the_bones_then_builds(app_page):
    """A real mouse drag on the Mode 1 slider: the page shows the shape's light pelvis and
    femurs while the slider moves (no muscle), and the whole shape once it is released."""
    p = app_page()
    page = p.page
    x, y = grab_slider(page, "Mode 1 (SD)")
    page.mouse.move(x + 40, y, steps=4)
    page.wait_for_function("window.gmedStats.shapePreview && window.gmedStats.shapePreview.shape.mode1 > 0")
    preview = page.evaluate("window.gmedStats.shapePreview")
    assert preview["bones"] == 5  # the sacrum, both hip bones and femurs
    shown = page.evaluate("window.gmed.structures()")
    assert not [k for k, s in shown.items() if s["visible"]], "the scene is hidden behind the preview"
    assert page.evaluate("window.gmed.getShape()")["mode1"] == 0  # not built yet
    page.mouse.up()
    page.wait_for_function("window.gmed.getShape().mode1 > 0", timeout=120_000)
    want = preview["shape"]["mode1"]
    assert page.evaluate("window.gmed.getShape()")["mode1"] == pytest.approx(want, abs=0.11)
    p.wait_idle()
    shown = page.evaluate("window.gmed.structures()")
    assert shown["muscle"]["visible"]  # the built shape: its muscle is back
    assert not [c for c in p.console if c.startswith(("error", "pageerror"))], p.console
