"""The view's ES modules (viewer/app/js/) under node: held to Python's poses and contract.

The bundle parses, the pure pose model draws the poses Python computes (the muscle model
itself is held to Python over many poses by test_twin.py), links and partial poses are
checked, and the keys follow the contract.

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
from nodejs import modules, require_node, run

from viewer import contract, data
from viewer.anatomy import Pose
from viewer.app import hipview

SIDE = "right"


@pytest.fixture(scope="module")
def node() -> str:
    return require_node()


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
pm.setScene(DATA.scene);
pm.setTopology({ muscleTris: U32(DATA.muscle_tris), ribbonTris: U32(DATA.ribbon_tris) });
const target = () => ({
  muscle: { points: new Float32Array(DATA.layout.muscle), normals: new Float32Array(DATA.layout.muscle) },
  ribbon: { points: new Float32Array(DATA.layout.ribbon), normals: new Float32Array(DATA.layout.ribbon) },
});
"""


def python_frame(scene, side: str, pose: Pose) -> dict:
    """What the page must draw for a pose, from the Python model itself."""
    m = scene.scene.muscles[side]
    s = m.surface(pose)
    return {
        "matrix": scene.model.femur_transform(side, pose).T.ravel().astype("<f4"),
        "muscle": s.vertices.ravel().astype("<f4"),
        "ribbon": scene.hip.ribbon_points(side, s.superficial).ravel().astype("<f4"),
        "length": m.lengths(pose)["whole"],
        "arms": {j: m.moment_arms(pose, j)["whole"] for j in ("abduction", "flexion", "rotation")},
    }


def js_scene(scene, side: str) -> dict:
    """The page's scene data (binary buffers as files), for the pose model of ``side``."""
    sd = scene.static
    muscle = sd["sides"][side]["muscle"]
    return {
        "scene": {"sides": {s: {"model": twin_json(scene, s)} for s in ("right", "left")}},
        "layout": sd["layout"],
        "muscle_tris": muscle["tris"],
        "ribbon_tris": muscle["ribbon_tris"],
    }


def twin_json(scene, side: str) -> dict:
    """The muscle model as JSON lists (muscleModel.js reads lists or binary alike)."""
    from viewer import twin

    return twin.as_json(twin.twin_data(scene.hip, side))


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


@pytest.mark.parametrize("side", ["right", "left"])
def test_pose_model_draws_the_python_pose(node, tmp_path, scene, side):
    """The drawn buffers of a pose: the femur matrix, muscle and ribbons Python computes, their
    normals, and the read-out; a bad pose is one clear error."""
    pose = Pose(20.0, 10.0, 5.0)
    got = run(
        node,
        tmp_path,
        modules("util.js", "muscleModel.js", "poseModel.js")
        + POSE_JS
        + """
const t = target();
const { matrix, readout } = pm.write({ side: DATA.side, abduction: 20, flexion: 10, rotation: 5 }, t);
const errors = [];
for (const bad of [{ side: "middle", abduction: 0, flexion: 0, rotation: 0 },
                   { side: DATA.side, abduction: 0, flexion: 95, rotation: 0 }]) {
  try { pm.checkPose(bad); errors.push("no error"); } catch (e) { errors.push(e.message); }
}
out({ matrix, points: t.muscle.points, normals: t.muscle.normals, rpoints: t.ribbon.points,
      rnormals: t.ribbon.normals, readout, errors });
""",
        side=side,
        **js_scene(scene, side),
    )
    want = python_frame(scene, side, pose)
    np.testing.assert_allclose(np.asarray(got["matrix"], "<f4"), want["matrix"], atol=1e-4)
    np.testing.assert_allclose(np.asarray(got["points"], "<f4"), want["muscle"], atol=1e-3)
    np.testing.assert_allclose(np.asarray(got["rpoints"], "<f4"), want["ribbon"], atol=1e-3)
    muscle = scene.static["sides"][side]["muscle"]
    np.testing.assert_allclose(got["normals"], normals(want["muscle"], muscle["tris"]), atol=2e-4)
    np.testing.assert_allclose(got["rnormals"], normals(want["ribbon"], muscle["ribbon_tris"]), atol=2e-4)
    assert got["readout"]["length_mm"] == pytest.approx(want["length"], abs=1e-3)
    for joint, arm in want["arms"].items():
        assert got["readout"]["moment_arm_mm"][joint] == pytest.approx(arm, abs=1e-3), joint
    assert got["errors"][0] == 'side must be one of right, left, not "middle"'
    assert "flexion 95" in got["errors"][1] and "0..90" in got["errors"][1]


