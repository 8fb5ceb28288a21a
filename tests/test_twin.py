"""The muscle's JS twin (viewer/app/js/muscleModel.js) under node, held to the Python generator.

The twin data is built from the live Python objects (``viewer.twin.twin_data``), never read
from a stored file, so a changed ``muscles/gluteus_medius.json`` or a field the JS reads but Python no longer
sends fails here. Without node the tests fail, naming what is missing.
"""

from __future__ import annotations

import copy
import itertools
import subprocess

import numpy as np
import pytest
from nodejs import TWIN_MODULES, modules, require_node, run, run_twin
from proximity import SurfaceDistance

from viewer import cli, data, geometry, presentation, twin
from viewer.anatomy import FRONTAL_RANGE, POSE_RANGE, SIDES, Pose
from viewer.muscles import JOINTS, gluteus_medius
from viewer.posed import Hip

#: The product asks for 0.5 mm. The twin repeats Python's arithmetic step by step and agrees
#: to about 1e-12 mm; this much tighter bound catches a slip (a pass, an order, a sign) that
#: 0.5 mm could hide.
SAME_ARITHMETIC_MM = 1e-6
#: ``gmed table`` prints one decimal.
PRINTED_MM = 0.5
PARTS = ("anterior", "middle", "posterior", "whole")

#: The read-out poses: the sweeps of ``gmed table`` (joint, from, to, step, the other angles),
#: reaching every range end (where the moment arm's difference is one-sided).
TABLES = (
    ("abduction", -15.0, 45.0, 10.0, {"flexion": 60.0, "rotation": -20.0}),
    ("flexion", 0.0, 60.0, 10.0, {"abduction": 45.0, "rotation": 30.0}),
    ("rotation", -20.0, 30.0, 10.0, {"abduction": -15.0, "flexion": 0.0}),
)


def _pose(p) -> Pose:
    return Pose(*map(float, p))


def grid_poses(n: int = 3) -> list[tuple]:
    """n x n x n poses over the whole range: corners, range ends and middles."""
    axes = [np.linspace(*POSE_RANGE[j], n) for j in JOINTS]
    return [tuple(float(x) for x in p) for p in itertools.product(*axes)]


def table_angles(start: float, stop: float, step: float) -> list[float]:
    """The angles of a ``gmed table`` sweep (as ``viewer.muscles.sweep`` steps them)."""
    count = int(np.floor((stop - start) / step + 1e-9)) + 1
    return [float(a) for a in np.minimum(start + step * np.arange(count), stop)]


def table_poses() -> list[tuple]:
    poses = []
    for joint, start, stop, step, fixed in TABLES:
        for angle in table_angles(start, stop, step):
            p = {**fixed, joint: angle}
            poses.append(tuple(p[j] for j in JOINTS))
    return poses


def random_poses(n: int = 200, seed: int = 15) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [tuple(float(rng.uniform(*POSE_RANGE[j])) for j in JOINTS) for _ in range(n)]


GRID, TABLE, RANDOM = grid_poses(), table_poses(), random_poses()
POSES = GRID + TABLE + RANDOM


@pytest.fixture(scope="module")
def node() -> str:
    return require_node()


@pytest.fixture(scope="module")
def hip(model) -> Hip:
    return Hip(model)


@pytest.fixture(scope="module")
def js(node, hip, tmp_path_factory) -> dict[str, dict]:
    """The twin's results for every pose, by side (twin data sent as bytes)."""
    twins = [twin.twin_data(hip, side) for side in SIDES]
    results, _ = run_twin(node, tmp_path_factory.mktemp("twin"), twins, POSES)
    return dict(zip(SIDES, results, strict=True))


def test_the_poses_cover_the_whole_range():
    assert len(RANDOM) >= 200 and len(TABLE) >= 20
    got = np.array(POSES)
    for k, joint in enumerate(JOINTS):
        assert (got[:, k].min(), got[:, k].max()) == POSE_RANGE[joint]
    corners = set(itertools.product(*(POSE_RANGE[j] for j in JOINTS)))
    assert corners <= set(GRID)


