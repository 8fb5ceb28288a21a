"""Landmarks: on their bone, in the right place, in the ISB frame."""

import numpy as np
import pytest
from proximity import SurfaceDistance


def test_isb_frame(model):
    r, left = model.landmark("asis_right"), model.landmark("asis_left")
    np.testing.assert_allclose((r + left) / 2, 0, atol=1e-9)  # origin midway between the ASISs
    np.testing.assert_allclose(r[:2], 0, atol=1e-9)  # Z runs through both ASISs
    assert r[2] > 0  # Z to the right
    psis = (model.landmark("psis_right") + model.landmark("psis_left")) / 2
    assert psis[0] < -100 and abs(psis[1]) < 1e-9 and abs(psis[2]) < 5  # X anterior, PSISs in XZ plane


def test_every_landmark_lies_on_its_bone(model):
    cache = {}
    for key, d in model.definitions.items():
        if d["kind"] in ("sphere_centre", "midpoint"):  # centres: their nodes are checked below
            continue
        bone = model.bones[d["bone"]]
        if d["bone"] not in cache:
            cache[d["bone"]] = SurfaceDistance(bone.vertices, bone.faces)
        p = np.atleast_2d(model.landmark(key))
        assert np.abs(cache[d["bone"]].signed_distance(p)).max() < 0.5, key
    for key, d in model.definitions.items():
        if d["kind"] == "midpoint":
            bone = model.bones[d["bone"]]
            nodes = bone.vertices[bone.atlas_map.vertices_of_nodes(d["atlas_nodes"])]
            if d["bone"] not in cache:
                cache[d["bone"]] = SurfaceDistance(bone.vertices, bone.faces)
            assert np.abs(cache[d["bone"]].signed_distance(nodes)).max() < 0.5, key
            np.testing.assert_allclose(model.landmark(key), nodes.mean(axis=0), err_msg=key)


def test_required_landmarks_present(model):
    for side in ("right", "left"):
        for stem in (
            "asis", "psis", "pubic_tubercle", "iliac_crest", "anterior_gluteal_line",
            "posterior_gluteal_line", "hip_centre", "femoral_head_centre", "greater_trochanter_tip",
            "greater_trochanter_facet", "lesser_trochanter", "epicondyle_lateral", "epicondyle_medial",
            "knee_centre", "tibial_plateau_centre", "malleolus_medial", "malleolus_lateral",
            "ankle_centre", "patella_centre",
        ):  # fmt: skip
            assert f"{stem}_{side}" in model.definitions


@pytest.mark.parametrize("side", ["right", "left"])
def test_anatomical_relations(model, side):
    s = 1 if side == "right" else -1
    hjc = model.hip_centre(side)
    crest = model.landmark(f"iliac_crest_{side}")
    agl = model.landmark(f"anterior_gluteal_line_{side}")
    pgl = model.landmark(f"posterior_gluteal_line_{side}")
    gt = model.landmark(f"greater_trochanter_tip_{side}")
    lt = model.landmark(f"lesser_trochanter_{side}")
    facet = model.landmark(f"greater_trochanter_facet_{side}")
    assert crest[:, 1].max() > hjc[1] + 100  # crest well above the joint
    assert agl[:, 0].mean() > pgl[:, 0].mean() + 30  # anterior line in front of the posterior one
    assert s * (gt[2] - hjc[2]) > 40  # trochanter lateral to the head
    assert lt[1] < gt[1] - 40 and s * (lt[2] - gt[2]) < 0  # lesser trochanter lower and medial
    assert s * (facet[:, 2].mean() - hjc[2]) > 45  # facet on the lateral side
    epi = model.landmark(f"epicondyle_lateral_{side}") - model.landmark(f"epicondyle_medial_{side}")
    assert 60 < np.linalg.norm(epi) < 100 and s * epi[2] > 0
    # hip joint centres ~ 170 mm apart in adults
    assert 140 < np.linalg.norm(model.hip_centre("right") - model.hip_centre("left")) < 200
