"""Compiled loops (numba) over triangles: a mesh's heights on a grid, and least point-mesh distances.

:class:`viewer.geometry.HeightField` intersects each grid column with every triangle over it
and keeps the highest point (:func:`top_heights`): triangle by triangle (its bounding box of
grid points, barycentric weights, the height), with the arithmetic of the numpy formulation it
replaced, in the same order, so the heights are the same numbers. The knee's seating
(:mod:`viewer.knee`) measures least distances from points to nearby triangles
(:func:`grid_least_distance`, the closest point of each triangle by its Voronoi region, over
the triangles binned near each point by :func:`cell_grid`).
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
def cell_grid(triangles: np.ndarray, lo: np.ndarray, size: float, shape: np.ndarray):
    """Triangles ((t, 3, 3) float) binned in a grid of cubes of side ``size`` from ``lo``
    ((3,) float), ``shape`` ((3,) int) cells: each triangle listed in every cell its bounding box
    meets. Returns ``start`` ((cells + 1,) int) and ``items`` (int): the triangles of cell ``c``
    (``(i * ny + j) * nz + k``) are ``items[start[c]:start[c + 1]]``."""
    nx, ny, nz = shape[0], shape[1], shape[2]
    start = np.zeros(nx * ny * nz + 1, dtype=np.int64)
    for rep in range(2):  # count, then fill
        fill = start[:-1].copy()
        items = np.empty(start[-1], dtype=np.int64)
        for f in range(triangles.shape[0]):
            b = np.empty((3, 2), dtype=np.int64)
            for a in range(3):
                t0, t1, t2 = triangles[f, 0, a], triangles[f, 1, a], triangles[f, 2, a]
                b[a, 0] = min(max(int(np.floor((min(t0, t1, t2) - lo[a]) / size)), 0), shape[a] - 1)
                b[a, 1] = min(max(int(np.floor((max(t0, t1, t2) - lo[a]) / size)), 0), shape[a] - 1)
            for i in range(b[0, 0], b[0, 1] + 1):
                for j in range(b[1, 0], b[1, 1] + 1):
                    for k in range(b[2, 0], b[2, 1] + 1):
                        c = (i * ny + j) * nz + k
                        if rep == 0:
                            start[c + 1] += 1
                        else:
                            items[fill[c]] = f
                            fill[c] += 1
        if rep == 0:
            for c in range(nx * ny * nz):
                start[c + 1] += start[c]
    return start, items


@njit(cache=True, error_model="numpy")
def grid_least_distance(points, triangles, spheres, lo, size, shape, start, items, below, far=True):
    """Least distance from points ((n, 3) float) to the triangles binned by :func:`cell_grid`,
    or ``inf`` when none comes closer than ``below``.

    Each point searches only the cells within the least distance found so far (``below`` at
    first) of it, and within a cap: one cell, then four, then (``far``) all. A triangle closer
    than the final least distance meets a searched cell of every point whenever that distance
    is within the cap, so after the first pass that ends below its cap every triangle that
    could be the closest has been measured (:func:`_closest_sq`): the result is the exact
    least distance. Without ``far``, ``nan`` says that none lies within four cells: the
    caller then measures only the points that can be closest (a far search of every point
    visits too many cells). Cells whose box, and triangles whose bounding sphere (``spheres``,
    (t, 4) float: centre and radius), lie no closer than the least distance so far are skipped.
    """
    best = below * below
    found = False
    r = np.empty((3, 2), dtype=np.int64)
    for cap in (size, 4.0 * size, np.inf):
        if not far and cap == np.inf:
            return np.nan
        for n in range(points.shape[0]):
            reach = min(np.sqrt(best), cap)
            empty = False
            for a in range(3):
                if np.isfinite(reach):
                    r[a, 0] = max(int(np.floor((points[n, a] - reach - lo[a]) / size)), 0)
                    r[a, 1] = min(int(np.floor((points[n, a] + reach - lo[a]) / size)), shape[a] - 1)
                else:
                    r[a, 0], r[a, 1] = 0, shape[a] - 1
                empty = empty or r[a, 0] > r[a, 1]
            if empty:
                continue
            px, py, pz = points[n, 0], points[n, 1], points[n, 2]
            for i in range(r[0, 0], r[0, 1] + 1):
                gx = max(lo[0] + i * size - px, px - lo[0] - (i + 1) * size, 0.0)
                for j in range(r[1, 0], r[1, 1] + 1):
                    gy = max(lo[1] + j * size - py, py - lo[1] - (j + 1) * size, 0.0)
                    for k in range(r[2, 0], r[2, 1] + 1):
                        gz = max(lo[2] + k * size - pz, pz - lo[2] - (k + 1) * size, 0.0)
                        if gx * gx + gy * gy + gz * gz >= best:
                            continue
                        c = (i * shape[1] + j) * shape[2] + k
                        for m in range(start[c], start[c + 1]):
                            t = items[m]
                            sx, sy, sz = px - spheres[t, 0], py - spheres[t, 1], pz - spheres[t, 2]
                            e = np.sqrt(sx * sx + sy * sy + sz * sz) - spheres[t, 3]
                            if e > 0.0 and e * e >= best:
                                continue
                            d = _closest_sq(px, py, pz, triangles[t])
                            if d < best:
                                best = d
                                found = True
        if best <= cap * cap:
            break
    return np.sqrt(best) if found else np.inf


#: :attr:`viewer.geometry.HeightField.EMPTY`, repeated here (this module imports nothing of ours).
EMPTY = -1.0e9


@njit(cache=True, error_model="numpy")
def field_heights(vertices: np.ndarray, faces: np.ndarray, spacing: float, x: np.ndarray, y: np.ndarray):
    """Heights ((n,) float) at (x, y) ((n,) float each) of ``HeightField(vertices, faces,
    spacing)``: the same numbers, without building the field's cell table.

    The grid is that of :class:`viewer.geometry.HeightField` (origin two spacings below the
    vertices' least x and y, :func:`top_heights`, heights rounded to float32, :data:`EMPTY`
    where no triangle lies over a point), and each point's height is taken from the four
    corners of its cell by the arithmetic of ``HeightField._cell_table`` and ``_cell_lookup``:
    bilinear where the corners lie within two spacings of each other, else the highest.
    """
    ox, oy = np.inf, np.inf
    mx, my = -np.inf, -np.inf
    for i in range(vertices.shape[0]):
        ox, oy = min(ox, vertices[i, 0]), min(oy, vertices[i, 1])
        mx, my = max(mx, vertices[i, 0]), max(my, vertices[i, 1])
    ox -= 2 * spacing
    oy -= 2 * spacing
    nx = int(np.ceil((mx + 2 * spacing - ox) / spacing)) + 1
    ny = int(np.ceil((my + 2 * spacing - oy) / spacing)) + 1
    tri = np.empty((faces.shape[0], 3, 3))
    for f in range(faces.shape[0]):
        for c in range(3):
            for k in range(3):
                tri[f, c, k] = vertices[faces[f, c], k]
    grid = top_heights(tri, np.array([ox, oy]), spacing, nx, ny)
    for i in range(nx):
        for j in range(ny):
            g = np.float64(np.float32(grid[i, j]))
            grid[i, j] = g if np.isfinite(g) else EMPTY
    inv = 1.0 / spacing
    hx, hy = nx - 1.000001, ny - 1.000001
    out = np.empty(x.shape[0])
    for n in range(x.shape[0]):
        fx = (x[n] - ox) * inv
        fx = min(max(fx, 0.0), hx)
        fy = (y[n] - oy) * inv
        fy = min(max(fy, 0.0), hy)
        i0 = int(fx)
        j0 = int(fy)
        fx -= i0
        fy -= j0
        c00, c01 = grid[i0, j0], grid[i0, j0 + 1]
        c10, c11 = grid[i0 + 1, j0], grid[i0 + 1, j0 + 1]
        top = max(max(c00, c01), max(c10, c11))
        low = min(min(c00, c01), min(c10, c11))
        if top - low <= 2.0 * spacing:
            a, b, c, d = c00, c10 - c00, c01 - c00, c00 - c10 - c01 + c11
        else:
            a, b, c, d = top, 0.0, 0.0, 0.0
        h = d * fy
        h += b
        h *= fx
        h += a
        h += fy * c
        out[n] = h
    return out