#: api.js reads the stance's and the activity's hash fields with their modules: all, in bundle order
HASH_MODULES = modules("stanceState.js", "activityState.js", "poseModel.js", "api.js")


def run_hash(node, tmp_path, body: str) -> dict:
    """``body`` run after the hash's modules, with the contract as ``C``."""
    return run(
        node, tmp_path, HASH_MODULES + "const C = DATA.contract;\n" + body, contract=contract.as_json()
    )


def test_poses_merge_and_links_round_trip(node, tmp_path):
    """A partial pose (the JS API's setPose) and the URL hash that carries pose, view and stance.

    api.js reads the stance's hash fields with stanceState.js, so both are loaded, in bundle order.
    """
    got = run_hash(
        node,
        tmp_path,
        """
const base = { side: "right", abduction: 0, flexion: 0, rotation: 0 };
const errors = [];
for (const bad of [{ knee: 3 }, { flexion: "ten" }, { abduction: NaN }, null, [1]]) {
  try { mergePose(base, bad, "setPose"); errors.push("no error"); } catch (e) { errors.push(e.message); }
}
const hashErrors = [];
const bads = ["#abduction=abc", "#knee=2", "#flexion=", "#mode=run", "#strength=strong", "#phase=half"];
for (const bad of bads) {
  try { parseHash(bad, C); hashErrors.push("no error"); } catch (e) { hashErrors.push(e.message); }
}
const p = mergePose(base, { abduction: 12.5, side: "left" });
const h = poseHash(p, "lateral");
const stance = mergeStance(C, defaultStance(C), { strength: 20, lean: 7.5, cane_hand: "same", cane: 10 });
const hs = poseHash(p, "front", stance);
out({ p, h, back: parseHash(h, C), empty: parseHash("", C), errors, hashErrors, stance, hs,
      backStance: parseHash(hs, C),
      step: [stepAngle(C, "flexion", 89, 3), stepAngle(C, "abduction", -14, -3)] });
""",
    )
    assert got["p"] == {"side": "left", "abduction": 12.5, "flexion": 0, "rotation": 0}
    assert got["h"] == "#side=left&abduction=12.5&flexion=0&rotation=0&view=lateral"
    none = {"layers": None, "opacity": None, "peel": None, "activity": None}
    assert got["back"] == {"pose": got["p"], "view": "lateral", "mode": None, "stance": {}, **none}
    assert got["empty"] == {"pose": {}, "view": None, "mode": None, "stance": {}, **none}
    assert got["errors"] == [
        "setPose has no field knee (fields: side, abduction, flexion, rotation)",
        'flexion must be a finite number of degrees, not "ten"',
        "abduction must be a finite number of degrees, not null",
        "setPose must be an object like {side, abduction, flexion, rotation}",
        "setPose must be an object like {side, abduction, flexion, rotation}",
    ]
    fields = "side, abduction, flexion, rotation, view, mode, stance_side, strength, lean, body_mass, cane"
    fields += ", cane_hand, layers, opacity, peel, exercise, fault, exercise_side, gait, phase"
    assert got["hashErrors"] == [
        "URL: abduction=abc is not a number of degrees",
        f"URL: unknown field knee (fields: {fields})",
        "URL: flexion= is not a number of degrees",
        "URL: mode=run is not one of explore, stance, exercise, walk",
        "URL: strength=strong is not a number (%)",
        "URL: phase=half is not a number (0..1 of the repetition or cycle)",
    ]
    s = got["stance"]
    assert (s["strength"], s["lean"], s["cane"], s["cane_hand"]) == (20, 7.5, 10, "same")
    assert got["hs"] == (
        "#side=left&abduction=12.5&flexion=0&rotation=0&view=front&mode=stance"
        f"&stance_side={s['side']}&strength=20&lean=7.5&body_mass={s['body_mass']:g}&cane=10&cane_hand=same"
    )
    assert got["backStance"] == {"pose": got["p"], "view": "front", "mode": "stance", "stance": s, **none}
    assert got["step"] == [90, -15]


