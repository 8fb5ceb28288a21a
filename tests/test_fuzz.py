"""Fuzzing the inputs a user can reach: poses and command-line values."""

import io
import math
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from viewer import cli
from viewer.anatomy import POSE_RANGE, HipModel, Pose
from viewer.mechanics.stance import StanceModel
from viewer.scene import HipScene

angles = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(a=angles, f=angles, r=angles)
@settings(max_examples=300, deadline=None)
def test_pose_accepts_exactly_the_supported_range(a, f, r):
    ok = all(
        math.isfinite(v) and POSE_RANGE[k][0] <= v <= POSE_RANGE[k][1]
        for k, v in (("abduction", a), ("flexion", f), ("rotation", r))
    )
    if ok:
        m = Pose(a, f, r).rotation_matrix("right")
        assert abs(abs(np.linalg.det(m)) - 1) < 1e-9
    else:
        with pytest.raises(ValueError, match="outside the supported range"):
            Pose(a, f, r)


_MODEL = []


def _shared_model():
    # the real class, bound at import: inside the test viewer.anatomy.HipModel is this function
    if not _MODEL:
        _MODEL.append(HipModel())
    return _MODEL[0]


@given(
    start=st.one_of(st.floats(allow_nan=True, width=32), st.text(max_size=6)),
    step=st.one_of(st.floats(allow_nan=True, width=32), st.text(max_size=6)),
    joint=st.sampled_from(["abduction", "flexion", "rotation", "knee", ""]),
)
@settings(max_examples=60, deadline=None)
def test_table_arguments_never_crash(start, step, joint):
    """Every bad value ends in a one-line message and exit code 2, never a traceback."""
    args = [
        "table",
        "--joint",
        joint,
        "--from",
        str(start),
        "--to",
        str(start),
        "--step",
        str(step),
        "--side",
        "right",
    ]
    err, out = io.StringIO(), io.StringIO()
    with mock.patch("viewer.anatomy.HipModel", _shared_model), redirect_stderr(err), redirect_stdout(out):
        try:
            code = cli.main(args)
        except SystemExit as exc:
            code = exc.code
    if code == 0:
        assert "moment arm" in out.getvalue()
    else:
        assert code == 2, err.getvalue()
        assert err.getvalue().strip() and "Traceback" not in err.getvalue()


# ---------------------------------------------------------------------- every subcommand
def _value(valid: list[str]):
    """A valid value, a near miss or junk."""
    junk = st.sampled_from(["", "nan", "-inf", "1e309", "x", "0x10", "--", "12,", " 3", "1e-400", "-0"])
    return st.one_of(st.sampled_from(valid), junk, st.text(max_size=8))


