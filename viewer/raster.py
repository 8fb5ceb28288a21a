"""Compiled loops (numba) over triangles: a mesh's heights on a grid, and least point-mesh distances.

:class:`viewer.geometry.HeightField` intersects each grid column with every triangle over it
and keeps the highest point (:func:`top_heights`): triangle by triangle (its bounding box of
grid points, barycentric weights, the height), with the arithmetic of the numpy formulation it
replaced, in the same order, so the heights are the same numbers. The knee's seating
(:mod:`viewer.knee`) measures least distances from points to nearby triangles
(:func:`least_distance`, the closest point of each triangle by its Voronoi region).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def top_heights(tri: np.ndarray, origin: np.ndarray, spacing: float, nx: int, ny: int) -> np.ndarray:
    """Heights ((nx, ny) float; -inf where no triangle lies over a point) of the triangles ``tri``
    ((f, 3, 3) float) at the grid points ``origin + (i, j) * spacing``.

    A point belongs to a triangle when its three barycentric weights are >= -1e-9; triangles
    seen edge-on (area below 1e-12 grid units squared) are skipped, their neighbours cover them.
    """
    grid = np.full((nx, ny), -np.inf)
    for f in range(tri.shape[0]):
        ax = (tri[f, 0, 0] - origin[0]) / spacing
        ay = (tri[f, 0, 1] - origin[1]) / spacing
        bx = (tri[f, 1, 0] - origin[0]) / spacing
        by = (tri[f, 1, 1] - origin[1]) / spacing
        cx = (tri[f, 2, 0] - origin[0]) / spacing
        cy = (tri[f, 2, 1] - origin[1]) / spacing
        area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        if not abs(area) > 1e-12:
            continue
        i0 = int(np.ceil(min(ax, bx, cx) - 1e-9))
        i1 = int(np.floor(max(ax, bx, cx) + 1e-9))
        j0 = int(np.ceil(min(ay, by, cy) - 1e-9))
        j1 = int(np.floor(max(ay, by, cy) + 1e-9))
        z0, z1, z2 = tri[f, 0, 2], tri[f, 1, 2], tri[f, 2, 2]
        for i in range(i0, i1 + 1):
            px = float(i)
            for j in range(j0, j1 + 1):
                py = float(j)
                w1 = ((px - ax) * (cy - ay) - (py - ay) * (cx - ax)) / area
                w2 = ((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / area
                w0 = 1.0 - w1 - w2
                if w0 >= -1e-9 and w1 >= -1e-9 and w2 >= -1e-9:
                    h = w0 * z0 + w1 * z1 + w2 * z2
                    if h > grid[i, j]:
                        grid[i, j] = h
    return grid


@njit(cache=True, inline="always")
def _closest_sq(px, py, pz, t):
    """Squared distance from a point to the triangle ``t`` ((3, 3) float): the closest point by
    its Voronoi region (Ericson, Real-Time Collision Detection, 5.1.5)."""
    ax, ay, az = t[0, 0], t[0, 1], t[0, 2]
    abx, aby, abz = t[1, 0] - ax, t[1, 1] - ay, t[1, 2] - az
    acx, acy, acz = t[2, 0] - ax, t[2, 1] - ay, t[2, 2] - az
    apx, apy, apz = px - ax, py - ay, pz - az
    d1 = abx * apx + aby * apy + abz * apz
    d2 = acx * apx + acy * apy + acz * apz
    if d1 <= 0.0 and d2 <= 0.0:
        return apx * apx + apy * apy + apz * apz  # corner a
    bpx, bpy, bpz = px - t[1, 0], py - t[1, 1], pz - t[1, 2]
    d3 = abx * bpx + aby * bpy + abz * bpz
    d4 = acx * bpx + acy * bpy + acz * bpz
    if d3 >= 0.0 and d4 <= d3:
        return bpx * bpx + bpy * bpy + bpz * bpz  # corner b
    vc = d1 * d4 - d3 * d2
    if vc <= 0.0 and d1 >= 0.0 and d3 <= 0.0:  # edge ab
        v = d1 / (d1 - d3)
        qx, qy, qz = ax + v * abx, ay + v * aby, az + v * abz
    else:
        cpx, cpy, cpz = px - t[2, 0], py - t[2, 1], pz - t[2, 2]
        d5 = abx * cpx + aby * cpy + abz * cpz
        d6 = acx * cpx + acy * cpy + acz * cpz
        if d6 >= 0.0 and d5 <= d6:
            return cpx * cpx + cpy * cpy + cpz * cpz  # corner c
        vb = d5 * d2 - d1 * d6
        va = d3 * d6 - d5 * d4
        if vb <= 0.0 and d2 >= 0.0 and d6 <= 0.0:  # edge ac
            w = d2 / (d2 - d6)
            qx, qy, qz = ax + w * acx, ay + w * acy, az + w * acz
        elif va <= 0.0 and (d4 - d3) >= 0.0 and (d5 - d6) >= 0.0:  # edge bc
            w = (d4 - d3) / ((d4 - d3) + (d5 - d6))
            qx = t[1, 0] + w * (t[2, 0] - t[1, 0])
            qy = t[1, 1] + w * (t[2, 1] - t[1, 1])
            qz = t[1, 2] + w * (t[2, 2] - t[1, 2])
        else:  # inside the face
            denom = 1.0 / (va + vb + vc)
            v = vb * denom
            w = vc * denom
            qx, qy, qz = ax + abx * v + acx * w, ay + aby * v + acy * w, az + abz * v + acz * w
    dx, dy, dz = px - qx, py - qy, pz - qz
    return dx * dx + dy * dy + dz * dz


@njit(cache=True, error_model="numpy")
def least_distance(points: np.ndarray, candidates: np.ndarray, triangles: np.ndarray) -> float:
    """Least distance from points ((n, 3) float) to the triangles ((t, 3, 3) float) listed for
    each point in ``candidates`` ((n, m) int, -1 for none)."""
    best = np.inf
    for i in range(points.shape[0]):
        px, py, pz = points[i, 0], points[i, 1], points[i, 2]
        for k in range(candidates.shape[1]):
            f = candidates[i, k]
            if f >= 0:
                d = _closest_sq(px, py, pz, triangles[f])
                if d < best:
                    best = d
    return np.sqrt(best)
