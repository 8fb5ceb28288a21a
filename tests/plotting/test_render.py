"""Off-screen renders of the scene: a few image checks only."""

import io

import numpy as np
import pytest
from PIL import Image

from viewer.anatomy import Pose
from viewer.export import check_size, render_png
from viewer.scene import HipScene, SceneOptions


@pytest.fixture(scope="module")
def scene(model):
    return HipScene(model)


def rgb(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_lateral_render_shows_bone_and_muscle(scene):
    img = rgb(render_png(scene, SceneOptions(view="lateral"), size=(640, 480)))
    assert img.shape == (480, 640, 3)
    muscle = (img[..., 0] > 120) & (img[..., 1] < 110) & (img[..., 2] < 120)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    bone = (r > 90) & (g > 0.75 * r) & (b < g) & (r - b > 15)  # shaded ivory
    assert muscle.mean() > 0.015 and bone.mean() > 0.03


def test_render_is_deterministic_and_pose_changes_it(scene):
    opts = SceneOptions(view="posterior", pose=Pose(40))
    a = rgb(render_png(scene, opts, size=(400, 300)))
    b = rgb(render_png(scene, opts, size=(400, 300)))
    assert np.array_equal(a, b)
    c = rgb(render_png(scene, SceneOptions(view="posterior"), size=(400, 300)))
    assert np.abs(a - c).mean() > 2


def test_sizes_are_checked():
    assert check_size((3840, 2160)) == (3840, 2160)
    with pytest.raises(ValueError, match="outside"):
        check_size((99999, 1))