@pytest.mark.parametrize("side", SIDES)
def test_surface_ribbons_and_femur_match_python(hip, js, side):
    m, got = hip.muscles[side], js[side]
    worst = {"vertices": 0.0, "ribbons": 0.0, "matrix": 0.0}
    for i, p in enumerate(POSES):
        pose = _pose(p)
        s = m.surface(pose)
        want = {
            "vertices": s.vertices,
            "ribbons": hip.ribbon_points(side, s.superficial),
            "matrix": hip.model.femur_transform(side, pose).T.ravel(),
        }
        for key, value in want.items():
            assert got[key][i].shape == value.shape, key
            worst[key] = max(worst[key], float(np.abs(got[key][i] - value).max()))
        assert (got["turn"][i] > 0) == (s.faces is m.faces), p
    assert max(worst.values()) <= SAME_ARITHMETIC_MM, worst


@pytest.mark.parametrize("side", SIDES)
def test_readout_matches_python_lengths_and_moment_arms(hip, js, side):
    m = hip.muscles[side]
    for p in TABLE:
        i = POSES.index(p)
        pose = _pose(p)
        want = [m.lengths(pose)] + [m.moment_arms(pose, joint) for joint in JOINTS]
        want = np.array([[w[part] for part in PARTS] for w in want])
        np.testing.assert_allclose(
            js[side]["readout"][i], want, rtol=0, atol=SAME_ARITHMETIC_MM, err_msg=str(p)
        )


def _table(argv: list[str], capsys) -> dict[float, np.ndarray]:
    """What ``gmed table`` prints, by angle: [lengths, moment arms] by part (mm)."""
    assert cli.main(["table", *argv]) == 0
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        cells = line.split("|")
        if len(cells) == 3 and cells[1].split() and cells[1].split()[0][0].isdigit():
            angle = float(cells[0].split()[0])
            rows[angle] = np.array([[float(x) for x in c.split()] for c in cells[1:]])
    return rows


@pytest.mark.parametrize("side", SIDES)
def test_readout_matches_gmed_table(model, js, side, capsys, monkeypatch):
    monkeypatch.setattr("viewer.anatomy.HipModel", lambda: model)  # the same bones, loaded once
    checked = 0
    for joint, start, stop, step, fixed in TABLES:
        argv = ["--joint", joint, "--from", f"{start:g}", "--to", f"{stop:g}", "--step", f"{step:g}"]
        argv += ["--side", side] + [x for j, v in fixed.items() for x in (f"--{j}", f"{v:g}")]
        printed = _table(argv, capsys)
        assert sorted(printed) == table_angles(start, stop, step)
        for angle, want in printed.items():
            p = tuple({**fixed, joint: angle}[j] for j in JOINTS)
            got = js[side]["readout"][POSES.index(p)]
            q = 1 + JOINTS.index(joint)
            np.testing.assert_allclose(got[[0, q]], want, rtol=0, atol=PRINTED_MM, err_msg=f"{joint} {p}")
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("side", SIDES)
def test_js_surfaces_never_penetrate_bone(model, js, side):
    """tests/test_muscle.py's check on the JS vertices, over the same 3 x 3 x 3 poses."""
    hip_bone, femur = model.bones[f"hip_{side}"], model.bones[f"femur_{side}"]
    pelvis, femur_d = (
        SurfaceDistance(hip_bone.vertices, hip_bone.faces),
        SurfaceDistance(femur.vertices, femur.faces),
    )
    worst = np.inf
    for p in GRID:
        v = js[side]["vertices"][POSES.index(p)]
        worst = min(worst, pelvis.signed_distance(v).min())
        back = geometry.invert(model.femur_transform(side, _pose(p)))
        worst = min(worst, femur_d.signed_distance(geometry.apply(back, v)).min())
    assert worst > 0.0, worst