def test_each_side_sees_the_other_as_its_other_side_layer(node, tmp_path, scene):
    sd = scene.static
    bones = [{"id": b["id"]} for b in sd["bones"]]
    sides = {
        s: {
            "muscle": {"neutral": s, "tris": 0, "part": 0, "lod_tris": 0, "color": "#000"},
            "footprints": [],
            "labels": [],
        }
        for s in ("right", "left")
    }
    got = run(
        node,
        tmp_path,
        modules("util.js", "sides.js")
        + """
const sd = { bones: DATA.bones, sides: DATA.sides, colors: {}, layout: {} };
const view = (side) => sideScene(sd, side).meshes.map((m) => [m.id, m.group, m.moves]);
// the meshes drawn with some layers on (sceneActors.showLayers)
const shown = (side, layers) =>
  sideScene(sd, side).meshes.filter((m) => groupShown(new Set(layers), m.group)).map((m) => m.id);
out({ right: view("right"), left: view("left"), same: sideScene(sd, "left") === sideScene(sd, "left"),
      none: sideScene(sd, "middle"),
      defaults: shown("right", DATA.contract.default_layers),
      legs: shown("right", ["bones", "lower_legs"]),
      both: shown("right", ["lower_legs", "other_side"]) });
""",
        contract=contract.as_json(),
        bones=bones,
        sides=sides,
    )
    assert got["right"] == [
        ["sacrum", "bones", False],
        ["hip_right", "bones", False],
        ["hip_left", "other_side", False],
        ["femur_right", "bones", True],
        ["femur_left", "other_side", False],
        # the lower legs: the moving side's follows its femur; the other's needs both layers
        ["tibia_fibula_right", "lower_legs", True],
        ["tibia_fibula_left", ["lower_legs", "other_side"], False],
        ["patella_right", "lower_legs", True],
        ["patella_left", ["lower_legs", "other_side"], False],
        # the other side's medius: hidden with either layer (peeling hides both sides' medius)
        ["muscle_left", ["muscle", "other_side"], False],
    ]
    assert ["femur_left", "bones", True] in got["left"]
    assert ["muscle_right", ["muscle", "other_side"], False] in got["left"]
    assert ["tibia_fibula_left", "lower_legs", True] in got["left"]
    assert ["patella_right", ["lower_legs", "other_side"], False] in got["left"]
    assert got["same"] is True and got["none"] is None
    # off by default; on: the moving side's lower leg; with the other side: both lower legs
    legs = lambda names: [m for m in names if m.startswith(("tibia", "patella"))]  # noqa: E731
    assert legs(got["defaults"]) == []
    assert legs(got["legs"]) == ["tibia_fibula_right", "patella_right"]
    assert set(legs(got["both"])) == set(data.LEG_BONES)


