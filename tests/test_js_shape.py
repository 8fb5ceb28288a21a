"""gmed.setShape in the page (viewer/app/js/shapeRequest.js) under node, with the real contract.

A shape is checked against ``contract.shape`` (modes and SD range) in one line per fault; the
served page asks the server for it (``HipView.shape``) and resolves once a scene of that shape
has arrived and been drawn; a refusal from the server rejects it; a newer ask supersedes an
older one; the offline page refuses, naming the shape it holds. The served page itself is
tested in Chromium (tests/e2e/test_shape_page.py).
"""

from __future__ import annotations

import pytest
from nodejs import modules, require_node, run

from viewer import contract

HARNESS = """
const C = DATA.contract;
const zero = { mode1: 0, mode2: 0, mode3: 0, mode4: 0, mode5: 0 };
const errors = [];
for (const bad of [{ mode6: 1 }, { mode1: 3.5 }, { mode2: "1" }, { mode3: NaN }, null, [1], 2]) {
  try { checkShape(C, bad, zero); errors.push("no error"); } catch (e) { errors.push(e.message); }
}
const merged = checkShape(C, { mode2: -1.5 }, { ...zero, mode1: 1 });

const status = { textContent: "", classList: new Set() };
status.classList.contains = status.classList.has;
status.classList.remove = status.classList.delete;
const shown = [];
const model = {
  contract: C, standalone: false, shape: {}, shape_status: {}, scene_data: { shape: { ...zero } },
};
const req = newShapeRequest({
  model, status, showError: (e) => shown.push(e.message), whenDrawn: () => Promise.resolve(),
});
const log = [];
const first = req.setShape({ mode1: 1 })
  .then((s) => log.push(["first", s]), (e) => log.push(["first rejected", e.message]));
const asked1 = { ...model.shape };
const second = req.setShape({ mode2: -2 })
  .then((s) => log.push(["second", s]), (e) => log.push(["second", e.message]));
const asked2 = { ...model.shape };
model.shape_status = { building: { ...asked2 } };
req.onStatus();
const building = status.textContent;
model.scene_data = { shape: { ...asked2 } };
model.shape_status = {};
req.onStatus();
req.onScene();
await Promise.allSettled([first, second]);
const cleared = status.textContent;
const refused = req.setShape({ mode5: 3 }).then(() => "resolved", (e) => e.message);
model.shape_status = { error: "shape 1=1,2=-2,5=3 cannot be shown: the origin line leaves the pelvis" };
req.onStatus();
const refusal = await refused;
model.shape_status = { finding: "neck-shaft angle 130 deg" };
req.onStatus();
const finding = status.textContent;
model.shape_status = {};
req.onStatus();
const found = status.textContent;
model.standalone = true;
let offline = "no error";
try { req.setShape({ mode1: 1 }); } catch (e) { offline = e.message; }
out({
  errors, merged, asked1, asked2, log, building, cleared, refusal, shown, offline, finding, found,
  got: req.getShape(),
});
"""


@pytest.fixture(scope="module")
def got(tmp_path_factory):
    node = require_node()
    src = modules("shapeRequest.js") + HARNESS
    return run(node, tmp_path_factory.mktemp("js"), src, contract=contract.as_json())


def test_a_bad_shape_is_one_line_naming_the_fault(got):
    assert got["errors"] == [
        "setShape: no mode6 (modes: mode1, mode2, mode3, mode4, mode5)",
        "setShape: mode1=3.5 SD is outside -3..3 SD",
        'setShape: mode2="1" is not a number of SD',
        "setShape: mode3=null is not a number of SD",
        "setShape: give {mode1: sd, ...} with modes mode1, mode2, mode3, mode4, mode5 in SD (-3..3)",
        "setShape: give {mode1: sd, ...} with modes mode1, mode2, mode3, mode4, mode5 in SD (-3..3)",
        "setShape: give {mode1: sd, ...} with modes mode1, mode2, mode3, mode4, mode5 in SD (-3..3)",
    ]
    # a partial shape keeps the other modes
    assert got["merged"] == {"mode1": 1, "mode2": -1.5, "mode3": 0, "mode4": 0, "mode5": 0}


def test_the_server_is_asked_and_the_promise_waits_for_that_scene(got):
    assert got["asked1"] == {"mode1": 1, "mode2": 0, "mode3": 0, "mode4": 0, "mode5": 0}
    # the second ask builds on the first (still on its way), and supersedes it
    assert got["asked2"] == {"mode1": 1, "mode2": -2, "mode3": 0, "mode4": 0, "mode5": 0}
    assert got["log"] == [
        ["first rejected", "setShape: mode 1 +1 SD was superseded by mode 1 +1 SD, mode 2 \u22122 SD"],
        ["second", got["asked2"]],
    ]
    assert got["building"] == "Building the shape (mode 1 +1 SD, mode 2 \u22122 SD)\u2026"
    assert got["cleared"] == ""
    assert got["got"] == got["asked2"]


def test_the_search_for_a_clinical_target_is_shown_then_cleared(got):
    assert got["finding"] == "Finding the shape with neck-shaft angle 130 deg\u2026"
    assert got["found"] == ""


def test_a_refusal_from_the_server_rejects_and_is_shown(got):
    why = "shape 1=1,2=-2,5=3 cannot be shown: the origin line leaves the pelvis"
    assert got["refusal"] == why and got["shown"] == [why]


def test_the_offline_page_holds_its_one_shape(got):
    assert got["offline"] == (
        "setShape: this offline page holds one shape (mode 1 +1 SD, mode 2 \u22122 SD); "
        "export another with gmed export-html --shape"
    )
