"""Compiled loops (numba) of SideBatch: wrapping out of bone, smoothing and normals on the stacked grid.

Each function repeats, point by point, the numpy steps of :class:`viewer.muscles.fan.FanMuscle`
(``_wrap``, the (1/4, 1/2, 1/4) smoothing and the sheet normals) on the (U, V) grid of
:class:`viewer.muscles.batch.SideBatch`, in the same order of operations, so the numbers are
those of the reference to rounding (``tests/test_neighbours.py`` holds them to 1e-9 mm). The
loops touch each point once instead of a few dozen numpy passes over temporaries, which is
what makes a side's pose cost a fraction of a millisecond. Compiled on first use and cached on
disk (``cache=True``: beside this file, or in the user's cache directory when that is not
writable).

Height-field tables are those of :meth:`viewer.geometry.HeightField._cell_table`: row
``offset + i * ny + j`` holds ``a, b, c, d`` with height ``a + fx (b + d fy) + fy c``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always", error_model="numpy")
def _height(cells, x, y, ox, oy, inv, hx, hy, ny, offset):
    """Height at (x, y) of a cell table: :func:`viewer.geometry._cell_lookup` for one point."""
    fx = (x - ox) * inv
    fx = min(max(fx, 0.0), hx)
    fy = (y - oy) * inv
    fy = min(max(fy, 0.0), hy)
    i0 = int(fx)
    j0 = int(fy)
    fx -= i0
    fy -= j0
    k = offset + i0 * ny + j0
    h = cells[k, 3] * fy
    h += cells[k, 1]
    h *= fx
    h += cells[k, 0]
    h += fy * cells[k, 2]
    return h


@njit(cache=True, error_model="numpy")
def wrap_into(out, p, mask, first_row, femur, pelvis, frame, s, clearance):
    """Points of ``p`` ((u, V, 3) float, the grid's rows ``first_row`` on) lifted out of the
    femur and then of each row's pelvic bones by the point's clearance, written to ``out``
    (may be ``p``) where ``mask`` ((u, V) bool); elsewhere ``out`` takes ``p`` unchanged.

    ``femur``: (cells, (ox, oy, inv, hx, hy) float (5,), ny) of the femur's field in its frame
    (z mirrored on the left). ``pelvis``: (cells, per-row (U, 7) float: ox, oy, inv, hx, hy,
    ny, offset) of the stacked pelvic fields. ``frame``: (4, 3) float, the femur's rotation
    with its columns mirrored (3 rows) and its origin (last row). ``s``: +1 right, -1 left.
    ``clearance``: (U, V) float, of the whole grid.
    """
    fcells, fgrid, fny = femur
    pcells, prow = pelvis
    ox, oy, inv, hx, hy = fgrid[0], fgrid[1], fgrid[2], fgrid[3], fgrid[4]
    tx, ty, tz = frame[3, 0], frame[3, 1], frame[3, 2]
    # the femur's lateral axis in the world: its z, times s (the mirrored column)
    lx, ly, lz = frame[0, 2], frame[1, 2], frame[2, 2]
    u_n, v_n = p.shape[0], p.shape[1]
    for i in range(u_n):
        row = first_row + i
        pox, poy, pinv, phx, phy = prow[row, 0], prow[row, 1], prow[row, 2], prow[row, 3], prow[row, 4]
        pny, poff = int(prow[row, 5]), int(prow[row, 6])
        for j in range(v_n):
            x, y, z = p[i, j, 0], p[i, j, 1], p[i, j, 2]
            if not mask[i, j]:
                out[i, j, 0], out[i, j, 1], out[i, j, 2] = x, y, z
                continue
            c = clearance[row, j]
            dx, dy, dz = x - tx, y - ty, z - tz
            qx = dx * frame[0, 0] + dy * frame[1, 0] + dz * frame[2, 0]
            qy = dx * frame[0, 1] + dy * frame[1, 1] + dz * frame[2, 1]
            qz = dx * frame[0, 2] + dy * frame[1, 2] + dz * frame[2, 2]
            lift = _height(fcells, qx, qy, ox, oy, inv, hx, hy, fny, 0)
            lift += c
            lift -= qz
            lift = max(lift, 0.0)
            x = lift * lx + x
            y = lift * ly + y
            z = lift * lz + z
            lift = _height(pcells, x, y, pox, poy, pinv, phx, phy, pny, poff)
            lift += c
            lift -= s * z
            lift = max(lift, 0.0)
            z += s * lift
            out[i, j, 0], out[i, j, 1], out[i, j, 2] = x, y, z


@njit(cache=True, error_model="numpy")
def smooth_v(x, changes):
    """``x`` ((U, V, 3) float) smoothed (1/4, 1/2, 1/4) along each fibre where ``changes``."""
    y = x.copy()
    for i in range(x.shape[0]):
        for j in range(1, x.shape[1] - 1):
            if changes[i, j]:
                for k in range(3):
                    y[i, j, k] = 0.25 * x[i, j - 1, k] + 0.5 * x[i, j, k] + 0.25 * x[i, j + 1, k]
    return y


@njit(cache=True, error_model="numpy")
def smooth_u(x, changes):
    """``x`` ((U, V, 3) float) smoothed (1/4, 1/2, 1/4) across the fibres where ``changes``."""
    y = x.copy()
    for i in range(1, x.shape[0] - 1):
        for j in range(x.shape[1]):
            if changes[i, j]:
                for k in range(3):
                    y[i, j, k] = 0.25 * x[i - 1, j, k] + 0.5 * x[i, j, k] + 0.25 * x[i + 1, j, k]
    return y


@njit(cache=True, error_model="numpy")
def normals(p, spans, s, normal_v, normal_u, real):
    """Unit normals ((U, V, 3) float) of the stacked sheets ``p`` away from the bone, and each
    row's turn ((U,) float): :meth:`SideBatch._normals`. ``spans``: (m, 3) int, each muscle's
    first row, end row and last sample; ``normal_v``, ``normal_u``: the smoothing masks;
    ``real``: not padding."""
    U, V = p.shape[0], p.shape[1]
    du = np.zeros_like(p)
    dv = np.zeros_like(p)
    for i in range(1, U - 1):
        for j in range(V):
            for k in range(3):
                du[i, j, k] = (p[i + 1, j, k] - p[i - 1, j, k]) / 2.0
    for i in range(U):
        for k in range(3):
            dv[i, 0, k] = p[i, 1, k] - p[i, 0, k]
        for j in range(1, V - 1):
            for k in range(3):
                dv[i, j, k] = (p[i, j + 1, k] - p[i, j - 1, k]) / 2.0
    for m in range(spans.shape[0]):  # one-sided at each muscle's edges
        a, b, last = spans[m, 0], spans[m, 1], spans[m, 2]
        for j in range(V):
            for k in range(3):
                du[a, j, k] = p[a + 1, j, k] - p[a, j, k]
                du[b - 1, j, k] = p[b - 1, j, k] - p[b - 2, j, k]
        for i in range(a, b):
            for k in range(3):
                dv[i, last, k] = p[i, last, k] - p[i, last - 1, k]
    n = np.empty_like(p)
    for i in range(U):
        for j in range(V):
            ux, uy, uz = du[i, j, 0], du[i, j, 1], du[i, j, 2]
            vx, vy, vz = dv[i, j, 0], dv[i, j, 1], dv[i, j, 2]
            n[i, j, 0] = uy * vz - uz * vy
            n[i, j, 1] = uz * vx - ux * vz
            n[i, j, 2] = ux * vy - uy * vx
    turn = np.empty(U)
    for m in range(spans.shape[0]):
        a, b, last = spans[m, 0], spans[m, 1], spans[m, 2]
        total = 0.0
        for i in range(a, b):
            for j in range(last + 1):
                total += s * n[i, j, 2]
        sign = 1.0 if total >= 0 else -1.0
        for i in range(a, b):
            turn[i] = sign
            for j in range(V):
                for k in range(3):
                    n[i, j, k] *= sign
    for _ in range(2):
        n = smooth_u(smooth_v(n, normal_v), normal_u)
    for i in range(U):
        for j in range(V):
            if not real[i, j]:
                n[i, j, 0], n[i, j, 1], n[i, j, 2] = 1.0, 1.0, 1.0
            length = np.sqrt(n[i, j, 0] * n[i, j, 0] + n[i, j, 1] * n[i, j, 1] + n[i, j, 2] * n[i, j, 2])
            for k in range(3):
                n[i, j, k] /= length
    return n, turn


@njit(cache=True, error_model="numpy")
def sheets(grid, masks, lift, ins, femur, pelvis, frame, s, spans):
    """Deep and superficial sheets ((U, V, 3) float) and each row's turn ((U,) float) of the
    stacked muscles: :meth:`viewer.muscles.batch.SideBatch.sheets` in one call.

    ``grid``: (fixed (U, V, 3), tv (U, V), clearance (U, V), thickness (U, V)) float, the
    straight fibres' footprint and insertion share, the clearance and the thickness.
    ``masks``: (wrapped, lifted, smooth_v, smooth_u, normal_v, normal_u, real) bool (U, V),
    and ``passes`` ((U,) int), as :class:`SideBatch` keeps them. ``lift``: (lifted_from, the
    lift now ((U, V) float, rows ``lifted_from`` on), its direction ((U, 3) float)). ``ins``:
    (U, 3) float, each row's insertion posed. The rest as in :func:`wrap_into`.
    """
    fixed, tv, clearance, thickness = grid
    wrapped, lifted, sm_v, sm_u, normal_v, normal_u, real, passes = masks
    first_lifted, lift_now, lift_dir = lift
    U, V = fixed.shape[0], fixed.shape[1]
    p = np.empty_like(fixed)
    for i in range(U):
        for j in range(V):
            for k in range(3):
                p[i, j, k] = fixed[i, j, k] + ins[i, k] * tv[i, j]
    wrap_into(p, p, wrapped, 0, femur, pelvis, frame, s, clearance)
    n_passes = 0
    for i in range(U):
        n_passes = max(n_passes, passes[i])
    for n_pass in range(n_passes):
        q = smooth_u(smooth_v(p, sm_v), sm_u)
        where = wrapped.copy()
        for i in range(U):
            if passes[i] <= n_pass:
                where[i, :] = False
        wrap_into(q, q, where, 0, femur, pelvis, frame, s, clearance)
        for i in range(U):
            for j in range(V):
                if where[i, j]:
                    p[i, j, 0], p[i, j, 1], p[i, j, 2] = q[i, j, 0], q[i, j, 1], q[i, j, 2]
    if first_lifted < U:
        q = p[first_lifted:]
        for i in range(U - first_lifted):
            for j in range(V):
                for k in range(3):
                    q[i, j, k] = q[i, j, k] + lift_now[i, j] * lift_dir[first_lifted + i, k]
        wrap_into(q, q, lifted[first_lifted:], first_lifted, femur, pelvis, frame, s, clearance)
    n, turn = normals(p, spans, s, normal_v, normal_u, real)
    sup = np.empty_like(p)
    for i in range(U):
        for j in range(V):
            for k in range(3):
                sup[i, j, k] = p[i, j, k] + thickness[i, j] * n[i, j, k]
    wrap_into(sup, sup, real | ~real, 0, femur, pelvis, frame, s, clearance)
    return p, sup, turn
