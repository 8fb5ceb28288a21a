"""The single-leg-stance literature parameters load, are cited and add up."""

import json
import math

import pytest

from viewer import data

SOURCE_KEYS = ("source", "upper_source", "knee_source")


@pytest.fixture(scope="module")
def stance():
    return data.annotation("stance")


def _walk(node, path=()):
    """Yield (path, dict) for every object below ``node``."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def _has_number(node) -> bool:
    if isinstance(node, bool):
        return False
    if isinstance(node, (int, float)):
        return True
    if isinstance(node, list):
        return any(_has_number(v) for v in node)
    return False


def _get(node, path):
    for key in path:
        node = node[key]
    return node


def test_every_source_id_exists(stance):
    ids = set(stance["sources"])
    used = set()
    for path, obj in _walk({k: v for k, v in stance.items() if k != "sources"}):
        for key in SOURCE_KEYS:
            if key in obj:
                assert obj[key] in ids, f"{'.'.join(map(str, path))}.{key} = {obj[key]!r}"
                used.add(obj[key])
    assert "winter2009" in used and "opensim_gait2392" in used and "bergmann2001" in used
    assert len(used) >= 9


def test_every_number_is_cited(stance):
    body = {k: v for k, v in stance.items() if k != "sources"}
    for path, obj in _walk(body):
        if any(_has_number(v) for v in obj.values()):
            cited = any(
                "source" in anc
                for anc in (body, *(_get(body, path[:i]) for i in range(1, len(path) + 1)))
                if isinstance(anc, dict)
            )
            assert cited, f"{'.'.join(map(str, path))} has numbers but no source"


def test_whole_body_mass_adds_up(stance):
    seg = stance["segments"]
    lower_limb = seg["thigh"]["mass_fraction"] + seg["leg"]["mass_fraction"] + seg["foot"]["mass_fraction"]
    assert seg["hat"]["mass_fraction"] + 2 * lower_limb == pytest.approx(1.0, abs=0.005)
    assert seg["total_leg"]["mass_fraction"] == pytest.approx(lower_limb, abs=0.001)
    assert seg["pelvis"]["mass_fraction"] < seg["hat"]["mass_fraction"]
    # the weight carried over the stance hip: about 5/6 of body weight
    assert 1.0 - lower_limb == pytest.approx(5 / 6, abs=0.01)


def test_winter_values(stance):
    seg = stance["segments"]
    assert (seg["thigh"]["mass_fraction"], seg["leg"]["mass_fraction"], seg["foot"]["mass_fraction"]) == (
        0.100,
        0.0465,
        0.0145,
    )
    assert seg["hat"]["com_from_proximal"] == 0.626 and seg["pelvis"]["com_from_proximal"] == 0.105
    h = stance["heights_over_stature"]
    assert h["ankle"] < h["knee"] < h["greater_trochanter"] < h["glenohumeral"] < 1.0
    assert "l4_l5" not in h  # Winter's Fig. 4.1 gives no L4-L5 level


def test_gluteus_medius_forces(stance):
    f = stance["gluteus_medius_max_force_n"]
    assert (f["anterior"], f["middle"], f["posterior"]) == (819, 573, 653)
    assert f["anterior"] + f["middle"] + f["posterior"] == 2045


def test_passive_moment_check_values_follow_the_formula(stance):
    p = stance["passive_hip_adduction"]

    def moment(q_deg):
        q = math.radians(q_deg)
        return p["k1_nm"] * math.exp(p["k2_per_rad"] * (q - p["q1_rad"])) + p["k3_nm"] * math.exp(
            p["k4_per_rad"] * (q - p["q2_rad"])
        )

    for check in p["check_values"]:
        assert moment(check["q_deg"]) == pytest.approx(check["moment_nm"], rel=0.05, abs=1e-3)
    assert moment(0.0) == pytest.approx(0.0, abs=1e-9)  # symmetric: no moment at neutral
    assert moment(35.0) < 0 < moment(-35.0)  # resists adduction and abduction
    lo, hi = p["valid_range_deg"]
    assert lo < 0 < hi


def test_clinical_values(stance):
    assert stance["trendelenburg"]["drop_threshold_mm"] == 20
    pos = stance["test_position"]
    assert 0 <= pos["swing_hip_flexion_deg"] <= 60
    lo, hi = pos["swing_hip_flexion_range_deg"]
    assert lo <= pos["swing_hip_flexion_deg"] <= hi
    limit = stance["hip_adduction_limit_deg"]
    assert limit["range"][0] <= limit["value"] <= limit["range"][1]
    for name in ("abductor_force_bw", "hip_contact_force_bw", "pelvic_on_femoral_angle_deg"):
        r = stance["literature_ranges"][name]
        assert r["min"] < r["max"], name
    contact = stance["literature_ranges"]["hip_contact_force_bw"]
    assert contact["min"] < contact["measured_bw"] < contact["max"]


def test_cane_example_numbers_come_out(stance):
    """The Williams & Lissner example: W/6 on the cane gives T = 0.65 W and R = 1.3 W."""
    cane = stance["cane"]
    angle = math.radians(cane["abductor_angle_deg"])
    upper = 1.0 - cane["leg_weight_fraction_bw"]
    t = cane["example_abductor_force_bw"]
    r = math.hypot(t * math.sin(angle) + upper - cane["force_fraction_bw"], t * math.cos(angle))
    assert r == pytest.approx(cane["example_hip_contact_force_bw"], abs=0.05)
    assert cane["verified"] is False  # the figure's distances could not be read


def _broken(tmp_path, edit):
    good = data.read_json(data.ANNOTATION_DIR / "stance.json")
    edit(good)
    path = tmp_path / "stance.json"
    path.write_text(json.dumps(good))
    return path


def test_negative_mass_fraction_names_file_and_field(tmp_path):
    path = _broken(tmp_path, lambda d: d["segments"]["thigh"].update(mass_fraction=-0.1))
    with pytest.raises(data.DataError, match=r"stance\.json: segments\.thigh\.mass_fraction: -0\.1 is less"):
        data.annotation("stance", path)


def test_non_string_source_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d["cane"].update(source=5))
    with pytest.raises(data.DataError, match=r"stance\.json: cane\.source: 5 is not of type 'string'"):
        data.annotation("stance", path)


def test_missing_required_field_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d["gluteus_medius_max_force_n"].pop("middle"))
    with pytest.raises(data.DataError, match=r"stance\.json: gluteus_medius_max_force_n: 'middle' is a"):
        data.annotation("stance", path)


def test_swing_hip_flexion_out_of_range_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d["test_position"].update(swing_hip_flexion_deg=75))
    with pytest.raises(data.DataError, match=r"stance\.json: test_position\.swing_hip_flexion_deg: 75 is"):
        data.annotation("stance", path)
