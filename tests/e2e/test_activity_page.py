"""The Exercise and Walk modes in Chromium (issue #17): each exercise of the gallery and each
gait variant opened through window.gmed, posed in the page as Python poses them (the bones'
matrices), with its card; bad input rejected in one line; the hash round trip; the offline
file does the same with the network blocked."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Page

from viewer.app.momentplot import NAMES
from viewer.app.standalone import export_html
from viewer.exercise_presentation import bone_matrices
from viewer.gait_presentation import bone_matrices as gait_matrices
from viewer.mechanics import exercises
from viewer.mechanics.gait import WEAK_STRENGTH_PCT, Gait
from viewer.mechanics.stance import StanceInput, StanceModel

pytestmark = pytest.mark.e2e

#: Page - Python difference allowed for a bone matrix entry (mm, or a unit rotation entry);
#: the twin is held to 1e-9 under node (tests/test_activity_twin.py)
SAME = 1e-6


def drawn(p: Page) -> dict:
    """bone id -> (4, 4) matrix the page draws it with (row-major, as numpy)."""
    got = p.page.evaluate("window.gmed.activityMatrices()")
    return {b: np.array(m).reshape(4, 4).T for b, m in got.items()}


def check_exercise(p: Page, hip, ex_id: str, side: str, phase: float, fault=None) -> dict:
    """Open an exercise through the API: the matrices, the read-out and the card agree with Python."""
    options = {"side": side, "phase": phase, "fault": fault}
    got = p.page.evaluate("([id, o]) => window.gmed.setExercise(id, o)", [ex_id, options])
    assert got == {"mode": "exercise", "exercise": ex_id, "gait": got["gait"], **options}
    ex = exercises.exercise(ex_id)
    at = ex.at(fault) if fault else ex.pose_at(phase)
    for b, m in bone_matrices(hip, ex, side, at).items():
        assert np.abs(drawn(p)[b] - m).max() < SAME, (ex_id, b)
    r = p.readout()
    assert r["pose"]["flexion"] == pytest.approx(at.pose.flexion, abs=1e-9)
    assert r["pose"]["knee_flexion"] == pytest.approx(at.knee_flexion, abs=1e-9)
    card = p.page.locator(".gmed-activity-card").inner_text()
    assert ex.name in card and ex.activity.text().replace(" ", "") in card.replace(" ", "")
    return r


def test_each_exercise_opens_posed_as_python_poses_it(app_page, hip):
    p = app_page()
    before = p.canvas()
    for k, ex_id in enumerate(exercises.ids()):
        check_exercise(p, hip, ex_id, "right" if k % 2 == 0 else "left", 0.5)
        assert p.page.locator(".gmed-root.gmed-activity").count() == 1
        # the gallery's button of this exercise is on
        assert p.page.locator(f'button[data-exercise="{ex_id}"].gmed-on').count() == 1
    img = p.canvas()
    assert np.abs(img - before).mean() > 3  # the picture changed: the whole body on a floor
    check_exercise(p, hip, "single_leg_squat", "right", 0.0, "knee_collapse")
    assert "knee" in p.page.locator(".gmed-fault").inner_text().lower()
    # the clamshell's card shows the lever Python computed at its key pose
    check_exercise(p, hip, "clamshell", "right", 0.5)
    lever = exercises.lever(hip.muscles["right"], exercises.exercise("clamshell").key_pose)
    text = p.page.locator(".gmed-lever").inner_text()
    rot = " / ".join(f"{lever[q]['rotation_mm']:.0f}" for q in ("anterior", "middle", "posterior"))
    assert rot.replace("-", "\u2212") in text, text
    assert p.page.evaluate("window.gmed.getMode()") == "exercise"
    # the hip hike's card: the stance model (its JS twin) standing on the working leg
    stance = StanceModel(hip)
    for side in ("left", "right"):
        check_exercise(p, hip, "hip_hike", side, 0.5)
        full = stance.solve(StanceInput(side=side))
        weak = stance.solve(StanceInput(side=side, strength_pct=WEAK_STRENGTH_PCT))
        text = p.page.locator(".gmed-stance-figures").inner_text()
        assert f"standing on the {side} leg (70 kg)" in text, text
        assert (
            f"pull {full.abductor_force_bw:.2f} BW" in text and f"drops {weak.pelvic_drop_deg:.1f}°" in text
        )
        assert weak.trendelenburg_positive and "positive Trendelenburg sign" in text
    assert p.errors() == []


def test_walking_poses_each_variant_and_plays(app_page, hip):
    p = app_page()
    stance = StanceModel(hip)
    for variant in ("normal", "trendelenburg", "duchenne"):
        got = p.page.evaluate("v => window.gmed.setGait(v, {phase: 0.3})", variant)
        assert got["mode"] == "walk" and got["gait"] == variant
        frame = Gait(variant, stance).frame(30.0)
        for b, m in gait_matrices(hip, frame).items():
            assert np.abs(drawn(p)[b] - m).max() < SAME, (variant, b)
        r = p.readout()
        assert r["pelvic_obliquity_deg"] == pytest.approx(frame.pelvic_obliquity_deg, abs=1e-9)
        assert r["gmed_active"] == frame.gmed_active
    # played, the cycle runs in the page; paused, it stays; scrubbed, it shows that phase
    p.page.evaluate("window.gmed.setPhase(0)")
    p.page.locator(".gmed-activity-controls .gmed-play").click()
    p.page.wait_for_timeout(1500)
    p.page.locator(".gmed-activity-controls .gmed-play").click()
    phase = p.page.evaluate("window.gmed.getActivity().phase")
    assert 0.05 < phase < 1.0
    p.page.wait_for_timeout(500)
    assert p.page.evaluate("window.gmed.getActivity().phase") == phase
    p.page.evaluate("window.gmed.setPhase(0.75)")
    assert p.readout()["percent"] == pytest.approx(75.0)
    assert p.errors() == []


def test_bad_activity_input_is_one_line_and_changes_nothing(app_page):
    p = app_page()
    p.page.evaluate("window.gmed.setExercise('clamshell')")
    ids = ", ".join(exercises.ids())
    for call, want in (
        ("window.gmed.setExercise('plank')", f'unknown exercise "plank"; choose from {ids}'),
        ("window.gmed.setGait('limp')", 'unknown gait "limp"; choose from normal, trendelenburg, duchenne'),
        ("window.gmed.setPhase(2)", "phase must be a number in 0..1 (of the repetition or cycle), not 2"),
        ("window.gmed.setExercise('clamshell', {fault: 'knee_collapse'})",
         'exercise clamshell has no fault "knee_collapse"; its faults: none'),
    ):  # fmt: skip
        msg = p.page.evaluate(f"{call}.then(() => '', (e) => e.message)")
        assert msg == want
    assert p.page.evaluate("window.gmed.getActivity()")["exercise"] == "clamshell"
    assert p.page.evaluate("window.gmed.getMode()") == "exercise"


def test_the_hash_opens_an_exercise_and_follows_it(app_page, hip):
    p = app_page("#mode=exercise&exercise=hip_hike&exercise_side=left&phase=0.5")
    a = p.page.evaluate("window.gmed.getActivity()")
    assert (a["mode"], a["exercise"], a["side"], a["phase"]) == ("exercise", "hip_hike", "left", 0.5)
    # the moment-arm plot beside the view has the Explore pose, though the page opened in another mode
    curves = f'Bokeh.documents[0].get_model_by_name("{NAMES["curves"]}").data.angle.length'
    p.page.wait_for_function(f"() => {curves} > 0", timeout=10_000)
    p.page.evaluate("window.gmed.setGait('duchenne', {phase: 0.25})")
    p.page.wait_for_timeout(1200)
    assert p.page.evaluate("location.hash").endswith("&mode=walk&gait=duchenne&phase=0.25")


def test_the_offline_page_walks_and_shows_exercises(browser, tmp_path, hip):
    out = export_html(tmp_path / "gmed.html")
    p = Page(browser, out.as_uri() + "#mode=walk&gait=trendelenburg&phase=0.2", offline=True)
    try:
        assert p.page.evaluate("window.gmed.getActivity().gait") == "trendelenburg"
        frame = Gait("trendelenburg", StanceModel(hip)).frame(20.0)
        assert p.readout()["pelvic_obliquity_deg"] == pytest.approx(frame.pelvic_obliquity_deg, abs=1e-9)
        check_exercise(p, hip, "lateral_band_walk", "right", 0.25)
        assert p.blocked == [] and p.errors() == []
    finally:
        p.close()
