"""The browser's labels and the exports' agree: the page is sent the specs the pictures are drawn from."""

import numpy as np
import pytest

from viewer import presentation
from viewer.anatomy import Pose
from viewer.app.payload import BrowserScene
from viewer.options import LAYERS, SceneOptions
from viewer.posed import pose_hip
from viewer.scene import HipScene


@pytest.fixture(scope="module")
def browser_scene(model):
    return BrowserScene(HipScene(model))


def page_anchor(bs: BrowserScene, side: str, spec: dict, pose: Pose) -> np.ndarray:
    """Where ``app/js/labels.js`` puts a label's anchor: a fan's vertex of the fan posed by its JS
    twin (held to Python's surface by test_twin.py), a femur point by the femur's matrix, a
    pelvis point as sent."""
    if spec["attach"] == "fan":
        return bs.scene.hip.neighbourhoods[side].muscles[spec["fan"]].surface(pose).vertices[spec["vertex"]]
    if spec["attach"] == "muscle":
        return bs.scene.hip.muscles[side].surface(pose).vertices[spec["vertex"]]
    if spec["attach"] == "femur":
        t = bs.scene.hip.model.femur_transform(side, pose)
        return t[:3, :3] @ np.asarray(spec["point"]) + t[:3, 3]
    return np.asarray(spec["point"])


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("pose", [Pose(), Pose(0.0, 60.0, 0.0), Pose(-10.0, 30.0, 20.0)], ids=str)
def test_export_labels_are_where_the_page_puts_them(browser_scene, side, pose):
    sent = browser_scene.static["sides"][side]["labels"]
    hip = browser_scene.scene.hip
    assert sent == hip.label_specs(side)
    structures = [s for s in sent if "layer" in s]
    assert [s["id"] for s in structures] == [
        "gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae",
        "iliotibial_tract", "trochanteric_bursa", "superior_gluteal_nerve",
    ]  # fmt: skip
    opts = SceneOptions(pose=pose, side=side, view="posterior", layers=frozenset(LAYERS))
    pres = presentation.present(hip, pose_hip(hip, side, pose, anchors=True), opts)
    drawn = dict(zip(pres.label_texts, pres.label_points, strict=True))
    assert len(drawn) == len(sent)
    for spec in sent:
        want = page_anchor(browser_scene, side, spec, pose)
        np.testing.assert_allclose(drawn[spec["text"]], want, atol=1e-6, err_msg=spec["id"])
