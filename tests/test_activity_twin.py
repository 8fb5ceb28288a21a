"""The exercises' and the gait's JS twin (viewer/app/js/activityModel.js) under node, held to Python.

Every bone matrix of every exercise (both sides, through the repetition and in its faults) and
of the gait cycle (three variants, both legs), the gait frames' angles, timing and trunk axis
must agree with ``viewer.exercise_presentation.bone_matrices``, ``Exercise.timeline``,
``Gait.frame`` and ``viewer.gait_presentation`` to 1e-9 (mm, degrees).
"""

from __future__ import annotations

import numpy as np
import pytest
from nodejs import modules, require_node, run

from viewer import gait_presentation as gp
from viewer import twin
from viewer.anatomy import SIDES
from viewer.exercise_presentation import band_strands, bone_matrices
from viewer.mechanics import activity_twin, exercises
from viewer.mechanics.gait import VARIANTS, Gait
from viewer.mechanics.stance import StanceModel
from viewer.posed import Hip

SAME = 1e-9
COUNT = 7  # poses per repetition
PERCENTS = [0.0, 3.0, 6.21, 10.0, 16.0, 29.5, 40.0, 50.0, 56.21, 66.0, 80.0, 96.0, 99.9]


@pytest.fixture(scope="module")
def data(model) -> dict:
    hip = Hip(model)
    return twin.as_json(activity_twin.twin_data(hip.model, hip.muscles, StanceModel(hip)))


HARNESS = """
const m = newActivityModel(DATA.twin);
const colMajor = (b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.from(v)]));
const ex = [];
for (const e of m.exercises) for (const side of ["right", "left"]) {
  const poses = [];
  for (let k = 0; k < DATA.count; k++) poses.push(m.poseAt(e, k / (DATA.count - 1)));
  for (const f of e.faults) poses.push(m.faultPose(e, f.id));
  const placed = poses.map((p) => m.exerciseMatrices(e, side, p));
  const bones = placed.map((x) => colMajor(x.bones));
  ex.push({ id: e.id, side, poses, bones, band: placed.map((x) => x.band) });
}
const gait = [];
for (const v of m.variants) for (const pct of DATA.percents) {
  const f = m.gaitFrame(v, pct), g = m.gaitMatrices(f, DATA.trunk_mm);
  gait.push({ v, pct, frame: f, bones: colMajor(g.bones), trunk: g.trunk });
}
const errors = [];
const clam = m.exercise("clamshell");
const bads = [() => m.exercise("plank"), () => m.checkVariant("limp"), () => m.faultPose(clam, "x")];
for (const bad of bads) {
  try { bad(); errors.push(null); } catch (err) { errors.push(err.message); }
}
out({ ex, gait, errors, ids: m.ids });
"""


@pytest.fixture(scope="module")
def js(data, tmp_path_factory) -> dict:
    source = modules("stanceModel.js", "activityModel.js") + HARNESS
    return run(
        require_node(), tmp_path_factory.mktemp("activity"), source,
        twin=data, count=COUNT, percents=PERCENTS, trunk_mm=gp.TRUNK_MM,
    )  # fmt: skip


def _col_major(m: np.ndarray) -> np.ndarray:
    return np.asarray(m).T.ravel()


def test_the_gallery_in_order(js):
    assert js["ids"] == list(exercises.ids())


@pytest.fixture(scope="module")
def hip(model) -> Hip:
    return Hip(model)


def test_exercise_matrices_match_python(js, hip):
    worst, n = 0.0, 0
    for got in js["ex"]:
        e = exercises.exercise(got["id"])
        want_poses = e.timeline(COUNT) + [f.at for f in e.faults]
        assert len(got["poses"]) == len(want_poses)
        for pose, bones, band, want in zip(got["poses"], got["bones"], got["band"], want_poses, strict=True):
            angles = [pose["abduction"], pose["flexion"], pose["rotation"], pose["knee_flexion"]]
            p = want.pose
            assert np.allclose(
                angles, [p.abduction, p.flexion, p.rotation, want.knee_flexion], atol=SAME, rtol=0
            )
            ref = bone_matrices(hip, e, got["side"], want)
            assert set(bones) == set(ref)
            strands = band_strands(hip, e, ref)
            assert len(band) == len(strands) == (2 if e.id == "lateral_band_walk" else 0)
            if len(strands):
                worst = max(worst, float(np.abs(np.array(band) - strands).max()))
            for b, m in ref.items():
                worst = max(worst, float(np.abs(np.array(bones[b]) - _col_major(m)).max()))
                n += 1
    assert n == 9 * (6 * 2 * COUNT + 2 * 2)  # 9 bones; two exercises have a fault
    assert worst < SAME, worst


def test_gait_frames_match_python(js, hip):
    stance = StanceModel(hip)
    gaits = {v: Gait(v, stance) for v in VARIANTS}
    worst = 0.0
    for got in js["gait"]:
        want = gaits[got["v"]].frame(got["pct"])
        f = got["frame"]
        assert f["gmed_active"] == want.gmed_active
        scalars = [f["percent"], f["pelvic_obliquity_deg"], f["trunk_lean_deg"]]
        ref = [want.percent, want.pelvic_obliquity_deg, want.trunk_lean_deg]
        for s in SIDES:
            scalars += [f["hips"][s]["abduction"], f["hips"][s]["flexion"], f["knees"][s]]
            ref += [want.hips[s].abduction, want.hips[s].flexion, want.knees[s]]
        worst = max(worst, float(np.abs(np.subtract(scalars, ref)).max()))
        for b, m in gp.bone_matrices(hip, want).items():
            worst = max(worst, float(np.abs(np.array(got["bones"][b]) - _col_major(m)).max()))
        worst = max(worst, float(np.abs(np.array(got["trunk"]) - gp.trunk_axis(hip, want)).max()))
    assert len(js["gait"]) == 3 * len(PERCENTS)
    assert worst < SAME, worst


def test_the_weak_gaits_differ_in_the_page(js):
    drop = {
        v: max(abs(g["frame"]["pelvic_obliquity_deg"]) for g in js["gait"] if g["v"] == v) for v in VARIANTS
    }
    lean = {v: max(abs(g["frame"]["trunk_lean_deg"]) for g in js["gait"] if g["v"] == v) for v in VARIANTS}
    assert drop["trendelenburg"] > drop["normal"] + 3.0
    assert lean["duchenne"] > 10.0 and lean["normal"] == lean["trendelenburg"] == 0.0


def test_bad_ids_give_one_line(js):
    ids = ", ".join(exercises.ids())
    assert js["errors"][0] == f'unknown exercise "plank"; choose from {ids}'
    assert js["errors"][1] == 'unknown gait "limp"; choose from normal, trendelenburg, duchenne'
    assert js["errors"][2].startswith('exercise clamshell has no fault "x"')


def test_the_card_lever_is_pythons(data, hip):
    e = exercises.exercise("clamshell")
    sent = next(x for x in data["exercises"] if x["id"] == "clamshell")
    assert sent["lever"]["right"] == exercises.lever(hip.muscles["right"], e.key_pose)
    # the clamshell's teaching point: flexed 40 degrees, every part rotates internally
    assert all(p["rotation_mm"] > 0 for k, p in sent["lever"]["right"].items() if k != "whole")