# ---------------------------------------------------------------------------- input.js
KEYS_JS = """
const hip = { contract: DATA.contract, playing: false, standalone: false, labels_key: 0, layers: [] };
const target = new EventTarget();
const current = { side: "right", abduction: 0, flexion: 0, rotation: 0 };
const views = [];
const setPose = (changes) => { Object.assign(current, changes); return current; };
const keys = newKeys({ model: hip, root: null, current, stats: {}, setPose, target,
                       setView: (name) => views.push(name) });
const press = (key, n = 1) => {
  for (let i = 0; i < n; i++) {
    const e = new Event("keydown", { cancelable: true });
    e.key = key;
    target.dispatchEvent(e);
  }
  return current.abduction;
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
seen.views = views;
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
    assert c["views"]["keys"]["1"] == "anterior"
    assert got["views"] == ["anterior", "anterior"]  # JS orders the number keys: "1" first
    assert got["labels"] == 1 and got["playing"] is True
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
    assert got["views"] == ["lateral"]  # "1" is no longer a view key
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


# ---------------------------------------------------------------------------- framing
def test_the_page_frames_a_preset_as_the_exports_do(node, tmp_path, scene):
    """framing.js, with the numbers of the start-up cameras, puts the camera where
    viewer.presentation.camera does for the same aspect (the exports' rule)."""
    from viewer.app.startup import build

    cameras = build(scene).cameras
    aspects = [0.5, 1.0, 16 / 9, 3.2]
    got = run(
        node,
        tmp_path,
        modules("framing.js")
        + "\nout(Object.fromEntries(Object.entries(DATA.cameras).map(([side, views]) => [side, "
        + "Object.fromEntries(Object.entries(views).map(([v, cam]) => "
        + "[v, DATA.aspects.map((a) => framedCamera(cam, a).position)]))])));",
        cameras=cameras,
        aspects=aspects,
    )
    for side, views in got.items():
        for view, positions in views.items():
            for aspect, position in zip(aspects, positions, strict=True):
                want, focal, _ = scene.scene.camera(view, side, aspect)
                np.testing.assert_allclose(position, want, atol=1e-9)
                np.testing.assert_allclose(cameras[side][view]["focal_point"], focal, atol=1e-12)


def test_activities_merge_and_round_trip_the_hash(node, tmp_path):
    """What the Exercise and Walk modes show (activityState.js): one clear line per bad field,
    a new exercise drops a fault it does not have, and the hash carries it both ways."""
    got = run_hash(
        node,
        tmp_path,
        """
const base = defaultActivity(C);
const errors = [];
for (const bad of [{ exercise: "plank" }, { gait: "limp" }, { fault: "x" }, { side: "up" }, { phase: 1.5 },
                   { phase: "0.5" }, { speed: 2 }, null]) {
  try { mergeActivity(C, base, bad); errors.push("no error"); } catch (e) { errors.push(e.message); }
}
const ask = { exercise: "single_leg_squat", fault: "knee_collapse", side: "left", phase: 0.25 };
const squat = mergeActivity(C, base, ask);
const clam = mergeActivity(C, squat, { exercise: "clamshell" });
const pose = { side: "right", abduction: 0, flexion: 0, rotation: 0 };
const he = poseHash(pose, null, null, null, { mode: "exercise", ...squat });
const walk = mergeActivity(C, base, { gait: "duchenne", phase: 0.3333 });
const hw = poseHash(pose, null, null, null, { mode: "walk", ...walk });
out({ base, errors, squat, clam, he, hw, backE: parseHash(he, C), backW: parseHash(hw, C),
      steps: [stepPhase(C, 0.98, 1), stepPhase(C, 0, -1), stepPhase(C, 0.5, 2)] });
""",
    )
    ids = ", ".join(contract.activity()["exercises"])
    assert got["base"] == {
        "exercise": "side_lying_hip_abduction",
        "fault": None,
        "side": "right",
        "gait": "normal",
        "phase": 0,
    }
    assert got["errors"] == [
        f'unknown exercise "plank"; choose from {ids}',
        'unknown gait "limp"; choose from normal, trendelenburg, duchenne',
        'exercise side_lying_hip_abduction has no fault "x"; its faults: none',
        'side must be one of right, left, not "up"',
        "phase must be a number in 0..1 (of the repetition or cycle), not 1.5",
        'phase must be a number in 0..1 (of the repetition or cycle), not "0.5"',
        "setActivity has no field speed (fields: exercise, fault, side, gait, phase)",
        "setActivity must be an object like {exercise, fault, side, gait, phase}",
    ]
    assert got["squat"]["fault"] == "knee_collapse" and got["clam"]["fault"] is None
    assert got["he"].endswith(
        "&mode=exercise&exercise=single_leg_squat&exercise_side=left&fault=knee_collapse&phase=0.25"
    )
    assert got["hw"].endswith("&mode=walk&gait=duchenne&phase=0.333")
    assert got["backE"]["mode"] == "exercise"
    assert got["backE"]["activity"] == {
        "exercise": "single_leg_squat", "side": "left", "fault": "knee_collapse", "phase": 0.25
    }  # fmt: skip
    assert got["backW"]["mode"] == "walk" and got["backW"]["activity"] == {"gait": "duchenne", "phase": 0.333}
    assert got["steps"] == [0.0, 0.98, 0.54]
