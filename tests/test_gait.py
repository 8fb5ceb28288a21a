"""Walking: normative curves and provenance, the gluteus medius timing, the weak-abductor gaits, the CLI."""

import json

import numpy as np
import pytest

from viewer import build_gait, cli, data
from viewer.mechanics.gait import VARIANTS, Gait, curves, load
from viewer.mechanics.stance import StanceModel
from viewer.posed import Hip


@pytest.fixture(scope="module")
def stance(model):
    return StanceModel(Hip(model))


@pytest.fixture(scope="module")
def gaits(stance):
    return {v: Gait(v, stance) for v in VARIANTS}


def test_curves_are_the_pinned_build_of_schwartz_2008():
    d = data.annotation("gait")
    assert d["provenance"]["sha256"] == build_gait.SHA256 and d["provenance"]["sdist"] == build_gait.SDIST
    c = curves()
    assert len(c.percent) == 51 and c.percent[0] == 0 and c.percent[-1] == 100
    # the signs the file states: the pelvis up on the limb's side in loading response, down in its swing
    k16, k66 = list(c.percent).index(16), list(c.percent).index(66)
    assert c.pelvic_obliquity[k16] == pytest.approx(4.07, abs=0.01)
    assert c.pelvic_obliquity[k66] == pytest.approx(-4.09, abs=0.01)
    assert c.hip_adduction[list(c.percent).index(18)] > 4 and c.hip_adduction[k66] < -6
    assert c.hip_flexion[0] > 30 and c.hip_flexion.min() < 0  # flexed at heel strike, extended at push-off
    assert c.gmed_on.tolist() == [[0, 40], [96, 100]] and c.stance_pct == 56.21


def test_build_decodes_mean_and_sd_from_the_band():
    rows = [[p, m - 1.5, m + 1.5] for p, m in ((0, 1.0), (50, -2.0), (100, 1.0))]
    curves_in = {v: {a: rows for a in "XY"} for v in ("PelvisAngles", "HipAngles", "KneeAngles")}
    timing = {"NORMAL_STANCE_PHASE": 60.0, "Activation": {"GLUMED": [0, 40, 96, 100, "na", "na"]}}
    out = build_gait.build(curves_in, timing)
    assert out["percent"] == [0, 50, 100] and out["hip_flexion_deg"] == {
        "mean": [1.0, -2.0, 1.0],
        "sd": [1.5] * 3,
    }
    assert out["gluteus_medius_on_pct"] == [[0, 40], [96, 100]] and out["stance_phase_pct"] == 60.0


def test_a_bad_gait_file_names_the_field(tmp_path):
    d = json.loads((data.ANNOTATION_DIR / "gait.json").read_text())
    d["hip_flexion_deg"]["mean"] = d["hip_flexion_deg"]["mean"][:-1]
    p = tmp_path / "gait.json"
    p.write_text(json.dumps(d))
    with pytest.raises(data.DataError, match=r"gait.json: hip_flexion_deg.mean: 50 values for 51 points"):
        load(p)


def test_the_gluteus_medius_works_in_early_to_mid_stance(gaits):
    g = gaits["normal"]
    on = {p: g.frame(p).gmed_active for p in (2, 20, 38, 46, 60, 80, 98)}
    assert [on[p]["right"] for p in (2, 20, 38)] == [True] * 3 and not on[46]["right"] and not on[80]["right"]
    assert on[98]["right"]  # from 96 % on: switched on before heel strike
    assert on[60]["left"] and on[80]["left"] and not on[20]["left"]  # the left leg, half a cycle on


def test_trendelenburg_drops_the_swing_side_further(gaits):
    normal, weak = gaits["normal"], gaits["trendelenburg"]
    assert weak.extra_drop_deg > 5.0  # the stance model at 30 % strength: the pelvis at the adduction limit
    single = np.linspace(8, 48, 21)  # the right leg's single support: the left (swing) side drops
    for p in single:
        a, b = normal.frame(p), weak.frame(p)
        assert b.pelvic_obliquity_deg >= a.pelvic_obliquity_deg  # right up = left down
        assert -b.hips["right"].abduction >= -a.hips["right"].abduction  # the stance hip adducts more
    peak = max(weak.frame(p).pelvic_obliquity_deg - normal.frame(p).pelvic_obliquity_deg for p in single)
    assert peak == pytest.approx(weak.extra_drop_deg, rel=0.02)
    # and the same on the left stance, mirrored; double support and swing untouched
    assert (
        min(
            weak.frame(p + 50).pelvic_obliquity_deg - normal.frame(p + 50).pelvic_obliquity_deg
            for p in single
        )
        < -5
    )
    assert weak.frame(2).pelvic_obliquity_deg == pytest.approx(normal.frame(2).pelvic_obliquity_deg)


def test_duchenne_leans_over_the_stance_hip_and_moves_the_mass_toward_it(gaits):
    normal, comp = gaits["normal"], gaits["duchenne"]
    assert 5.0 < comp.lean_deg <= 30.0 and comp.com_shift_mm > 20.0
    assert comp.frame(28).trunk_lean_deg > 5 and comp.frame(78).trunk_lean_deg < -5  # right, then left stance
    assert all(normal.frame(p).trunk_lean_deg == 0 for p in (28, 78))
    assert (
        comp.frame(28).pelvic_obliquity_deg == normal.frame(28).pelvic_obliquity_deg
    )  # the pelvis kept level


def test_an_unknown_gait_is_one_line_with_the_valid_ones(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown gait 'limp'; choose from normal, trendelenburg, duchenne"):
        Gait("limp")
    with pytest.raises(SystemExit) as exc:
        cli.main(["animate", str(tmp_path / "a.gif"), "--gait", "limp"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "normal" in err and "duchenne" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["animate", str(tmp_path / "a.gif"), "--gait", "normal", "--exercise", "clamshell"])
    assert exc.value.code == 2 and list(tmp_path.iterdir()) == []


def test_gait_animation_is_one_cycle(tmp_path):
    from PIL import Image

    out = tmp_path / "t.gif"
    assert cli.main(["animate", str(out), "--gait", "duchenne", "--frames", "4", "--size", "96x72"]) == 0
    with Image.open(out) as im:
        assert (im.n_frames, im.size) == (4, (96, 72))
