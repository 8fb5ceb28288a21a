"""The handout's page of moment arms: the curves are viewer.muscles', the labels are on the page."""

from __future__ import annotations

import numpy as np
import pytest

from viewer import data
from viewer.anatomy import POSE_RANGE, Pose
from viewer.export.handout_layout import write_pages
from viewer.export.handout_moments import moment_curves, moments_page
from viewer.muscles import JOINTS


@pytest.fixture(scope="module")
def muscle(model):
    from viewer.muscles import gluteus_medius

    return gluteus_medius(model, "right")


def test_curves_are_the_muscles_moment_arms(muscle):
    angles, arms = moment_curves(muscle, "rotation", 5.0)
    assert angles.tolist() == list(range(-20, 35, 5))
    assert list(arms) == ["anterior", "middle", "posterior", "whole"]
    for i in (0, 5, 10):
        want = muscle.moment_arms(Pose(rotation=float(angles[i])), "rotation")
        for part, values in arms.items():
            assert values[i] == pytest.approx(want[part], abs=1e-9)
    # a step that does not divide the range still ends at its end
    angles, _ = moment_curves(muscle, "abduction", 7.0)
    assert angles[0] == POSE_RANGE["abduction"][0] and angles[-1] == POSE_RANGE["abduction"][1]
    assert np.all(np.diff(angles) > 0)


def test_page_has_the_three_plots_with_their_labels(muscle, tmp_path):
    from pypdf import PdfReader

    fig = moments_page(muscle)
    try:
        write_pages([fig], tmp_path / "m.pdf", ".pdf")
        axes = fig.get_axes()
        assert len(axes) == 3
        assert [len(ax.get_lines()) for ax in axes] == [5, 5, 5]  # four curves and the zero line
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    text = PdfReader(tmp_path / "m.pdf").pages[0].extract_text()
    t = data.annotation("texts")["moment_plot"]
    assert t["handout_title"] in text
    for joint in JOINTS:
        assert t["x_label"].format(joint=t["joints"][joint]) in text
        assert t["y_label"].format(action=t["actions"][joint]) in text
    for name in t["parts"].values():
        assert name in text
