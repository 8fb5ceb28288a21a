"""Signed distance from points to a closed triangle mesh (pure numpy/scipy), for the tests."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def closest_point_on_triangles(p: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray):
    """Closest points on triangles to points (vectorised, Ericson 2005 5.1.5).

    Parameters
    ----------
    p, a, b, c : (n, 3) float
        Query points and triangle corners, row by row.

    Returns
    -------
    (n, 3) float
    """
    ab, ac, ap = b - a, c - a, p - a
    d1 = np.einsum("ij,ij->i", ab, ap)
    d2 = np.einsum("ij,ij->i", ac, ap)
    bp = p - b
    d3 = np.einsum("ij,ij->i", ab, bp)
    d4 = np.einsum("ij,ij->i", ac, bp)
    cp = p - c
    d5 = np.einsum("ij,ij->i", ab, cp)
    d6 = np.einsum("ij,ij->i", ac, cp)
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 / (va + vb + vc)
        v = vb * denom
        w = vc * denom
        out = a + ab * v[:, None] + ac * w[:, None]

        def put(mask, value):
            nonlocal out
            out = np.where(mask[:, None], value, out)

        # edges (checked before vertices so vertex regions win)
        m = (vc <= 0) & (d1 >= 0) & (d3 <= 0)
        put(m, a + ab * (d1 / (d1 - d3))[:, None])
        m = (vb <= 0) & (d2 >= 0) & (d6 <= 0)
        put(m, a + ac * (d2 / (d2 - d6))[:, None])
        m = (va <= 0) & ((d4 - d3) >= 0) & ((d5 - d6) >= 0)
        put(m, b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)))[:, None])
        put((d1 <= 0) & (d2 <= 0), a)
        put((d3 >= 0) & (d4 <= d3), b)
        put((d6 >= 0) & (d5 <= d6), c)
    return out


class SurfaceDistance:
    """Signed distance to a closed, outward-oriented triangle mesh.

    Candidate triangles are those around the ``k`` nearest vertices, which
    is exact for points near a surface of roughly even triangles (the use
    here: joint spaces and muscle clearance of a few millimetres).
    Distances are positive outside and negative inside.

    Parameters
    ----------
    vertices : (n, 3) float
    faces : (f, 3) int
    k : int
        Nearest vertices whose triangles are searched.
    """

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, k: int = 8):
        self.vertices = np.asarray(vertices, dtype=float)
        self.faces = np.asarray(faces, dtype=np.int64)
        self.k = k
        self.tree = cKDTree(self.vertices)
        tri = self.vertices[self.faces]
        n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        self.face_area_normals = n
        # vertex -> incident faces, padded with -1
        order = np.argsort(self.faces.ravel(), kind="stable")
        vert = self.faces.ravel()[order]
        counts = np.bincount(vert, minlength=len(self.vertices))
        width = counts.max()
        table = -np.ones((len(self.vertices), width), dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(vert)) - start[vert]
        table[vert, slot] = order // 3
        self.vertex_faces = table

    def query(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Signed distance, closest point and outward direction.

        Parameters
        ----------
        points : (m, 3) float

        Returns
        -------
        distance : (m,) float
            Positive outside, negative inside.
        closest : (m, 3) float
        normal : (m, 3) float
            Unit pseudo-normal of the surface at the closest point.
        """
        p = np.asarray(points, dtype=float).reshape(-1, 3)
        _, idx = self.tree.query(p, k=self.k)
        cand = self.vertex_faces[idx].reshape(len(p), -1)  # (m, k*width)
        valid = cand >= 0
        cand_safe = np.where(valid, cand, 0)
        rows = np.repeat(np.arange(len(p)), cand.shape[1])
        f = self.faces[cand_safe.ravel()]
        v = self.vertices
        cp = closest_point_on_triangles(p[rows], v[f[:, 0]], v[f[:, 1]], v[f[:, 2]])
        d2 = ((cp - p[rows]) ** 2).sum(axis=1).reshape(len(p), -1)
        d2[~valid] = np.inf
        best = np.argmin(d2, axis=1)
        dmin = np.sqrt(d2[np.arange(len(p)), best])
        closest = cp.reshape(len(p), -1, 3)[np.arange(len(p)), best]
        # pseudo-normal: area-weighted normals of the distinct candidate faces
        # that touch the closest point (one face inside, two on an edge, a fan at a vertex)
        touching = valid & (np.sqrt(d2) <= dmin[:, None] * (1 + 1e-7) + 1e-9)
        order = np.argsort(cand, axis=1)
        ranked = np.take_along_axis(cand, order, axis=1)
        first = np.ones_like(touching)
        first[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
        distinct = np.empty_like(first)
        np.put_along_axis(distinct, order, first, axis=1)
        weights = (touching & distinct).astype(float)
        normal = np.einsum("mc,mcj->mj", weights, self.face_area_normals[cand_safe])
        normal /= np.linalg.norm(normal, axis=1, keepdims=True)
        sign = np.sign(np.einsum("ij,ij->i", p - closest, normal))
        sign[sign == 0] = 1.0
        return sign * dmin, closest, normal

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """Signed distance ((m,) float, positive outside) of (m, 3) points."""
        return self.query(points)[0]


def inside(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Which points ((n,) bool) lie inside a closed, consistently oriented triangle mesh.

    The generalised winding number (Jacobson et al. 2013): the solid angles of all triangles
    seen from each point, summed over 4π; about 1 inside and 0 outside, robust for thin shells.
    """
    p = np.asarray(points, dtype=float)
    tri = np.asarray(vertices, dtype=float)[np.asarray(faces)]
    out = np.empty(len(p), dtype=bool)
    for s in range(0, len(p), chunk):
        q = p[s : s + chunk, None, None, :]
        r = tri[None] - q  # (k, f, 3, 3)
        a, b, c = r[..., 0, :], r[..., 1, :], r[..., 2, :]
        la, lb, lc = (np.linalg.norm(x, axis=-1) for x in (a, b, c))
        det = np.einsum("...i,...i->...", a, np.cross(b, c))
        den = (
            la * lb * lc
            + np.einsum("...i,...i->...", a, b) * lc
            + np.einsum("...i,...i->...", b, c) * la
            + np.einsum("...i,...i->...", c, a) * lb
        )
        w = 2.0 * np.arctan2(det, den).sum(axis=1) / (4.0 * np.pi)
        out[s : s + chunk] = np.abs(w) > 0.5
    return out
