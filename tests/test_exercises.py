"""The exercise gallery: cited figures and order, the data file's checks, the poses, the room, the CLI."""

import csv
import json
import re

import numpy as np
import pytest
from proximity import SurfaceDistance

from viewer import cli, data, geometry
from viewer.exercise_presentation import band_strands, bone_matrices, leg_poses, present_exercise
from viewer.mechanics import exercises
from viewer.muscles import gluteus_medius
from viewer.posed import Hip

#: The gallery, highest cited gluteus medius activity first (annotations/exercises.json).
ORDER = [
    "side_lying_hip_abduction",  # 81 +/- 42 % MVIC, Distefano 2009
    "single_leg_squat",  # 64, Distefano 2009 (secondary)
    "lateral_band_walk",  # 61, Distefano 2009 (secondary)
    "hop_and_land",  # 48 +/- 25, Distefano 2009
    "clamshell",  # 40 +/- 38, Distefano 2009
    "hip_hike",  # 37.7 +/- 15.1, Selkowitz 2013 (secondary)
]


@pytest.fixture(scope="module")
def hip(model):
    return Hip(model)


def test_gallery_is_ordered_by_the_cited_figures():
    g = exercises.gallery()
    assert [e.id for e in g] == ORDER
    pct = [e.activity.pct_mvic for e in g]
    assert pct == sorted(pct, reverse=True) and len(set(pct)) == len(pct)
    assert pct == [81, 64, 61, 48, 40, 37.7]


def test_every_figure_is_the_one_its_source_entry_records():
    sources = data.annotation("exercises")["sources"]
    for e in exercises.gallery():
        a = e.activity
        read = sources[a.source]["used_for"]
        figure = f"{a.pct_mvic:g}" + ("" if a.sd is None else f" +/- {a.sd:g}")
        assert figure in read, (e.id, figure)
        assert a.citation == sources[a.source]["citation"]
        # a figure read only in a secondary text says so, in the file and on screen
        assert a.verified == sources[a.source].get("verified", True) or not a.verified
        if not a.verified:
            assert "secondary" in a.detail or sources[a.source].get("verified") is False


def _broken(tmp_path, change):
    d = json.loads((data.ANNOTATION_DIR / "exercises.json").read_text())
    change(d)
    p = tmp_path / "exercises.json"
    p.write_text(json.dumps(d))
    with pytest.raises(data.DataError) as err:
        exercises.load(p)
    return str(err.value)


def _set(*path, value):
    def change(d):
        node = d["exercises"]
        for key in path[:-1]:
            node = node[key]
        if value is None:
            node.pop(path[-1])
        else:
            node[path[-1]] = value(d) if callable(value) else value

    return change


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (_set(0, "activity", "source", value="nobody2020"), "exercises[0].activity.source", "not in sources"),
        (_set(1, "key_pose", value=7), "exercises[1].key_pose", "key frames"),
        (_set(2, "key_frames", 0, "flexion", value=120), "exercises[2].key_frames[0].flexion", "120"),
        (_set(3, "other_leg", "rotation", value=-40), "exercises[3].other_leg.rotation", "-40"),
        (_set(4, "id", value=lambda d: d["exercises"][0]["id"]), "exercises[4].id", "twice"),
        (_set(0, "activity", "pct_mvic", value=None), "exercises[0].activity", "pct_mvic"),
        (_set(5, "id", value="Hip Hike"), "exercises[5].id", "does not match"),
        (_set(0, "camera_direction", value=[0, 0, 0]), "exercises[0].camera_direction", "zero"),
    ],
)
def test_a_bad_file_names_the_file_the_field_and_the_problem(tmp_path, change, field, problem):
    message = _broken(tmp_path, change)
    assert message.startswith("exercises.json: ") or "exercises.json: " in message, message
    assert field in message and problem in message, message
    assert "\n" not in message


def test_timeline_runs_through_the_key_frames():
    e = exercises.exercise("clamshell")
    t = e.timeline(9)
    assert [p.pose for p in (t[0], t[4], t[8])] == [f.pose for f in e.frames]
    rot = [p.pose.rotation for p in t]
    assert rot[2] == pytest.approx(-10.0) and min(rot) == -20.0
    with pytest.raises(ValueError, match="unknown exercise 'plank'; choose from side_lying_hip_abduction"):
        exercises.exercise("plank")


def test_flexion_turns_the_clamshell_rotators_internal(model):
    """Why the clamshell works the hip differently: at 40 degrees of flexion every part of the
    gluteus medius rotates the thigh internally (Delp 1999 pattern), while at the side-lying
    abduction's 0 degrees the posterior part rotates it externally; every part abducts in both."""
    m = gluteus_medius(model, "right")
    clam = exercises.lever(m, exercises.exercise("clamshell").key_pose)
    side = exercises.lever(m, exercises.exercise("side_lying_hip_abduction").key_pose)
    parts = ("anterior", "middle", "posterior")
    assert all(clam[p]["rotation_mm"] > 10 for p in parts), clam
    assert side["posterior"]["rotation_mm"] < -5 < 5 < side["anterior"]["rotation_mm"], side
    assert all(x[p]["abduction_mm"] > 25 for x in (clam, side) for p in parts)
    # a shorter lever at 40 degrees of flexion than at 0: each part's abduction arm falls
    assert all(clam[p]["abduction_mm"] < side[p]["abduction_mm"] for p in parts)