def test_json_and_bytes_give_the_same_numbers(node, hip, js, tmp_path):
    poses = GRID[:3] + RANDOM[:3]
    twins = [twin.twin_data(hip, side) for side in SIDES]
    results, _ = run_twin(node, tmp_path, twins, poses, binary=False)
    for side, got in zip(SIDES, results, strict=True):
        for key in ("matrix", "vertices", "ribbons", "turn", "readout"):
            np.testing.assert_array_equal(
                got[key], js[side][key][[POSES.index(p) for p in poses]], err_msg=key
            )


def test_heights_are_float32_values(hip):
    """Both twins interpolate the same heights: the browser receives them as float32."""
    for m in hip.muscles.values():
        for field in (m.pelvis_height, m.femur_height):
            assert np.array_equal(field.flat.astype(np.float32).astype(float), field.flat)
            assert (field.flat == field.EMPTY).any() and np.float32(field.EMPTY) == field.EMPTY


def _paths(value, prefix: str = "") -> list[str]:
    if not isinstance(value, dict):
        return [prefix]
    return [p for k, v in value.items() for p in _paths(v, f"{prefix}{k}" if not prefix else f"{prefix}.{k}")]


def test_every_field_is_read_and_a_missing_one_is_named(node, hip, tmp_path):
    """Python sends nothing the JS does not read, and the JS names a field Python stopped sending."""
    sent = twin.as_json(twin.twin_data(hip, "left"))
    paths = _paths(sent)
    got = run(
        node,
        tmp_path,
        modules(*TWIN_MODULES)
        + """
newMuscleModel(DATA.twin);
const errors = {};
for (const path of DATA.paths) {
  const d = structuredClone(DATA.twin), keys = path.split("."), last = keys.pop();
  delete keys.reduce((x, k) => x[k], d)[last];
  try { newMuscleModel(d); errors[path] = "no error"; } catch (e) { errors[path] = e.message; }
}
out(errors);
""",
        twin=sent,
        paths=paths,
    )
    assert len(paths) >= 25
    for path in paths:
        assert got[path] == f"muscle twin data (viewer.twin.twin_data) has no {path}", path


def test_the_twin_follows_changed_muscle_parameters(node, model, tmp_path):
    """Another resolution, smoothing, thickness, clearance and footprint in gluteus_medius.json: the JS
    follows the data it is given and still matches."""
    params = copy.deepcopy(data.muscle("gluteus_medius"))
    params["resolution"].update(fibres=19, samples=33, fibre_lines=7)
    params["smoothing_passes"], params["smoothing_overlap"] = 2, 4
    params["thickness"]["belly_mm"] = 12.0
    params["clearance_mm"]["free"] = 1.5
    params["attachment"]["until_v"] = 0.35
    hip = Hip(model)
    hip.style = {**hip.style, "fibre_width_mm": 2.5, "fibre_lift_mm": 0.7}
    poses = [GRID[0], GRID[-1], *RANDOM[:4]]
    for side in SIDES:
        hip.muscles[side] = gluteus_medius(model, side, params)
    twins = [twin.twin_data(hip, side) for side in SIDES]
    results, _ = run_twin(node, tmp_path, twins, poses)
    for side, got in zip(SIDES, results, strict=True):
        m = hip.muscles[side]
        for i, p in enumerate(poses):
            s = m.surface(_pose(p))
            assert got["vertices"][i].shape == s.vertices.shape == (2 * 19 * 33, 3)
            np.testing.assert_allclose(got["vertices"][i], s.vertices, rtol=0, atol=SAME_ARITHMETIC_MM)
            ribbons = hip.ribbon_points(side, s.superficial)
            np.testing.assert_allclose(got["ribbons"][i], ribbons, rtol=0, atol=SAME_ARITHMETIC_MM)
        want = [m.lengths(_pose(poses[1]))] + [m.moment_arms(_pose(poses[1]), j) for j in JOINTS]
        want = np.array([[w[part] for part in PARTS] for w in want])
        np.testing.assert_allclose(got["readout"][1], want, rtol=0, atol=SAME_ARITHMETIC_MM)


