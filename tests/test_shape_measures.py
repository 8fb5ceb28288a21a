"""Shape measures: the mean within published ranges, and the modes moving them as the reference says."""

import pytest

from viewer import shape_measures as sm
from viewer.shape import Shape


@pytest.fixture(scope="module")
def mean(model):
    return sm.measure(model, "right")


@pytest.fixture(scope="module")
def extremes(model):
    """Geometric measures at -2 and +2 SD of modes 1, 2 and 5 (right side)."""
    return {
        (k, sd): sm.measure(model.with_shape(Shape.of({k: sd}), seat_knee=False), "right", mechanics=False)
        for k in (1, 2, 5)
        for sd in (-2.0, 2.0)
    }


def test_mean_within_published_ranges(mean):
    # ../shared/reference/single-leg-stance.md: offset 37 +/- 5 mm, NSA 122-134 deg (LLP26 ~123)
    assert 32.0 <= mean.femoral_offset_mm <= 42.0, mean.femoral_offset_mm
    assert 122.0 <= mean.neck_shaft_angle_deg <= 134.0, mean.neck_shaft_angle_deg
    assert mean.neck_shaft_angle_deg == pytest.approx(123.0, abs=2.0)
    assert 5.0 <= mean.anteversion_deg <= 25.0, mean.anteversion_deg
    assert 380.0 <= mean.femoral_length_mm <= 480.0
    assert 200.0 <= mean.pelvic_width_mm <= 270.0
    # the lever and the stance force of the textbook model (1.6-2 BW)
    assert 40.0 <= mean.abductor_moment_arm_mm <= 65.0
    assert 1.4 <= mean.abductor_force_bw <= 2.2


def test_both_sides_measure_alike(model, mean):
    left = sm.measure(model, "left", mechanics=False)
    assert left.neck_shaft_angle_deg == pytest.approx(mean.neck_shaft_angle_deg, abs=1e-6)
    assert left.femoral_offset_mm == pytest.approx(mean.femoral_offset_mm, abs=1e-6)
    assert left.anteversion_deg == pytest.approx(mean.anteversion_deg, abs=1e-6)


def test_mode_1_is_size(extremes):
    # reference: femur length about 447 <-> 388 mm at -2 <-> +2 SD (a spread of about 59 mm)
    lo, hi = extremes[(1, -2.0)], extremes[(1, 2.0)]
    assert lo.femoral_length_mm - hi.femoral_length_mm == pytest.approx(59.0, abs=8.0)
    assert lo.pelvic_width_mm > hi.pelvic_width_mm + 10.0


def test_mode_2_moves_nsa_down_and_offset_up(extremes):
    # reference: NSA about 127 <-> 120 deg, offset about 35 <-> 43 mm at -2 <-> +2 SD
    lo, hi = extremes[(2, -2.0)], extremes[(2, 2.0)]
    assert lo.neck_shaft_angle_deg - hi.neck_shaft_angle_deg > 5.0
    assert hi.femoral_offset_mm - lo.femoral_offset_mm > 5.0
    assert lo.neck_shaft_angle_deg == pytest.approx(127.0, abs=4.0)
    assert hi.femoral_offset_mm == pytest.approx(43.0, abs=4.0)


def test_mode_5_moves_nsa_down(extremes):
    # reference: NSA about 128 <-> 118 deg at -2 <-> +2 SD
    lo, hi = extremes[(5, -2.0)], extremes[(5, 2.0)]
    assert lo.neck_shaft_angle_deg - hi.neck_shaft_angle_deg > 3.0
