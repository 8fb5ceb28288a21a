"""The other structures' labels in pictures: one anchor rule, posed in Python, shown with their layer."""

import argparse

import numpy as np
import pytest

from viewer import contract, label_anchors, presentation
from viewer.anatomy import Pose
from viewer.cli.args import scene_options
from viewer.options import LAYERS, SceneOptions
from viewer.posed import Hip, pose_hip

STRUCTURE_TEXTS = {
    "gluteus_minimus": "Gluteus minimus",
    "gluteus_maximus": "Gluteus maximus",
    "tensor_fasciae_latae": "Tensor fasciae latae",
    "iliotibial_tract": "Iliotibial tract",
    "trochanteric_bursa": "Trochanteric bursa",
    "superior_gluteal_nerve": "Superior gluteal nerve",
}
MEDIUS_TEXTS = ("Gluteus medius", "Anterior fibres", "Middle fibres", "Posterior fibres")


@pytest.fixture(scope="module")
def hip(model):
    return Hip(model)


def expected_anchor(hip: Hip, side: str, sid: str, pose: Pose) -> np.ndarray:
    """The rule, written out from the structures themselves: a fan muscle's outer sheet at its
    middle fibre ``along`` it; the tract and nerve the outermost vertex at their height; the
    bursa its most lateral vertex; rigid ones moved by the femur when they follow it."""
    lab = next(lab for lab in hip.labels if lab["anchor"] == f"structure:{sid}")
    n, s = hip.neighbourhoods[side], 1.0 if side == "right" else -1.0
    if sid in n.muscles:
        m = n.muscles[sid]
        sheet = m.surface(pose).superficial  # (nu, nv, 3)
        return sheet[m.nu // 2, int(np.argmin(np.abs(m.v - lab.get("along", 0.45))))]
    r = n.rigid[sid]
    v = r.vertices
    if "along" in lab:
        y = v[:, 1].max() - lab["along"] * np.ptp(v[:, 1])
        near = np.flatnonzero(np.abs(v[:, 1] - y) < 0.05 * np.ptp(v[:, 1]) + 1.0)
        p = v[near[np.argmax(s * v[near, 2])]]
    else:
        p = v[np.argmax(s * v[:, 2])]
    if r.follows == "femur":
        t = hip.model.femur_transform(side, pose)
        p = t[:3, :3] @ p + t[:3, 3]
    return p


def drawn(hip: Hip, opts: SceneOptions) -> dict[str, np.ndarray]:
    posed = pose_hip(hip, opts.side, opts.pose, anchors="labels" in opts.layers)
    pres = presentation.present(hip, posed, opts)
    return dict(zip(pres.label_texts, pres.label_points, strict=True))


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("pose", [Pose(), Pose(0.0, 60.0, 0.0), Pose(30.0, 20.0, -10.0)], ids=str)
def test_every_structure_label_is_drawn_at_its_anchor_in_the_pose(hip, side, pose):
    opts = SceneOptions(pose=pose, side=side, view="lateral", layers=frozenset(LAYERS))
    points = drawn(hip, opts)
    assert set(STRUCTURE_TEXTS.values()) <= set(points) and set(MEDIUS_TEXTS) <= set(points)
    for sid, text in STRUCTURE_TEXTS.items():
        want = expected_anchor(hip, side, sid, pose)
        np.testing.assert_allclose(points[text], want, atol=1e-6, err_msg=sid)
    # without posed.anchors (derived in present from the pose), the same points
    posed = pose_hip(hip, side, pose)
    again = presentation.present(hip, posed, opts)
    np.testing.assert_allclose(again.label_points, np.array(list(points.values())), atol=1e-9)


def test_structure_labels_follow_the_pose(hip):
    """Flexion 60: the fans are regenerated, the bursa and tract swing with the femur, the nerve stays."""
    layers = frozenset(LAYERS)
    rest = drawn(hip, SceneOptions(pose=Pose(), view="lateral", layers=layers))
    flexed = drawn(hip, SceneOptions(pose=Pose(0.0, 60.0, 0.0), view="lateral", layers=layers))
    moved = {t: float(np.linalg.norm(flexed[t] - rest[t])) for t in STRUCTURE_TEXTS.values()}
    assert moved["Superior gluteal nerve"] == 0.0
    assert moved["Iliotibial tract"] > 20.0 and moved["Trochanteric bursa"] > 5.0
    assert moved["Gluteus maximus"] > 5.0 and moved["Tensor fasciae latae"] > 1.0
    t = hip.model.femur_transform("right", Pose(0.0, 60.0, 0.0))
    for text in ("Iliotibial tract", "Trochanteric bursa"):
        np.testing.assert_allclose(flexed[text], t[:3, :3] @ rest[text] + t[:3, 3], atol=1e-6)


def test_structure_label_specs_carry_their_layer(hip):
    specs = {s["id"]: s for s in hip.label_specs("right")}
    assert {sid: specs[sid]["layer"] for sid in STRUCTURE_TEXTS} == {
        sid: contract.STRUCTURE_LAYERS[sid] for sid in STRUCTURE_TEXTS
    }
    attach = [specs[sid]["attach"] for sid in STRUCTURE_TEXTS]
    assert attach == ["fan", "fan", "fan", "femur", "femur", "pelvis"]
    own = [lab["id"] for lab in hip.labels if not lab["anchor"].startswith("structure:")]
    assert len(own) == 12 and all("layer" not in specs[i] for i in own)
    assert label_anchors.fans_labelled(hip.label_specs("left")) == (
        "gluteus_minimus", "gluteus_maximus", "tensor_fasciae_latae",
    )  # fmt: skip
    # a fan label whose muscle is not posed is NaN, not a wrong point
    fan = next(s for s in hip.label_specs("right") if s["attach"] == "fan")
    assert np.isnan(label_anchors.label_anchors([fan], np.zeros((1, 3)), np.eye(4))).all()


def cli(*argv: str) -> SceneOptions:
    """The SceneOptions ``gmed screenshot --labels`` makes of these flags."""
    p = argparse.ArgumentParser()
    for flag in ("--abduction", "--flexion", "--rotation"):
        p.add_argument(flag, type=float, default=0.0)
    p.add_argument("--side", default="right")
    p.add_argument("--labels", action="store_true")
    from viewer.cli.args import look_args

    look_args(p, "1280x800")
    return scene_options(p.parse_args(["--labels", *argv]))


@pytest.mark.parametrize(
    "argv, gone",
    [
        ((), set()),
        (("--peel", "1"), {"Gluteus maximus"}),
        (("--peel", "2"), {"Gluteus maximus"}),
        (("--peel", "3"), set(STRUCTURE_TEXTS.values())),
        (("--layers", "bones,muscle,labels,minimus,bursa"),
         {"Gluteus maximus", "Tensor fasciae latae", "Iliotibial tract", "Superior gluteal nerve"}),
        (("--layers", "bones,labels"), set(STRUCTURE_TEXTS.values())),
    ],
)  # fmt: skip
def test_a_structure_label_shows_while_its_layer_does(hip, argv, gone):
    opts = cli(*argv)
    texts = set(drawn(hip, opts))
    assert texts & set(STRUCTURE_TEXTS.values()) == set(STRUCTURE_TEXTS.values()) - gone
    # the medius' labels while it is there (not peeled at steps 2 and 3, not left out); the bones' always
    peeled = "--peel" in argv and argv[1] in ("2", "3")
    medius_gone = peeled or ("--layers" in argv and "muscle" not in argv[1])
    assert (set(MEDIUS_TEXTS) & texts) == (set() if medius_gone else set(MEDIUS_TEXTS))
    assert {"Femur", "Sacrum", "Iliac crest"} <= texts
