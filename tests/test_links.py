"""Deep links: every query parameter is checked; bad ones are named and ignored."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.anatomy import POSE_RANGE, Pose
from viewer.app.links import parse_link

VIEWS = ("oblique", "anterior", "posterior", "lateral", "superior")


def q(**kw):
    return {k: [v.encode() if isinstance(v, str) else v] for k, v in kw.items()}


def test_a_good_link():
    settings_, problems = parse_link(
        q(side="left", abduction="20", flexion="10.4", rotation="-5", view="Lateral", classroom="1"), VIEWS
    )
    assert problems == []
    assert settings_ == {
        "side": "left",
        "abduction": 20,
        "flexion": 10,
        "rotation": -5,
        "view": "lateral",
        "classroom": True,
    }


def test_each_bad_parameter_is_named_and_ignored():
    settings_, problems = parse_link(
        q(
            side="middle",
            abduction="99",
            flexion="nan",
            rotation="abc",
            view="top",
            classroom="maybe",
            zoom="3",
        ),
        VIEWS,
    )
    assert settings_ == {}
    assert len(problems) == 7
    text = "\n".join(problems)
    for word in ("side='middle'", "abduction='99' is outside -15 to 45", "flexion='nan'", "rotation='abc'"):
        assert word in text
    assert "view='top'" in text and "classroom='maybe'" in text and "unknown link parameter zoom" in text


def test_long_and_binary_values_are_refused_without_echo():
    settings_, problems = parse_link({"abduction": [b"1" * 10_000], "\x00evil": [b"\xff\xfe"]}, VIEWS)
    assert settings_ == {}
    assert all(len(p) < 120 for p in problems)
    assert "value too long" in problems[0] and "'\\x00evil'" in problems[1]


text = st.one_of(st.text(max_size=40), st.sampled_from(["0", "45", "-15", "1e308", "inf", "-0", "left"]))


@given(
    args=st.dictionaries(
        st.one_of(
            st.sampled_from(["side", "abduction", "flexion", "rotation", "view", "classroom"]), st.text()
        ),
        st.lists(st.one_of(text.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary()), max_size=3),
        max_size=8,
    )
)
@settings(max_examples=400, deadline=None)
def test_fuzz_links_give_valid_settings_or_a_message(args):
    settings_, problems = parse_link(args, VIEWS)
    given_ = sum(1 for v in args.values() if v)
    assert len(settings_) + len(problems) == given_  # each parameter is used or explained
    Pose(settings_.get("abduction", 0.0), settings_.get("flexion", 0.0), settings_.get("rotation", 0.0))
    for k in ("abduction", "flexion", "rotation"):
        if k in settings_:
            assert math.isfinite(settings_[k]) and POSE_RANGE[k][0] <= settings_[k] <= POSE_RANGE[k][1]
    assert settings_.get("side", "right") in ("right", "left")
    assert settings_.get("view", "oblique") in VIEWS
    assert all("\n" not in p for p in problems)


@pytest.mark.parametrize("name", ["\n", "a\nb", "x\r\n" * 20, "\u2028", "tab\there"])
def test_messages_stay_on_one_line_whatever_the_name(name):
    for value in (b"1", b"9" * 40):
        _, problems = parse_link({name: [value]}, VIEWS)
        assert len(problems) == 1
        assert problems[0].isprintable(), problems[0]
