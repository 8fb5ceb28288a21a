"""Height fields: exact on planes, the corner rule at rims and cliffs, stacked lookups equal single ones."""

import numpy as np
import pytest

from viewer import geometry


def corner_rule(field: geometry.HeightField, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The documented rule, point by point from the grid's corners (what the JS twin does)."""
    nx, ny = field.grid.shape
    flat = field.flat
    out = np.empty(len(x))
    for n, (px, py) in enumerate(zip(x, y, strict=True)):
        gx, gy = (px - field.origin[0]) / field.spacing, (py - field.origin[1]) / field.spacing
        if not (0 <= gx < nx - 1 and 0 <= gy < ny - 1):
            out[n] = field.EMPTY
            continue
        fx, fy = min(gx, nx - 1.000001), min(gy, ny - 1.000001)
        i, j = int(fx), int(fy)
        tx, ty = fx - i, fy - j
        k = i * ny + j
        c00, c01, c10, c11 = flat[k], flat[k + 1], flat[k + ny], flat[k + ny + 1]
        top, low = max(c00, c01, c10, c11), min(c00, c01, c10, c11)
        if top - low <= 2.0 * field.spacing:
            out[n] = c00 + tx * (c10 - c00) + ty * (c01 - c00) + tx * ty * (c00 - c10 - c01 + c11)
        else:
            out[n] = top
    return out


def box(lo, hi):
    """A closed axis-aligned box: vertices (8, 3) and outward faces (12, 3)."""
    x0, y0, z0 = lo
    x1, y1, z1 = hi
    v = np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)], float)
    f = [[0, 2, 3], [0, 3, 1], [4, 5, 7], [4, 7, 6], [0, 1, 5], [0, 5, 4]]
    f += [[2, 6, 7], [2, 7, 3], [0, 4, 6], [0, 6, 2], [1, 3, 7], [1, 7, 5]]
    return v, np.array(f)


@pytest.fixture(scope="module")
def fields():
    # a tilted plane (exact everywhere inside), and a stepped block (cliffs, rims)
    v = np.array([[0, 0, 5.0], [40, 0, 15.0], [0, 30, 11.0], [40, 30, 21.0]])
    plane = geometry.HeightField(v, np.array([[0, 1, 3], [0, 3, 2]]), spacing=1.0)
    a, fa = box((0, 0, 0), (20, 20, 10))
    b, fb = box((10, 5, 0), (30, 15, 25))
    steps = geometry.HeightField(*geometry.merge_surfaces([(a, fa), (b, fb)]), spacing=2.0)
    return plane, steps


def test_a_plane_is_exact_between_grid_points(fields):
    plane, _ = fields
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.5, 39.5, 500), rng.uniform(0.5, 29.5, 500)
    np.testing.assert_allclose(plane(x, y), 5.0 + 0.25 * x + 0.2 * y, atol=2e-5)


def test_lookup_follows_the_corner_rule_inside_at_rims_and_outside(fields):
    rng = np.random.default_rng(1)
    for field in fields:
        lo = field.origin - 15.0
        hi = field.origin + np.array(field.grid.shape) * field.spacing + 15.0
        x, y = rng.uniform(lo[0], hi[0], 3000), rng.uniform(lo[1], hi[1], 3000)
        got, want = field(x, y), corner_rule(field, x, y)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
        assert (got == field.EMPTY).sum() > 100  # beyond the grid, and over no surface
        assert field(np.float64(-1e6), np.float64(3.0)) == field.EMPTY


def test_cliffs_take_the_highest_corner(fields):
    _, steps = fields
    # within a cell that straddles the tall block's wall: never below the block's top
    h = steps(np.array([29.5, 10.5]), np.array([10.0, 10.0]))
    assert h[0] >= 25.0 - 1e-6 and h[1] >= 10.0 - 1e-6


def test_stacked_fields_equal_each_field_row_by_row(fields):
    plane, steps = fields
    rows = np.array([0, 0, 1, 1, 1, 0])
    stacked = geometry.StackedHeightFields([plane, steps], rows)
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-5, 45, (6, 50)), rng.uniform(-5, 35, (6, 50))
    want = np.stack([(plane, steps)[k](x[i], y[i]) for i, k in enumerate(rows)])
    np.testing.assert_array_equal(stacked(x, y), want)
    np.testing.assert_array_equal(stacked(x[2:5], y[2:5], first_row=2), want[2:5])


def test_compiled_heights_equal_the_field_on_a_bone(model):
    """raster.field_heights (the muscles' lift tables use it) gives the field's numbers exactly."""
    from viewer import raster

    bone = model.bones["hip_right"]
    rng = np.random.default_rng(3)
    lo, hi = bone.vertices[:, :2].min(axis=0) - 12.0, bone.vertices[:, :2].max(axis=0) + 12.0
    x, y = rng.uniform(lo[0], hi[0], 4000), rng.uniform(lo[1], hi[1], 4000)
    for spacing in (1.0, 2.0):
        field = geometry.HeightField(bone.vertices, bone.faces, spacing=spacing)
        got = raster.field_heights(bone.vertices, np.ascontiguousarray(bone.faces, np.int64), spacing, x, y)
        np.testing.assert_array_equal(got, field(x, y))
        assert (got == field.EMPTY).sum() > 100 and (got > 0).sum() > 100
