"""gmed export-html: the whole app in one file, offline from disk, scripted through window.gmed.

The issue's acceptance test (#15): the page computes every pose itself, with no server and no
network, and its read-out agrees with Python's gluteus medius within 0.5 mm.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import (
    KNEES_CAMERA,
    READOUT_MM,
    Page,
    changed_rows,
    python_readout,
    readout_error,
    red_fraction,
)

from viewer import cli, contract
from viewer.app.standalone import export_html

pytestmark = pytest.mark.e2e

MAX_BYTES = 12 * 2**20
#: both sides, all three joints, each joint at both ends of its range; the fourth is partial
POSES = [
    {"side": "right", "abduction": -15, "flexion": 0, "rotation": -20},
    {"side": "right", "abduction": 45, "flexion": 60, "rotation": 30},
    {"side": "left", "abduction": 20, "flexion": 10, "rotation": 5},
    {"abduction": 7.5},  # only the abduction changes: the left side, flexion 10, rotation 5 stay
    {"side": "left", "abduction": -15, "flexion": 60, "rotation": -20},
]
HASH = "#side=left&abduction=20&flexion=10&rotation=0&view=lateral"


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """The offline page, exported once (right side, neutral, the default view)."""
    out = tmp_path_factory.mktemp("offline") / "hip.html"
    export_html(out)
    return out


@pytest.fixture
def open_offline(browser):
    pages = []

    def go(url, **kw):
        p = Page(browser, url, width=1400, height=900, offline=True, **kw)
        pages.append(p)
        return p

    yield go
    for p in pages:
        p.close()


def only_local(p: Page) -> None:
    """The page asked for nothing over the network (each http(s) request is aborted and kept)."""
    assert p.blocked == [], p.blocked
    assert all(u.startswith(("file://", "data:", "blob:")) for u in p.requests), p.requests


def test_offline_page_computes_every_pose_like_python(offline, open_offline, hip):
    """The acceptance test: five poses set through window.gmed, read-outs against Python."""
    size = offline.stat().st_size
    assert 5e6 < size <= MAX_BYTES, size
    p = open_offline(offline.as_uri())
    assert p.page.evaluate("Object.keys(window.gmed).sort()") == [
        "activityMatrices",
        "getActivity",
        "getLayers",
        "getMode",
        "getOpacity",
        "getPeel",
        "getPose",
        "getShape",
        "getStance",
        "getView",
        "readout",
        "ready",
        "setExercise",
        "setGait",
        "setLayers",
        "setMode",
        "setOpacity",
        "setPeel",
        "setPhase",
        "setPose",
        "setShape",
        "setStance",
        "setView",
        "structures",
    ]
    assert p.page.evaluate("window.gmed.getPose()") == {
        "side": "right",
        "abduction": 0,
        "flexion": 0,
        "rotation": 0,
    }
    shown, pictures, worst = {}, [], 0.0
    for changes in POSES:
        shown = {**shown, **changes}
        frames = p.stats()["frames"]
        assert p.set_pose(**changes) == shown  # resolved once its frame is drawn
        assert p.stats()["frames"] > frames
        assert p.page.evaluate("window.gmed.getPose()") == shown
        got = p.readout()
        assert {k: got[k] for k in shown} == shown
        want = python_readout(hip, shown)
        err = readout_error(got, want)
        assert err <= READOUT_MM, (shown, got, want)
        worst = max(worst, err)
        text = p.page.locator(".gmed-readout:visible").inner_text()
        assert text.startswith(f"Abduction\n{round(shown['abduction'])}°"), text
        assert f"{round(got['length_mm'])} mm" in text
        pictures.append(p.canvas())
    # moving the pose moves the picture; the left hip is another picture than the right
    assert np.abs(pictures[1] - pictures[0]).mean() > 1.0
    assert np.abs(pictures[2] - pictures[1]).mean() > 1.0
    print(f"largest JS - Python read-out difference over {len(POSES)} poses: {worst:.2e} mm")
    only_local(p)
    assert p.errors() == []


def test_bad_pose_is_refused_in_one_line_and_changes_nothing(offline, open_offline):
    p = open_offline(offline.as_uri())
    p.set_pose(side="left", abduction=20, flexion=10)
    before = (p.page.evaluate("window.gmed.getPose()"), p.readout(), p.stats()["frames"])
    refused = {
        "flexion 99 is outside 0..90 degrees": {"flexion": 99},
        "abduction -16 is outside -15..45 degrees": {"abduction": -16},
        "setPose has no field knee": {"knee": 3},
        "rotation must be a finite number of degrees": {"rotation": "5"},
        "side must be one of right, left": {"side": "middle"},
    }
    for message, changes in refused.items():
        got = p.set_pose_error(changes)
        assert got.startswith(message), (changes, got)
        assert "\n" not in got
    # nothing changed: pose, read-out, not a single frame computed
    assert (p.page.evaluate("window.gmed.getPose()"), p.readout(), p.stats()["frames"]) == before
    only_local(p)
    assert p.errors() == []


def test_set_view_and_the_hash_it_writes(offline, open_offline):
    p = open_offline(offline.as_uri())
    assert p.page.evaluate("window.gmed.getView()") == "oblique"
    oblique = p.canvas()
    assert p.page.evaluate("window.gmed.setView('posterior')") == "posterior"
    assert p.page.evaluate("window.gmed.getView()") == "posterior"
    posterior = p.canvas()
    assert np.abs(posterior - oblique).mean() > 3.0
    err = p.page.evaluate("window.gmed.setView('below').then(() => '', (e) => e.message)")
    assert err == f'setView: no view "below" (views: {", ".join(contract.views()["ids"])})'
    assert p.page.evaluate("window.gmed.getView()") == "posterior"
    # once input rests (250 ms) the pose and the view are in the address
    p.set_pose(abduction=30)
    p.page.wait_for_timeout(600)
    assert p.page.evaluate("location.hash") == "#side=right&abduction=30&flexion=0&rotation=0&view=posterior"
    only_local(p)
    assert p.errors() == []


def test_hash_opens_the_pose_and_view_and_follows_changes(offline, open_offline, hip):
    p = open_offline(offline.as_uri() + HASH)
    assert p.page.evaluate("window.gmed.getPose()") == {
        "side": "left",
        "abduction": 20,
        "flexion": 10,
        "rotation": 0,
    }
    assert p.page.evaluate("window.gmed.getView()") == "lateral"
    assert readout_error(p.readout(), python_readout(hip, p.page.evaluate("gmed.getPose()"))) <= READOUT_MM
    # the controls show the pose of the link
    joints = p.page.locator(".gmed-controls input[type=range][data-joint]")
    values = joints.evaluate_all("els => els.map(e => [e.dataset.joint, Number(e.value)])")
    assert values == [["abduction", 20], ["flexion", 10], ["rotation", 0]]
    assert p.page.locator(".gmed-sides:visible button.gmed-on").inner_text() == "Left hip"
    # a new hash (a link followed in the same tab) moves the hip; other fields stay
    p.page.evaluate("location.hash = '#rotation=25'")
    p.page.wait_for_function("window.gmed.getPose().rotation === 25", timeout=10_000)
    assert p.page.evaluate("window.gmed.getPose()") == {
        "side": "left",
        "abduction": 20,
        "flexion": 10,
        "rotation": 25,
    }
    # the address is written back in full once input rests
    p.page.wait_for_timeout(600)
    assert p.page.evaluate("location.hash") == "#side=left&abduction=20&flexion=10&rotation=25&view=lateral"
    only_local(p)
    assert p.errors() == []


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("#flexion=99&view=lateral", "flexion 99 is outside 0..90 degrees"),
        ("#abduction=ten", "URL: abduction=ten is not a number of degrees"),
        (
            "#knee=3",
            "URL: unknown field knee (fields: side, abduction, flexion, rotation, view, mode, stance_side,"
            " strength, lean, body_mass, cane, cane_hand, layers, opacity, peel, exercise, fault,"
            " exercise_side, gait, phase)",
        ),
    ],
)
def test_bad_hash_is_named_in_one_line(offline, open_offline, fragment, message):
    p = open_offline(offline.as_uri() + fragment)
    status = p.page.locator(".gmed-status.gmed-error")
    assert status.is_visible()
    assert status.inner_text() == message
    # ignored: the page opens at its own pose
    assert p.page.evaluate("window.gmed.getPose()") == {
        "side": "right",
        "abduction": 0,
        "flexion": 0,
        "rotation": 0,
    }
    assert p.errors() == [f"error: {message}"]  # the same line in the console, nothing else
    only_local(p)


def test_menu_layers_views_classroom_and_info(offline, open_offline):
    p = open_offline(offline.as_uri())
    body = p.page.locator(".gmed-panel-body")
    assert body.is_hidden()
    p.page.locator(".gmed-panel-toggle").click()
    assert body.is_visible()
    assert p.page.locator(".gmed-panel-toggle").get_attribute("aria-expanded") == "true"
    toggle = p.page.locator(".gmed-panel-toggle")

    def closed_view():  # the open menu covers much of the view: measured with it closed
        toggle.click()
        img = p.canvas()
        toggle.click()
        return img

    muscle = p.page.get_by_label("Muscle", exact=True)
    fibres = p.page.get_by_label("Fibres", exact=True)
    assert muscle.is_checked() and fibres.is_checked()
    shown = closed_view()
    assert red_fraction(shown) > 0.02
    muscle.uncheck()
    fibres.uncheck()
    hidden = closed_view()
    assert red_fraction(hidden) < 0.1 * red_fraction(shown), (red_fraction(hidden), red_fraction(shown))
    muscle.check()
    fibres.check()
    assert abs(red_fraction(closed_view()) - red_fraction(shown)) < 0.002
    # a view button
    p.page.locator(".gmed-panel .gmed-buttons button", has_text="Lateral").click()
    p.page.wait_for_function("window.gmed.getView() === 'lateral'", timeout=10_000)
    # classroom mode: a black background
    dark = lambda img: float((img.sum(axis=-1) < 30).mean())  # noqa: E731
    light = closed_view()
    assert dark(light) < 0.05
    p.page.get_by_label("Classroom mode").check()
    assert dark(closed_view()) > 0.3
    assert p.page.locator(".gmed-root.gmed-classroom").count() == 1
    # the info panel
    info = p.page.locator(".gmed-info-box")
    assert info.is_hidden()
    p.page.get_by_role("button", name="About the gluteus medius").click()
    assert info.is_visible()
    assert "Gluteus medius" in info.inner_text() and "Sources" in info.inner_text()
    only_local(p)
    assert p.errors() == []


def test_menu_lower_legs_off_then_on_and_in_stance(offline, open_offline):
    """The ☰ menu's Lower legs checkbox: off at first; on, the lower legs appear under the
    knees and nowhere else;"""
    p = open_offline(offline.as_uri())
    p.page.locator(".gmed-panel-toggle").click()
    box = p.page.get_by_label("Lower legs", exact=True)
    assert box.count() == 1 and not box.is_checked()
    p.set_camera(*KNEES_CAMERA)
    off = p.canvas()
    box.check()
    on = p.canvas()
    bands = changed_rows(off, on)
    assert max(bands[:5]) < 0.002, bands
    assert min(bands[7:]) > 0.02, bands
    only_local(p)
    assert p.errors() == []


def test_controls_and_play_offline(offline, open_offline):
    p = open_offline(offline.as_uri())
    r = contract.as_json()["pose_range"]
    sliders = p.page.locator(".gmed-controls input[type=range][data-joint]")
    got = sliders.evaluate_all("els => els.map(e => [e.dataset.joint, Number(e.min), Number(e.max)])")
    assert got == [[j, *r[j]] for j in ("abduction", "flexion", "rotation")]
    p.page.locator("input[data-joint=flexion]").fill("40")
    assert p.page.evaluate("window.gmed.getPose().flexion") == 40
    p.page.locator(".gmed-sides:visible button", has_text="Left hip").click()
    assert p.page.evaluate("window.gmed.getPose()")["side"] == "left"
    at_rest = p.readout()
    p.page.locator(".gmed-play:visible").click()
    p.page.wait_for_timeout(1500)
    s0, a0 = p.stats()["playFrames"], p.readout()["abduction"]
    p.page.wait_for_timeout(1000)
    s1, a1 = p.stats()["playFrames"], p.readout()["abduction"]
    assert s1 > s0 + 5 and a1 != a0 and a0 != at_rest["abduction"]
    p.page.locator(".gmed-play:visible").click()  # pause
    p.page.wait_for_timeout(300)
    paused = p.readout()["abduction"]
    p.page.wait_for_timeout(500)
    assert p.readout()["abduction"] == paused
    assert p.readout()["flexion"] == 40 and p.readout()["side"] == "left"
    only_local(p)
    assert p.errors() == []


def test_cli_page_opens_at_its_pose_and_view(browser, tmp_path, open_offline):
    out = tmp_path / "left.html"
    args = ["--side", "left", "--abduction", "25", "--flexion", "30", "--rotation", "-10"]
    args += ["--view", "superior"]
    assert cli.main(["export-html", str(out), *args]) == 0
    assert out.stat().st_size <= MAX_BYTES
    p = open_offline(out.as_uri())
    want = {"side": "left", "abduction": 25, "flexion": 30, "rotation": -10}
    assert p.page.evaluate("window.gmed.getPose()") == want
    assert p.page.evaluate("window.gmed.getView()") == "superior"
    only_local(p)
    assert p.errors() == []


PARENT = """<!doctype html><meta charset="utf-8"><title>a lesson</title>
<iframe id="hip" src="hip.html#view=lateral" width="960" height="600"></iframe>
<script>
window.ready = 0;
addEventListener("message", (e) => { if (e.data && e.data.gmed === "ready") window.ready += 1; });
let n = 0;
window.call = (gmed, ...args) => new Promise((resolve) => {
  const id = ++n;
  addEventListener("message", function on(e) {
    if (!e.data || e.data.id !== id) return;
    removeEventListener("message", on);
    resolve(e.data);
  });
  document.getElementById("hip").contentWindow.postMessage({ gmed, args, id }, "*");
});
</script>
"""


def test_post_message_bridge_from_a_parent_page(offline, open_offline, hip):
    parent = offline.with_name("lesson.html")
    parent.write_text(PARENT, encoding="utf-8")
    p = open_offline(parent.as_uri(), ready=None)
    p.page.wait_for_function("window.ready === 1", timeout=60_000)
    call = lambda *a: p.page.evaluate("([m, ...a]) => window.call(m, ...a)", list(a))  # noqa: E731
    pose = {"side": "left", "abduction": 30, "flexion": 45, "rotation": 10}
    reply = call("setPose", pose)
    assert reply == {"gmed": "result", "id": 1, "result": pose}
    reply = call("readout")
    assert reply["gmed"] == "result" and reply["id"] == 2
    got = reply["result"]
    assert {k: got[k] for k in pose} == pose
    assert readout_error(got, python_readout(hip, pose)) <= READOUT_MM
    assert call("getView") == {"gmed": "result", "id": 3, "result": "lateral"}
    # a bad call gets an error reply with its one line, and changes nothing
    bad = call("setPose", {"flexion": 99})
    assert bad == {"gmed": "error", "id": 4, "error": "flexion 99 is outside 0..90 degrees"}
    assert call("getPose") == {"gmed": "result", "id": 5, "result": pose}
    unknown = call("fly")
    assert unknown["gmed"] == "error" and unknown["error"].startswith("gmed: no method fly"), unknown
    assert call("ready") == {"gmed": "result", "id": 7, "result": None}
    assert p.page.evaluate("window.ready") == 1  # announced once
    only_local(p)
    assert p.errors() == []
