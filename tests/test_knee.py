"""The knee's least distances: the compiled search over binned triangles is exact, near and far."""

import numpy as np
import pytest

from viewer import knee


def brute_force(points: np.ndarray, triangles: np.ndarray) -> float:
    """Least distance from points to triangles, every pair measured (numpy): each triangle's
    closest point inside the face by projection, else on one of its edges."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    best = np.inf
    for p in points:
        # the closest point of each triangle: minimise over barycentric (s, t) by projection
        ab, ac, ap = b - a, c - a, p - a
        m = np.stack(
            [np.einsum("ij,ij->i", ab, ab), np.einsum("ij,ij->i", ab, ac), np.einsum("ij,ij->i", ac, ac)]
        )
        r = np.stack([np.einsum("ij,ij->i", ab, ap), np.einsum("ij,ij->i", ac, ap)])
        det = m[0] * m[2] - m[1] ** 2
        s, t = (m[2] * r[0] - m[1] * r[1]) / det, (m[0] * r[1] - m[1] * r[0]) / det
        inside = (s >= 0) & (t >= 0) & (s + t <= 1)
        d = np.where(inside, np.linalg.norm(a + s[:, None] * ab + t[:, None] * ac - p, axis=1), np.inf)
        for u, v in ((a, b), (b, c), (c, a)):  # else on an edge
            e = v - u
            w = np.clip(np.einsum("ij,ij->i", p - u, e) / np.einsum("ij,ij->i", e, e), 0, 1)
            d = np.minimum(d, np.linalg.norm(u + w[:, None] * e - p, axis=1))
        best = min(best, d.min())
    return float(best)


@pytest.fixture(scope="module")
def femur(model):
    f = model.bones["femur_right"]
    return knee.Surface(f.vertices, f.faces, model.knee_centre("right"))


@pytest.mark.parametrize("gap", [0.3, 1.5, 6.0, 25.0, 70.0])
def test_least_distance_is_exact_near_and_far(model, femur, gap):
    """Points of the tibia moved away from the femur: the compiled search equals a dense numpy
    search over every triangle, whether the surface lies within one cell or far beyond four."""
    rng = np.random.default_rng(int(gap * 10))
    tibia = model.bones["tibia_fibula_right"].vertices
    near = tibia[np.linalg.norm(tibia - model.knee_centre("right"), axis=1) < knee.KNEE_REACH]
    pts = near[rng.choice(len(near), 60, replace=False)]
    pts = pts + (gap - femur.least_distance(pts)) * np.array([0.0, -1.0, 0.0])
    want = brute_force(pts, femur.triangles)
    got = femur.least_distance(pts)
    assert 0.1 < got < 1.2 * gap + 1.0  # moved near the gap asked for
    assert got == pytest.approx(want, abs=1e-9)
    # a bound above the distance changes nothing; one below it finds none
    assert femur.least_distance(pts, got + 0.5) == pytest.approx(want, abs=1e-9)
    assert femur.least_distance(pts, got - 0.1) == np.inf
