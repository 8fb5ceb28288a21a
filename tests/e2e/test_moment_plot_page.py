"""The moment-arm plot beside the view: its Bokeh data, computed in the page, against Python."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from conftest import Page

from viewer.anatomy import Pose
from viewer.app.momentplot import NAMES
from viewer.twin import STEP_DEG

pytestmark = pytest.mark.e2e

#: page - Python, mm: the brief's limit (the twin is held to 1e-6 mm by tests/test_twin.py)
PLOT_MM = 0.05

#: the plot's sources as the page has them (its Bokeh document)
PLOT_DATA = f"""() => {{
  const d = Bokeh.documents[0], get = (n) => d.get_model_by_name(n);
  return {{
    curves: {{ ...get("{NAMES["curves"]}").data }},
    markers: {{ ...get("{NAMES["markers"]}").data }},
    now: get("{NAMES["now"]}").location,
    x_label: get("{NAMES["figure"]}").below.find((m) => /Axis$/.test(m.type)).axis_label,
  }};
}}"""


def plot_data(p: Page, joint: str, angle: float) -> dict:
    """The plot's data once its dots sit at ``angle`` of ``joint`` (filled just after the frame)."""
    p.page.wait_for_function(
        f"""() => {{ const m = Bokeh.documents[0].get_model_by_name("{NAMES["markers"]}").data;
                   return m.angle.length > 0 && m.angle[0] === {angle}; }}""",
        timeout=10_000,
    )
    data = p.page.evaluate(PLOT_DATA)
    assert joint in data["x_label"].lower(), data["x_label"]
    return data


def python_arms(hip, pose: dict, joint: str) -> dict:
    """Moment arms (mm) per part and whole about ``joint`` at ``pose``, by Python (the page's step)."""
    p = Pose(pose["abduction"], pose["flexion"], pose["rotation"])
    return hip.muscles[pose["side"]].moment_arms(p, joint, step_deg=STEP_DEG)


def check_plot(data: dict, hip, pose: dict, joint: str) -> float:
    """Largest page - Python difference (mm) over the curve and the dots; the dots at the pose."""
    series = [k for k in data["curves"] if k != "angle"]
    assert series == ["anterior", "middle", "posterior", "whole"]
    worst = 0.0
    for i, a in enumerate(data["curves"]["angle"]):
        want = python_arms(hip, {**pose, joint: a}, joint)
        worst = max(worst, *(abs(data["curves"][s][i] - want[s]) for s in series))
    assert data["markers"]["angle"] == [pose[joint]] * len(series)
    assert data["now"] == pose[joint]
    want = python_arms(hip, pose, joint)
    worst = max(worst, *(abs(v - want[s]) for v, s in zip(data["markers"]["value"], series, strict=True)))
    return worst


def test_plot_follows_the_pose_like_python(app_page, hip):
    p = app_page()
    pose = {"side": "left", "abduction": 20, "flexion": 10, "rotation": 5}
    p.set_pose(**pose)
    data = plot_data(p, "abduction", 20)
    # the curve: the whole abduction range every 5 degrees, the other joints held at the pose
    assert data["curves"]["angle"] == list(range(-15, 50, 5))
    assert check_plot(data, hip, pose, "abduction") <= PLOT_MM
    # a step of abduction moves the dots only: the same curve
    p.set_pose(abduction=23)
    moved = plot_data(p, "abduction", 23)
    assert moved["curves"] == data["curves"]
    assert check_plot(moved, hip, {**pose, "abduction": 23}, "abduction") <= PLOT_MM
    # moving flexion plots flexion, over its range, at the new abduction
    pose = {**pose, "abduction": 23, "flexion": 30}
    p.set_pose(flexion=30)
    data = plot_data(p, "flexion", 30)
    assert data["curves"]["angle"] == list(range(0, 95, 5))
    assert check_plot(data, hip, pose, "flexion") <= PLOT_MM
    # nothing of the plot goes to the server, nothing came from anywhere but the server
    sent = [f for f in p.sent if isinstance(f, str)]
    assert not any(NAMES["curves"] in f or '"data"' in f for f in sent)
    hosts = {urlparse(u).hostname for u in p.requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, hosts
    assert p.errors() == []


def test_plot_on_the_offline_page(browser, tmp_path, hip):
    from viewer.app.standalone import export_html

    out = export_html(tmp_path / "hip.html", side="right", rotation=10.0)
    p = Page(browser, out.as_uri(), width=1400, height=900, offline=True)
    try:
        pose = {"side": "right", "abduction": 0, "flexion": 0, "rotation": 10}
        data = plot_data(p, "abduction", 0)
        assert check_plot(data, hip, pose, "abduction") <= PLOT_MM
        p.set_pose(rotation=-5)
        data = plot_data(p, "rotation", -5)
        assert data["curves"]["angle"] == list(range(-20, 35, 5))
        assert check_plot(data, hip, {**pose, "rotation": -5}, "rotation") <= PLOT_MM
        assert p.blocked == [], p.blocked
        assert all(u.startswith(("file://", "data:", "blob:")) for u in p.requests), p.requests
        assert p.errors() == []
    finally:
        p.close()