_DEG = {
    k: [f"{lo:g}", f"{hi:g}", f"{(lo + hi) / 2:g}", f"{lo - 1:g}", f"{hi + 0.5:g}"]
    for k, (lo, hi) in POSE_RANGE.items()
}
#: the mean (built once, shared) and invalid shapes: a shape instance takes seconds to build
_SHAPE = ["1=0", "1=0,5=0", "6=1", "1=4", "1=", "x"]
OPTIONS = {
    "screenshot": {
        "--shape": _SHAPE,
        "--abduction": _DEG["abduction"],
        "--flexion": _DEG["flexion"],
        "--rotation": _DEG["rotation"],
        "--side": ["right", "left", "both"],
        "--view": ["lateral", "oblique", "sideways"],
        "--theme": ["dark", "print", "neon"],
        "--size": ["64x64", "96x80", "63x64", "64x3000", "1x"],
        "--layers": ["bones,muscle", "labels", "bones,,", "skin"],
        "--camera": ["0,0,600,0,0,0,0,1,0", "0,0,0,0,0,0,0,1,0", "1,2,3"],
    },
    "animate": {
        "--shape": _SHAPE,
        "--start": _DEG["abduction"],
        "--stop": _DEG["abduction"],
        "--frames": ["2", "3", "1", "401", "2.5"],
        "--fps": ["1", "60", "0", "61"],
        "--size": ["64x64", "80x64", "10x10"],
        "--flexion": _DEG["flexion"],
    },
    "export-scene": {
        "--shape": _SHAPE,
        "--abduction": _DEG["abduction"],
        "--rotation": _DEG["rotation"],
        "--side": ["right", "left", "up"],
    },
    "handout": {"--side": ["right", "left", "up"], "--paper": ["a4", "letter", "a3"]},
    "export-html": {
        "--shape": _SHAPE,
        "--side": ["right", "left", "both"],
        "--flexion": _DEG["flexion"],
        "--rotation": _DEG["rotation"],
    },
    "table": {
        "--shape": _SHAPE,
        "--joint": ["abduction", "flexion", "rotation", "knee"],
        "--from": ["-15", "0", "30", "-91", "100"],
        "--to": ["0", "45", "60", "-20"],
        "--step": ["15", "30", "0.4", "91"],
        "--side": ["right", "left", "both", "middle"],
        "--flexion": _DEG["flexion"],
    },
    "stance": {
        "--shape": _SHAPE,
        "--side": ["right", "left", "both"],
        "--strength": ["0", "100", "55.5", "-1", "101"],
        "--lean": ["0", "30", "12", "31"],
        "--body-mass": ["20", "200", "70", "19", "201"],
        "--cane": ["0", "30", "10", "31"],
        "--cane-hand": ["opposite", "same", "left"],
        "--vary": ["strength", "lean", "mass"],
        "--from": ["0", "30", "100", "-5", "120"],
        "--to": ["0", "30", "100", "-5", "120"],
        "--step": ["10", "-10", "0", "25", "0.01"],
    },
}
OUTPUTS = {
    "screenshot": ["a.png", "a.PNG", "a.jpg", "sub/a.png", "."],
    "animate": ["a.gif", "a.mp4", "a.avi", "sub/a.gif"],
    "export-scene": ["a.glb", "parts", "a.stl", "sub/a.glb"],
    "table": [None, "t.csv", "t.txt", "sub/t.csv"],
    "stance": [None, "s.csv", "s.txt", "sub/s.csv"],
    "handout": ["h.pdf", "h.png", "h.doc", "sub/h.pdf"],
    "export-html": ["p.html", "p.htm", "sub/p.html"],
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(OPTIONS)))
    options = OPTIONS[command]
    chosen = draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=4))
    args = [command]
    out = draw(st.sampled_from(OUTPUTS[command]))
    if command == "table":
        args += ["--from", "0", "--to", "0"]  # a short sweep unless the draw says otherwise
        if out is not None:
            args += ["--csv", out]
    elif command == "stance":
        if out is not None:
            args += ["--csv", out]
    else:
        args.append(out)
        args += ["--size", "64x64"] if "--size" in options else []
    for name in chosen:
        args += [name, draw(_value(options[name]))]
    if draw(st.booleans()):
        args.append("--force")
    return args


_SCENE = []


def _shared_scene(*_):
    # the real class, bound at import: inside the test viewer.scene.HipScene is this function
    # (the commands pass it their hip model, which is the shared mean model here)
    if not _SCENE:
        _SCENE.append(HipScene(_shared_model()))
    return _SCENE[0]


_STANCE = []


def _shared_stance(*_):
    # the real class, bound at import: inside the test viewer.mechanics.stance.StanceModel is this function
    if not _STANCE:
        _STANCE.append(StanceModel(_shared_scene().hip))
    return _STANCE[0]


@given(args=command_lines())
@settings(max_examples=120, deadline=None)
def test_every_subcommand_ends_in_0_or_one_line_and_2(args, tmp_path_factory):
    """No traceback, exit code 0 or 2, and either the whole output or no file at all."""
    work = tmp_path_factory.mktemp("cli")
    paths = {o for outs in OUTPUTS.values() for o in outs if o}
    argv = [str(work / a) if a in paths and i > 0 else a for i, a in enumerate(args)]
    err, out = io.StringIO(), io.StringIO()
    with (
        mock.patch("viewer.anatomy.HipModel", _shared_model),
        mock.patch("viewer.scene.HipScene", _shared_scene),
        mock.patch("viewer.mechanics.stance.StanceModel", _shared_stance),
        redirect_stderr(err),
        redirect_stdout(out),
    ):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    event(f"{argv[0]}: exit {code}")
    written = sorted(p.name for p in work.rglob("*"))
    if code == 0:
        assert "Traceback" not in err.getvalue()
        expected = {Path(a).name for a in argv[1:] if a.startswith(str(work))}
        if argv[0] == "export-scene" and any(a.endswith(".glb") for a in argv):
            expected |= {n.replace(".glb", ".json") for n in expected}
        assert expected <= set(written), (written, expected)
        assert not [n for n in written if n.startswith(".")], written  # no temporary file left
    else:
        message = err.getvalue()
        assert code == 2, message
        assert message.count("\n") == 1 and "Traceback" not in message, message
        assert written == [], written