CHECKS = [
    ({"abduction": 0, "flexion": 95, "rotation": 0}, "flexion 95 is outside 0..90 degrees"),
    ({"abduction": -15.5, "flexion": 0, "rotation": 0}, "abduction -15.5 is outside -15..45 degrees"),
    ({"abduction": 0, "flexion": 0}, "rotation is missing: give degrees in -20..30"),
    (
        {"abduction": 0, "flexion": "10", "rotation": 0},
        'flexion "10" is not a finite number of degrees in 0..90',
    ),
    (
        {"abduction": 0, "flexion": 0, "rotation": None},
        "rotation null is not a finite number of degrees in -20..30",
    ),
]


def test_check_pose_names_the_field_its_value_and_range(node, hip, tmp_path):
    got = run(
        node,
        tmp_path,
        modules(*TWIN_MODULES)
        + """
const m = newMuscleModel(DATA.twin);
const msg = (f) => { try { f(); return "no error"; } catch (e) { return e.message; } };
out({
  checks: DATA.poses.map((p) => msg(() => m.checkPose(p))),
  nan: msg(() => m.checkPose({ abduction: NaN, flexion: 0, rotation: 0 })),
  inf: msg(() => m.surface({ abduction: 0, flexion: Infinity, rotation: 0 })),
  readout: msg(() => m.readout({ abduction: 46, flexion: 0, rotation: 0 })),
  ends: msg(() => [[-15, 0, -20], [45, 60, 30]].forEach(([abduction, flexion, rotation]) =>
    m.checkPose({ abduction, flexion, rotation }))),
});
""",
        twin=twin.as_json(twin.twin_data(hip, "right")),
        poses=[p for p, _ in CHECKS],
    )
    assert got["checks"] == [message for _, message in CHECKS]
    assert got["nan"] == "abduction NaN is not a finite number of degrees in -15..45"
    assert got["inf"] == "flexion Infinity is not a finite number of degrees in 0..90"
    assert got["readout"] == "abduction 46 is outside -15..45 degrees"
    assert got["ends"] == "no error"


