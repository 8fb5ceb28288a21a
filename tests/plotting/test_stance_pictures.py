"""Pictures of single-leg stance: the arrows exist, point the right way, and the picture shows the body."""

import numpy as np
import pytest
from PIL import Image

from viewer import cli
from viewer.mechanics.stance import StanceInput
from viewer.scene import HipScene
from viewer.stance_scene import StanceScene


@pytest.fixture(scope="module")
def stance_scene(model):
    return StanceScene(HipScene(model))


def test_arrows_point_the_way_their_forces_act(stance_scene):
    result, pres = stance_scene.present(StanceInput(side="right"))
    arrows = {a.name: a for a in pres.arrows}
    assert set(arrows) == {"weight", "abductor", "hip_contact"}
    bw, scale = result.body_weight_n, stance_scene.hip.style["stance"]["mm_per_bw"]
    for name, a in arrows.items():
        force = result.forces[name].vector
        assert np.allclose(a.vector, force / bw * scale), name  # 1 BW = mm_per_bw mm, the force's way
    assert arrows["weight"].vector[1] < 0 and abs(arrows["weight"].vector[2]) < 1e-9
    assert arrows["abductor"].vector[1] < 0  # the muscle pulls the pelvis down toward the femur
    assert arrows["hip_contact"].vector[1] > 0 and arrows["hip_contact"].vector[2] < 0  # up and in
    # the contact force ends at the stance hip centre (seen from behind, the arrows lie before the body)
    tip = arrows["hip_contact"].start + arrows["hip_contact"].vector
    hip = result.forces["hip_contact"].point
    assert np.allclose(tip[1:], hip[1:], atol=1e-6)
    assert "BW" in arrows["abductor"].label and f"{result.abductor_force_bw:.2f}" in arrows["abductor"].label
    # the left stance mirrors it
    left = {a.name: a for a in stance_scene.present(StanceInput(side="left"))[1].arrows}
    assert left["hip_contact"].vector[2] > 0


def test_a_weak_muscle_pulls_less_and_the_picture_changes(stance_scene):
    strong = stance_scene.present(StanceInput(strength_pct=100))[1]
    weak = stance_scene.present(StanceInput(strength_pct=20))[1]
    strong_arm, weak_arm = (
        np.linalg.norm(next(a for a in p.arrows if a.name == "abductor").vector) for p in (strong, weak)
    )
    assert weak_arm < 0.5 * strong_arm
    img_strong = stance_scene.render(StanceInput(strength_pct=100), size=(480, 600))
    img_weak = stance_scene.render(StanceInput(strength_pct=20), size=(480, 600))
    assert np.abs(img_strong.astype(int) - img_weak.astype(int)).mean() > 0.3


def test_stance_screenshot_shows_the_whole_body_and_its_arrows(tmp_path, stance_scene):
    out = tmp_path / "stance.png"
    assert cli.main(["screenshot", str(out), "--stance", "--strength", "30", "--size", "640x800"]) == 0
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert img.shape == (800, 640, 3) and img.std() > 20
    ink = (img < 240).any(axis=-1)
    rows = np.flatnonzero(ink.any(axis=1))
    assert rows[0] > 2 and rows[-1] < 797  # nothing cut off at the top or the bottom
    assert rows[-1] - rows[0] > 0.7 * 800  # pelvis to floor fills the height
    colours = stance_scene.hip.style["stance"]["colours"]
    for name in ("weight", "abductor", "hip_contact"):
        rgb = np.array([int(colours[name][i : i + 2], 16) for i in (1, 3, 5)])
        near = (np.abs(img - rgb).sum(axis=-1) < 40).sum()
        assert near > 150, name  # the arrow (and its label) is drawn in its colour


def test_stance_animation_runs_the_weakening_sequence(tmp_path):
    import imageio.v3 as iio

    out = tmp_path / "weak.gif"
    assert cli.main(["animate", str(out), "--stance", "--frames", "4", "--size", "160x200"]) == 0
    frames = iio.imread(out, index=None)
    assert frames.shape == (6, 200, 160, 3)  # 100 -> 10 in 4 frames, and back
    assert np.array_equal(frames[1], frames[5])  # there and back: the same strength
    assert np.abs(frames[0].astype(int) - frames[3].astype(int)).mean() > 0.3  # the pelvis dropped