@pytest.mark.parametrize("ex", ORDER)
def test_no_muscle_enters_bone_in_any_exercise_pose(model, ex):
    e = exercises.exercise(ex)
    hip_bone = SurfaceDistance(model.bones["hip_right"].vertices, model.bones["hip_right"].faces)
    femur = SurfaceDistance(model.bones["femur_right"].vertices, model.bones["femur_right"].faces)
    m = gluteus_medius(model, "right")
    for at in (*e.frames, *(f.at for f in e.faults)):
        v = m.surface(at.pose).vertices
        back = geometry.invert(model.femur_transform("right", at.pose))
        assert hip_bone.signed_distance(v).min() > 0.0, at
        assert femur.signed_distance(geometry.apply(back, v)).min() > 0.0, at
        # the femur's head stays in the socket: no femur vertex deep in the hip bone
        f = geometry.apply(model.femur_transform("right", at.pose), model.bones["femur_right"].vertices[::4])
        assert hip_bone.signed_distance(f).min() > -3.0, at


@pytest.mark.parametrize("ex", ORDER)
def test_no_neighbour_enters_bone_in_any_exercise_pose(hip, ex):
    """The minimus, maximus and TFL drawn with the exercise stay out of the hip bone and the femur
    at every key frame and fault (measured: at least 0.19 mm out)."""
    e = exercises.exercise(ex)
    model, n = hip.model, hip.neighbourhoods["right"]
    hip_bone = SurfaceDistance(model.bones["hip_right"].vertices, model.bones["hip_right"].faces)
    femur = SurfaceDistance(model.bones["femur_right"].vertices, model.bones["femur_right"].faces)
    for at in (*e.frames, *(f.at for f in e.faults)):
        surfaces = n.surfaces(at.pose)
        back = geometry.invert(model.femur_transform("right", at.pose))
        for sid in ("gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae"):
            v = surfaces[sid].vertices
            assert hip_bone.signed_distance(v).min() > 0.0, (sid, at)
            assert femur.signed_distance(geometry.apply(back, v)).min() > 0.0, (sid, at)


def _lowest(hip, matrices, bones):
    return min(geometry.apply(matrices[b], hip.model.bones[b].vertices)[:, 1].min() for b in bones)


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_room_plants_the_right_foot_and_turns_the_working_side_up(hip, side):
    other = "left" if side == "right" else "right"
    for e in exercises.gallery():
        m = bone_matrices(hip, e, side)
        working, resting = (
            _lowest(hip, m, [f"tibia_fibula_{side}"]),
            _lowest(hip, m, [f"tibia_fibula_{other}"]),
        )
        pres = present_exercise(hip, e, side, aspect=1.0)
        floor = next(i for i in pres.items if i.name == "floor")
        top = floor.vertices[:, 1].max()
        assert top == pytest.approx(_lowest(hip, m, list(m)))  # the floor under the lowest bone
        if e.body == "standing_one_leg":  # on the working leg, the other foot clear of the floor
            assert working == pytest.approx(top) and resting > top + 20.0, e.id
        elif e.body == "standing":  # on the other leg
            assert resting == pytest.approx(top), e.id
        else:  # lying on the other side: the working trochanter above the other's
            tip = {s: hip.model.landmark(f"greater_trochanter_tip_{s}")[None] for s in (side, other)}
            up = {s: geometry.apply(m[f"femur_{s}"], tip[s])[0, 1] for s in (side, other)}
            assert up[side] > up[other] + 150.0, (e.id, up)
        # both medius drawn in their legs' poses, placed with the pelvis
        assert {i.name for i in pres.items if i.kind == "muscle"} == {"muscle_right", "muscle_left"}
        assert set(leg_poses(e, side)) == {"right", "left"}


def test_the_knee_falls_in_with_the_fault(hip):
    """In the single-leg squat's fault the foot stays planted and the knee moves toward the midline."""
    e = exercises.exercise("single_leg_squat")
    knee = {}
    for fault in (None, "knee_collapse"):
        m = bone_matrices(hip, e, "right", e.at(fault))
        knee[fault] = geometry.apply(m["femur_right"], hip.model.knee_centre("right")[None])[0]
    assert knee[None][2] - knee["knee_collapse"][2] > 30.0  # z is to the right: the knee moves medially


