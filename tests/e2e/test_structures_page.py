"""Every structure of the hip in the browser (issue #14): drawn, posed like Python, layered,
translucent on its own and peeled superficial to deep, on the served and the offline page."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Page

from viewer import contract
from viewer.anatomy import Pose
from viewer.app.standalone import export_html

pytestmark = pytest.mark.e2e

#: JS (float32 buffers) - Python difference allowed for a posed vertex, mm
SAME_MM = 0.01
FANS = ("gluteus_minimus", "tensor_fasciae_latae", "gluteus_maximus")
RIGID = ("superior_gluteal_nerve", "trochanteric_bursa", "iliotibial_tract")


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    out = tmp_path_factory.mktemp("structures") / "hip.html"
    export_html(out)
    return out.as_uri()


@pytest.fixture(scope="module", params=["served", "offline"])
def page(request, browser):
    url = (
        request.getfixturevalue("server") if request.param == "served" else request.getfixturevalue("offline")
    )
    p = Page(browser, url, width=1400, height=900, offline=request.param == "offline")
    yield p
    p.close()


def drawn(p: Page, points: bool = False) -> dict:
    p.wait_idle()
    return p.page.evaluate("(w) => window.gmed.structures(w)", points)


def test_every_structure_is_drawn_with_python_meshes(page, hip):
    got = drawn(page)
    side, other = "right", "left"
    n = hip.neighbourhoods
    for sid in FANS:
        want = n[side].muscles[sid].surface(Pose()).vertices.shape[0]
        assert got[f"fan_{sid}"]["points"] == want, sid
        assert got[f"fan_{sid}"]["visible"], sid
        assert got[f"{sid}_{other}"]["points"] == n[other].muscles[sid].surface(Pose()).vertices.shape[0]
    for sid in RIGID:
        assert got[f"{sid}_{side}"]["points"] == n[side].rigid[sid].vertices.shape[0], sid
        assert got[f"{sid}_{side}"]["visible"], sid
    # colours' opacity from style.json: the maximus translucent, the others opaque
    assert got["fan_gluteus_maximus"]["opacity"] == pytest.approx(0.35)
    assert got["fan_gluteus_minimus"]["opacity"] == 1
    assert page.page.evaluate("window.gmed.getOpacity()") == contract.structure_opacity()
    assert page.errors() == []


def test_peeling_hides_superficial_to_deep_and_back(page):
    steps = {
        0: {"fan_gluteus_maximus": True, "muscle": True, "fibres": True, "fan_gluteus_minimus": True},
        1: {"fan_gluteus_maximus": False, "muscle": True, "fibres": True, "fan_gluteus_minimus": True},
        2: {"fan_gluteus_maximus": False, "muscle": False, "fibres": False, "fan_gluteus_minimus": True},
        3: {"fan_gluteus_maximus": False, "muscle": False, "fibres": False, "fan_gluteus_minimus": False},
    }
    for k in (0, 1, 2, 3, 2, 1, 0):
        assert page.page.evaluate("(k) => window.gmed.setPeel(k)", k) == k
        got = drawn(page)
        assert {a: got[a]["visible"] for a in steps[k]} == steps[k], k
        assert got["hip_right"]["visible"] and got["femur_right"]["visible"], k
    assert page.page.evaluate("window.gmed.setPeel(4).then(() => '', (e) => e.message)") == (
        "peel 4 is outside 0..3 (a whole number of layers)"
    )
    assert page.page.evaluate("window.gmed.getPeel()") == 0


@pytest.mark.parametrize("pose", [(20.0, 90.0, 10.0), (-15.0, 0.0, -20.0), (45.0, 45.0, 30.0)])
def test_a_pose_moves_every_structure_as_python(page, hip, pose):
    a, f, r = pose
    page.page.evaluate(
        "(p) => window.gmed.setPose(p)", {"side": "right", "abduction": a, "flexion": f, "rotation": r}
    )
    got = drawn(page, points=True)
    p = Pose(a, f, r)
    n = hip.neighbourhoods["right"]
    for sid in FANS:
        want = n.muscles[sid].surface(p).vertices
        js = np.asarray(got[f"fan_{sid}"]["xyz"]).reshape(-1, 3)
        assert np.abs(js - want).max() < SAME_MM, sid
    femur = hip.model.femur_transform("right", p)
    for sid in RIGID:
        rigid, a = n.rigid[sid], got[f"{sid}_right"]
        # drawn: the neutral points through the actor's matrix (column-major, as vtk.js keeps it)
        xyz = np.asarray(a["xyz"]).reshape(-1, 3)
        matrix = np.asarray(a["matrix"]).reshape(4, 4).T
        js = xyz @ matrix[:3, :3].T + matrix[:3, 3]
        assert np.abs(js - rigid.posed(femur)).max() < SAME_MM, sid
        assert (rigid.follows == "femur") == (np.abs(matrix - np.eye(4)).max() > 1e-3), sid
    page.page.evaluate("window.gmed.setPose({abduction: 0, flexion: 0, rotation: 0})")


def test_layers_and_opacity_by_api_and_hash(page):
    ev = page.page.evaluate
    assert ev("window.gmed.setLayers({maximus: false, nerve: false})") == [
        layer for layer in contract.DEFAULT_LAYERS if layer not in ("maximus", "nerve")
    ]
    got = drawn(page)
    assert not got["fan_gluteus_maximus"]["visible"] and not got["superior_gluteal_nerve_right"]["visible"]
    assert got["fan_gluteus_minimus"]["visible"]
    op = ev("window.gmed.setOpacity({minimus: 0.5, muscle: 0.8})")
    assert op["minimus"] == 0.5 and op["muscle"] == 0.8 and op["maximus"] == pytest.approx(0.35)
    assert drawn(page)["fan_gluteus_minimus"]["opacity"] == 0.5
    errors = ev(
        """async () => {
        const msg = (p) => p.then(() => '', (e) => e.message);
        return [await msg(window.gmed.setOpacity({minimus: 2})),
                await msg(window.gmed.setOpacity({wings: 1})),
                await msg(window.gmed.setLayers(["bones", "wings"]))];
    }"""
    )
    assert errors[0] == "opacity of minimus 2 is outside 0.1..1"
    assert errors[1].startswith("setOpacity: no layer wings (layers: muscle, minimus")
    assert errors[2].startswith("setLayers: no layer wings (layers: bones")
    page.page.wait_for_timeout(600)  # the hash follows once input rests
    h = ev("window.location.hash")
    assert (
        "opacity=muscle:0.8,minimus:0.5" in h
        and "layers=" in h
        and "maximus" not in h.split("layers=")[1].split("&")[0]
    )
    # a hash sets them, and a bad one is named in one line and changes nothing
    ev("window.location.hash = '#layers=bones,muscle,maximus&opacity=maximus:0.6&peel=1'")
    page.page.wait_for_timeout(300)
    assert ev("window.gmed.getLayers()") == ["bones", "muscle", "maximus"]
    assert ev("window.gmed.getOpacity()")["maximus"] == 0.6
    assert ev("window.gmed.getPeel()") == 1
    for bad, line in (
        ("peel=7", "peel 7 is outside 0..3 (a whole number of layers)"),
        ("opacity=maximus:x", "URL: opacity=maximus:x is not a list of layer:opacity (like maximus:0.5)"),
        ("layers=bones,wings", "setLayers: no layer wings"),
    ):
        ev(f"window.location.hash = '#{bad}'")
        page.page.wait_for_timeout(300)
        status = page.page.locator(".gmed-status").text_content()
        assert status.startswith(line) and "\n" not in status, (bad, status)
    assert ev("window.gmed.getPeel()") == 1
    ev("window.gmed.setPeel(0)")
    ev(f"window.gmed.setLayers({list(contract.DEFAULT_LAYERS)})")
    ev("window.gmed.setOpacity({minimus: 1, muscle: 1, maximus: 0.35})")


def test_the_other_side_stays_at_neutral(page, hip):
    page.page.evaluate("window.gmed.setPose({side: 'left', abduction: 30, flexion: 20, rotation: 0})")
    got = drawn(page, points=True)
    want = hip.neighbourhoods["right"].muscles["gluteus_maximus"].surface(Pose()).vertices
    js = np.asarray(got["gluteus_maximus_right"]["xyz"]).reshape(-1, 3)
    assert np.abs(js - want).max() < SAME_MM
    posed = hip.neighbourhoods["left"].muscles["gluteus_maximus"].surface(Pose(30.0, 20.0, 0.0)).vertices
    js = np.asarray(got["fan_gluteus_maximus"]["xyz"]).reshape(-1, 3)
    assert np.abs(js - posed).max() < SAME_MM
    page.page.evaluate("window.gmed.setPose({side: 'right', abduction: 0, flexion: 0, rotation: 0})")