def test_the_view_bundle_with_the_twin_parses(node, tmp_path):
    """muscleModel.js goes into the view's bundle right after util.js: no top-level name clashes."""
    from viewer.app import hipview  # Panel: imported here, the other tests run without it

    names = [n for n in hipview.JS_MODULES if n != "muscleModel.js"]
    names.insert(names.index("util.js") + 1, "muscleModel.js")
    path = tmp_path / "bundle.mjs"
    path.write_text(hipview.bundle(tuple(names)), encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


#: Frontal poses (pure ab/adduction, anatomy.FRONTAL_RANGE): the stance hip adducts past the
#: Explore range's -15 degrees to the frontal range's end.
FRONTAL = (FRONTAL_RANGE[0], -17.3, -15.0, 8.0, FRONTAL_RANGE[1])


@pytest.mark.parametrize("side", SIDES)
def test_frontal_poses_match_python(node, hip, side, tmp_path):
    """A frontal pose ({frontal: true}) reaches FRONTAL_RANGE: surface, femur and read-out as
    Python's ``Pose(abduction, frontal=True)``; a frontal pose with flexion, or an ordinary pose
    beyond POSE_RANGE, is refused with one line."""
    got = run(
        node,
        tmp_path,
        modules(*TWIN_MODULES)
        + """
const m = newMuscleModel(DATA.twin);
const poses = DATA.angles.map((a) => ({ abduction: a, flexion: 0, rotation: 0, frontal: true }));
const errors = [];
for (const bad of [{ abduction: -20, flexion: 0, rotation: 0 },
  { abduction: -21, flexion: 0, rotation: 0, frontal: true },
  { abduction: -10, flexion: 5, rotation: 0, frontal: true }]) {
  try { m.surface(bad); errors.push("no error"); } catch (e) { errors.push(e.message); }
}
out({ vertices: poses.map((p) => m.surface(p).vertices), matrix: poses.map((p) => m.femurMatrix(p)),
      readout: poses.map((p) => {
        const r = m.readout(p).by_part;
        return [r.length_mm, r.moment_arm_mm.abduction];
      }), errors });
""",
        twin=twin.as_json(twin.twin_data(hip, side)),
        angles=list(FRONTAL),
    )
    m = hip.muscles[side]
    for i, a in enumerate(FRONTAL):
        pose = Pose(abduction=a, frontal=True)
        want = m.surface(pose).vertices.ravel()
        np.testing.assert_allclose(got["vertices"][i], want, atol=SAME_ARITHMETIC_MM)
        np.testing.assert_allclose(
            got["matrix"][i], hip.model.femur_transform(side, pose).T.ravel(), atol=SAME_ARITHMETIC_MM
        )
        want = [m.lengths(pose), m.moment_arms(pose, "abduction")]
        for js, w in zip(got["readout"][i], want, strict=True):
            np.testing.assert_allclose([js[p] for p in PARTS], [w[p] for p in PARTS], atol=SAME_ARITHMETIC_MM)
    assert got["errors"] == [
        "abduction -20 is outside -15..45 degrees",
        "abduction -21 is outside -20..45 degrees",
        "a frontal pose has no flexion or rotation",
    ]


#: Poses for every fan muscle: neutral, the range ends (flexion 90 among them) and a few inside.
MUSCLE_POSES = (
    (0.0, 0.0, 0.0),
    (0.0, 90.0, 0.0),
    (30.0, 90.0, -20.0),
    (45.0, 0.0, 30.0),
    (-15.0, 45.0, 10.0),
    (20.0, 10.0, 0.0),
)


@pytest.mark.parametrize("side", SIDES)
def test_every_fan_muscle_twin_matches_python(node, hip, side, tmp_path):
    """Each muscle of the neighbourhood (minimus, medius, TFL, maximus) through its own twin data:
    surface, ribbons and femur as Python's, and the medius' data unchanged by the new argument."""
    muscles = hip.neighbourhoods[side].muscles
    assert set(muscles) == {"gluteus_minimus", "gluteus_medius", "tensor_fasciae_latae", "gluteus_maximus"}
    medius = twin.as_json(twin.twin_data(hip, side, "gluteus_medius"))
    assert medius == twin.as_json(twin.twin_data(hip, side))
    ids = list(muscles)
    twins = [twin.twin_data(hip, side, mid) for mid in ids]
    results, _ = run_twin(node, tmp_path, twins, list(MUSCLE_POSES), readout=False)
    width, lift = hip.style["fibre_width_mm"], hip.style["fibre_lift_mm"]
    for mid, got in zip(ids, results, strict=True):
        m = muscles[mid]
        rows = presentation.fibre_rows(m.nu, m.params["resolution"]["fibre_lines"])
        for i, p in enumerate(MUSCLE_POSES):
            pose = _pose(p)
            s = m.surface(pose)
            assert got["vertices"][i].shape == s.vertices.shape == (2 * m.nu * m.nv, 3), mid
            close = {"rtol": 0, "atol": SAME_ARITHMETIC_MM, "err_msg": mid}
            np.testing.assert_allclose(got["vertices"][i], s.vertices, **close)
            ribbons = presentation.ribbon_points(s.superficial, rows, width, lift)
            np.testing.assert_allclose(got["ribbons"][i], ribbons, **close)
            matrix = hip.model.femur_transform(side, pose).T.ravel()
            np.testing.assert_allclose(got["matrix"][i], matrix, rtol=0, atol=SAME_ARITHMETIC_MM)