def test_the_band_walk_has_its_band_round_both_shanks(hip):
    """The band: two strands from shank to shank, each end on its shank above the ankle (the
    tibia moves it rigidly), in the picture with its colour; no other exercise has one."""
    assert [e.id for e in exercises.gallery() if e.band] == ["lateral_band_walk"]
    ex = exercises.exercise("lateral_band_walk")
    band = ex.band
    for at in ex.timeline(5):
        m = bone_matrices(hip, ex, "right", at)
        strands = band_strands(hip, ex, m)
        assert strands.shape == (2, 2, 3)
        for k, side in enumerate(("right", "left")):
            ankle = geometry.apply(
                m[f"tibia_fibula_{side}"], hip.model.landmark(f"ankle_centre_{side}")[None]
            )[0]
            reach = np.linalg.norm(strands[:, k] - ankle, axis=1)
            assert np.allclose(reach, np.hypot(band.above_ankle_mm, band.spread_mm), atol=1e-9)
            assert np.linalg.norm(strands[0, k] - strands[1, k]) == pytest.approx(2 * band.spread_mm)
        assert np.all(np.linalg.norm(strands[:, 0] - strands[:, 1], axis=1) > 150)  # the feet apart
    items = {i.name: i for i in present_exercise(hip, ex).items}
    assert {"band_0", "band_1"} <= set(items)
    # the neighbours of both sides, each as style.json colours it (the maximus translucent)
    for sid in ("gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae", "trochanteric_bursa"):
        assert {f"{sid}_right", f"{sid}_left"} <= set(items)
    assert items["gluteus_maximus_right"].opacity < 1.0
    assert np.allclose(items["band_0"].colour, [int(band.colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    assert not any(
        n.startswith("band")
        for n in (i.name for i in present_exercise(hip, exercises.exercise("clamshell")).items)
    )


def test_exercises_csv_has_the_issue_columns(tmp_path, capsys):
    out = tmp_path / "e.csv"
    assert cli.main(["exercises", "--csv", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["id", "name", "gmed_activity_pct_mvic", "source"]
    assert [r[0] for r in rows[1:]] == ORDER
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", r[0]) for r in rows[1:])
    assert rows[1][2] == "81" and rows[-1][2] == "37.7" and rows[1][3].startswith("Distefano LJ")
    shown = capsys.readouterr().out
    assert "81 ± 42 % MVIC" in shown and "read in a secondary text" in shown


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["screenshot", "{d}/a.png", "--exercise", "plank"],
            "unknown exercise 'plank'; choose from side_lying",
        ),
        (["screenshot", "{d}/a.png", "--exercise", "clamshell", "--fault", "knee_collapse"], "no fault"),
        (["screenshot", "{d}/a.png", "--fault", "knee_collapse"], "--fault needs --exercise"),
        (
            ["screenshot", "{d}/a.png", "--exercise", "clamshell", "--flexion", "30"],
            "do not apply to --exercise",
        ),
        (["exercises", "--force"], "--force goes with --csv"),
    ],
)
def test_bad_exercise_arguments_exit_2_with_one_line(tmp_path, capsys, argv, says):
    with pytest.raises(SystemExit) as exc:
        cli.main([a.format(d=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and says in err, err
    assert list(tmp_path.iterdir()) == []


def test_exercise_screenshot_shows_the_floor_and_both_muscles(tmp_path):
    from PIL import Image

    out = tmp_path / "squat.png"
    assert cli.main(["screenshot", str(out), "--exercise", "single_leg_squat", "--size", "640x480"]) == 0
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert img.shape == (480, 640, 3)
    # shaded floor: grey pixels (r = g = b, darker than the background) in the lower half
    grey = (np.abs(img[..., 0] - img[..., 2]) < 6) & (img[..., 0] < 200) & (img[..., 0] > 40)
    assert grey[240:].sum() > 8000
    # the gluteus medius reds on both sides of the picture's middle (the right one, nearer, larger)
    red = (img[..., 0] > 120) & (img[..., 0] - img[..., 1] > 60) & (img[..., 2] < 110)
    assert red[:, :320].sum() > 150 and red[:, 320:].sum() > 15


def test_exercise_animation_is_one_repetition_that_loops(tmp_path):
    from PIL import Image

    out = tmp_path / "clam.gif"
    assert cli.main(["animate", str(out), "--exercise", "clamshell", "--frames", "4", "--size", "96x64"]) == 0
    with Image.open(out) as im:
        assert (im.n_frames, im.size) == (4, (96, 64))
        frames = []
        for i in range(4):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGB")).astype(int))
    # the knee opens and closes: frame 2 (the key pose) differs from frame 0, frames 1 and 3 match
    assert np.abs(frames[2] - frames[0]).sum() > np.abs(frames[1] - frames[3]).sum() * 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["animate", str(tmp_path / "b.gif"), "--exercise", "clamshell", "--stance"])
    assert exc.value.code == 2 and not (tmp_path / "b.gif").exists()
