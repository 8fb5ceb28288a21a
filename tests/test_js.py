"""The view's ES modules (viewer/app/js/) under node: held to Python's frames and contract.

The bundle parses, the pure pose model slices and blends frames that Python built, and the
keys follow the contract.

Each test runs a small ES module (some of the view's files concatenated, then a harness) in
``node``; without node they fail, naming what is missing. The page itself is tested in
Chromium by tests/e2e.
"""

from __future__ import annotations

import copy
import json
import subprocess

import numpy as np
import pytest
from nodejs import find_node, modules, run

from viewer import contract
from viewer.anatomy import Pose
from viewer.app import hipview

SIDE = "right"


@pytest.fixture(scope="module")
def node() -> str:
    found = find_node()
    if not found:
        pytest.fail(
            "node (v18+) is needed to run the view's JS modules: not found on PATH or at /usr/bin/node"
        )
    return found


@pytest.fixture(scope="module")
def scene():
    from viewer.app.payload import shared_scene

    return shared_scene()


def f32(b: bytes) -> np.ndarray:
    return np.frombuffer(b, "<f4")


# ---------------------------------------------------------------------------- the bundle
def test_bundle_parses_and_exports_render(node, tmp_path):
    path = tmp_path / "bundle.mjs"
    path.write_text(hipview.bundle(), encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    got = run(node, tmp_path, f"const m = await import({json.dumps(path.as_uri())});\nout(Object.keys(m));")
    assert got == ["render"]


def test_a_name_declared_twice_breaks_the_bundle(node, tmp_path):
    """The check above would catch two files declaring the same top-level name."""
    path = tmp_path / "twice.mjs"
    path.write_text(hipview.bundle(("util.js", "util.js", "view.js")), encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode != 0 and "SyntaxError" in checked.stderr
    assert "has already been declared" in checked.stderr


# ---------------------------------------------------------------------------- poseModel.js
POSE_JS = """
const pm = newPoseModel();
pm.setLayout({ layout: DATA.layout, muscleTris: U32(DATA.muscle_tris), ribbonTris: U32(DATA.ribbon_tris) });
const target = () => ({
  muscle: { points: new Float32Array(DATA.layout.muscle), normals: new Float32Array(DATA.layout.muscle) },
  ribbon: { points: new Float32Array(DATA.layout.ribbon), normals: new Float32Array(DATA.layout.ribbon) },
});
"""


def python_frame(scene, pose: Pose) -> dict:
    """What Python puts in a frame, from the model itself (not from the frame bytes)."""
    s = scene.scene.muscles[SIDE].surface(pose)
    return {
        "matrix": scene.model.femur_transform(SIDE, pose).T.ravel().astype("<f4"),
        "muscle": s.vertices.ravel().astype("<f4"),
        "ribbon": scene.hip.ribbon_points(SIDE, s.superficial).ravel().astype("<f4"),
    }


def topology(scene) -> dict:
    static = scene.static[SIDE]
    return {
        "layout": static["layout"],
        "muscle_tris": static["muscle"]["tris"],
        "ribbon_tris": static["muscle"]["ribbon_tris"],
    }


def normals(points: np.ndarray, tris: bytes) -> np.ndarray:
    """Area-weighted unit vertex normals, as util.js vertexNormals computes them."""
    p = points.reshape(-1, 3).astype(float)
    t = np.frombuffer(tris, "<u4").reshape(-1, 3)
    face = np.cross(p[t[:, 1]] - p[t[:, 0]], p[t[:, 2]] - p[t[:, 0]])
    n = np.zeros_like(p)
    for k in range(3):
        np.add.at(n, t[:, k], face)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return (n / np.where(length > 0, length, 1)).ravel()


def test_pose_model_slices_a_python_frame_exactly(node, tmp_path, scene):
    pose = Pose(20.0, 10.0, 5.0)
    frame, _ = scene.frame(SIDE, pose)
    got = run(
        node,
        tmp_path,
        modules("util.js", "poseModel.js")
        + POSE_JS
        + """
const all = F32(DATA.frame);
const f = pm.slice(all, 0);
const t = target();
const m = pm.writeFrame(all, 0, t);
out({ n: pm.frameFloats(), matrix: f.matrix, muscle: f.muscle, ribbon: f.ribbon, written: m,
      points: t.muscle.points, normals: t.muscle.normals,
      rpoints: t.ribbon.points, rnormals: t.ribbon.normals });
""",
        frame=frame,
        **topology(scene),
    )
    want = python_frame(scene, pose)
    assert got["n"] * 4 == len(frame) == scene.layout.floats * 4
    for key in ("matrix", "muscle", "ribbon"):
        np.testing.assert_array_equal(np.asarray(got[key], "<f4"), want[key], err_msg=key)
    np.testing.assert_array_equal(np.asarray(got["written"], "<f4"), want["matrix"])
    np.testing.assert_array_equal(np.asarray(got["points"], "<f4"), want["muscle"])
    np.testing.assert_array_equal(np.asarray(got["rpoints"], "<f4"), want["ribbon"])
    static = scene.static[SIDE]["muscle"]
    np.testing.assert_allclose(got["normals"], normals(want["muscle"], static["tris"]), atol=2e-4)
    np.testing.assert_allclose(got["rnormals"], normals(want["ribbon"], static["ribbon_tris"]), atol=2e-4)


def test_pose_model_blends_two_sweep_frames_at_half_to_their_mean(node, tmp_path, scene):
    a, _ = scene.frame(SIDE, Pose(10.0))
    b, _ = scene.frame(SIDE, Pose(11.0))
    got = run(
        node,
        tmp_path,
        modules("util.js", "poseModel.js")
        + POSE_JS
        + """
pm.setSweep(F32(DATA.sweep));
const t = target(), ta = target(), tb = target();
const m = pm.writeBlend(0, 1, 0.5, t);
pm.writeFrame(F32(DATA.sweep), 0, ta);
pm.writeFrame(F32(DATA.sweep), pm.frameFloats(), tb);
const at = sweepPosition([10, 11, 12], 10.5);
out({ frames: pm.sweepFrames(), matrix: m, muscle: t.muscle.points, ribbon: t.ribbon.points,
      normals: t.muscle.normals, na: ta.muscle.normals, nb: tb.muscle.normals, at,
      exact: sweepIndex([10, 11, 12], 11), off: sweepIndex([10, 11, 12], 11.5),
      nearest: sweepIndex([10, 11, 12], 99, true),
      read: blendReadout({ length: [100, 110], moment_arm: [40, 50] }, 0, 1, 0.5) });
""",
        sweep=a + b,
        **topology(scene),
    )
    fa, fb = f32(a).astype(float), f32(b).astype(float)
    mean = (fa + fb) / 2
    lay = scene.static[SIDE]["layout"]
    m, nm = lay["matrix"], lay["muscle"]
    assert got["frames"] == 2
    np.testing.assert_allclose(got["matrix"], mean[:m], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(got["muscle"], mean[m : m + nm], rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(got["ribbon"], mean[m + nm :], rtol=1e-6, atol=1e-4)
    assert np.abs(np.asarray(got["muscle"]) - fa[m : m + nm]).max() > 0.1  # the frames differ
    np.testing.assert_allclose(got["normals"], (np.asarray(got["na"]) + np.asarray(got["nb"])) / 2, atol=1e-6)
    assert got["at"] == {"i0": 0, "i1": 1, "w": 0.5}
    assert (got["exact"], got["off"], got["nearest"]) == (1, -1, 2)
    assert got["read"] == {"length": 105, "moment_arm": 45}


# ---------------------------------------------------------------------------- input.js
KEYS_JS = """
const hip = { contract: DATA.contract, angle: 0, playing: false, standalone: true,
              view_key: "", view_key_nonce: 0, labels_key: 0 };
const target = new EventTarget();
const keys = newKeys({ model: hip, root: null, current: { angle: 0 }, stats: {}, showLocal: () => false,
                       target });
const press = (key, n = 1) => {
  for (let i = 0; i < n; i++) {
    const e = new Event("keydown", { cancelable: true });
    e.key = key;
    target.dispatchEvent(e);
  }
  return hip.angle;
};
"""


def press_keys(node, tmp_path, c: dict) -> dict:
    return run(
        node,
        tmp_path,
        modules("util.js", "poseModel.js", "input.js")
        + KEYS_JS
        + """
const seen = {};
seen.up = press(DATA.contract.keys.step_up[0], 100);
seen.down = press(DATA.contract.keys.step_down[0], 100);
seen.back = press(DATA.contract.keys.step_up[0], 1);
seen.arrow = press("ArrowRight", 3);
press(Object.keys(DATA.contract.views.keys)[0]);
press("1");
seen.view = [hip.view_key, hip.view_key_nonce];
press(DATA.contract.keys.labels[0]);
seen.labels = hip.labels_key;
press(DATA.contract.keys.play[0]);
seen.playing = hip.playing;
keys.delete();
seen.after = press(DATA.contract.keys.step_up[0], 5);
out(seen);
""",
        contract=c,
    )


def test_arrow_keys_clamp_at_the_contract_range(node, tmp_path):
    c = contract.as_json()
    lo, hi = c["pose_range"]["abduction"]
    got = press_keys(node, tmp_path, c)
    assert (got["up"], got["down"], got["back"]) == (hi, lo, lo + c["step_deg"])
    assert "1" in c["views"]["keys"]
    assert got["view"] == ["1", 2] and got["labels"] == 1 and got["playing"] is True
    assert got["after"] == got["arrow"]  # delete() removed the listener


def test_keys_follow_a_different_contract(node, tmp_path):
    """Another range, step and keys in the contract: the JS follows, so it reads them."""
    c = copy.deepcopy(contract.as_json())
    c["pose_range"]["abduction"] = [-4.0, 7.0]
    c["step_deg"] = 2.0
    c["keys"]["step_up"] = ["d"]
    c["keys"]["step_down"] = ["a"]
    c["keys"]["labels"] = ["k"]
    c["views"]["keys"] = {"7": "lateral"}
    got = press_keys(node, tmp_path, c)
    assert (got["up"], got["down"], got["back"]) == (7, -4, -2)
    assert got["arrow"] == -2  # ArrowRight is no longer a step key
    assert got["view"] == ["7", 1]  # "1" is no longer a view key
    assert got["labels"] == 1


def test_a_contract_without_a_field_is_one_clear_error(node, tmp_path):
    c = copy.deepcopy(contract.as_json())
    del c["keys"]["play"]
    del c["views"]["view_angle_deg"]
    got = run(
        node,
        tmp_path,
        modules("util.js", "view.js")
        + "checkContract(DATA.full);\n"
        + "try { checkContract(DATA.contract); out('no error'); } catch (e) { out(String(e)); }",
        contract=c,
        full=contract.as_json(),
    )
    assert got == "Error: HipView.contract (viewer.contract.as_json()) has no views.view_angle_deg, keys.play"
