"""Fuzzing the inputs a user can reach: poses and command-line values."""

import io
import math
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer import cli
from viewer.anatomy import POSE_RANGE, HipModel, Pose

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
