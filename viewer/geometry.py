"""Pure-numpy geometry: rotations, rigid transforms, frames and sphere fits."""

from __future__ import annotations

import numpy as np


def unit(v: np.ndarray) -> np.ndarray:
    """Normalise vectors along the last axis ((..., 3) float)."""
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def rotation_matrix(axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """Right-handed rotation about ``axis`` by ``angle_deg`` degrees.

    Parameters
    ----------
    axis : (3,) float
    angle_deg : float

    Returns
    -------
    (3, 3) float
    """
    x, y, z = unit(axis)
    a = np.radians(angle_deg)
    c, s, C = np.cos(a), np.sin(a), 1.0 - np.cos(a)
    return np.array(
        [
            [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
            [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
            [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
        ]
    )


def transform(rotation: np.ndarray | None = None, translation: np.ndarray | None = None) -> np.ndarray:
    """Build a (4, 4) homogeneous matrix from a (3, 3) rotation and a (3,) translation."""
    m = np.eye(4)
    if rotation is not None:
        m[:3, :3] = rotation
    if translation is not None:
        m[:3, 3] = translation
    return m


def rotation_about(point: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """(4, 4) matrix rotating by ``rotation`` ((3, 3) float) about ``point`` ((3,) float)."""
    point = np.asarray(point, dtype=float)
    return transform(rotation, point - rotation @ point)


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (4, 4) transform to (n, 3) points; returns (n, 3) float."""
    points = np.asarray(points, dtype=float)
    return points @ matrix[:3, :3].T + matrix[:3, 3]


def invert(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a rigid (4, 4) transform."""
    r = matrix[:3, :3]
    return transform(r.T, -r.T @ matrix[:3, 3])


def frame_from_axes(origin: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """(4, 4) matrix mapping frame coordinates to the parent frame.

    Columns of the rotation are the unit axes ``x``, ``y``, ``z`` ((3,) float).
    """
    return transform(np.column_stack([unit(x), unit(y), unit(z)]), origin)


def fit_sphere(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares (algebraic) sphere through points.

    Parameters
    ----------
    points : (n, 3) float, n >= 4

    Returns
    -------
    centre : (3,) float
    radius : float
    """
    p = np.asarray(points, dtype=float)
    a = np.column_stack([2.0 * p, np.ones(len(p))])
    b = (p * p).sum(axis=1)
    sol = np.linalg.lstsq(a, b, rcond=None)[0]
    centre = sol[:3]
    return centre, float(np.sqrt(sol[3] + centre @ centre))


def fit_sphere_trimmed(
    points: np.ndarray, keep_fraction: float = 0.7, iterations: int = 10
) -> tuple[np.ndarray, float, np.ndarray]:
    """Sphere fit that repeatedly drops the worst-fitting points.

    Used for articular surfaces whose element patches also cover non-spherical
    bone (the acetabular fossa and rim around the lunate surface).

    Parameters
    ----------
    points : (n, 3) float
    keep_fraction : float
        Fraction of points, those with the smallest residual, kept each round.
    iterations : int

    Returns
    -------
    centre : (3,) float
    radius : float
    kept : (n,) bool
        Points used in the final fit.
    """
    p = np.asarray(points, dtype=float)
    kept = np.ones(len(p), dtype=bool)
    centre, radius = fit_sphere(p)
    for _ in range(iterations):
        residual = np.abs(np.linalg.norm(p - centre, axis=1) - radius)
        kept = residual <= np.quantile(residual, keep_fraction)
        centre, radius = fit_sphere(p[kept])
    return centre, radius, kept


def isb_pelvis_frame(
    asis_right: np.ndarray, asis_left: np.ndarray, psis_right: np.ndarray, psis_left: np.ndarray
) -> np.ndarray:
    """ISB pelvis frame (Wu et al. 2002) as a (4, 4) matrix frame -> parent.

    Origin midway between the ASISs; Z from left to right ASIS; X anterior in
    the plane of the ASISs and the PSIS midpoint; Y = Z x X superior.
    """
    origin = (np.asarray(asis_right) + asis_left) / 2.0
    z = unit(np.asarray(asis_right) - asis_left)
    back = (np.asarray(psis_right) + psis_left) / 2.0
    x = origin - back
    x = unit(x - (x @ z) * z)
    y = np.cross(z, x)
    return frame_from_axes(origin, x, y, z)


def isb_femur_frame(
    head_centre: np.ndarray, epicondyle_lateral: np.ndarray, epicondyle_medial: np.ndarray, side: str
) -> np.ndarray:
    """ISB femur frame as a (4, 4) matrix frame -> parent.

    Origin at the head centre; Y from the epicondyle midpoint to the head
    centre; Z perpendicular to Y in the plane of Y and the epicondylar line,
    pointing to the right; X = Y x Z anterior.
    """
    head_centre = np.asarray(head_centre, dtype=float)
    mid = (np.asarray(epicondyle_lateral) + epicondyle_medial) / 2.0
    y = unit(head_centre - mid)
    right = np.asarray(epicondyle_lateral) - epicondyle_medial
    if side == "left":
        right = -right
    z = unit(right - (right @ y) * y)
    x = np.cross(y, z)
    return frame_from_axes(head_centre, x, y, z)


def resample_polyline(points: np.ndarray, n: int) -> np.ndarray:
    """Resample an (m, 3) polyline at ``n`` points equally spaced by arc length."""
    p = np.asarray(points, dtype=float)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, p[:, k]) for k in range(p.shape[1])])


def smooth_polyline(points: np.ndarray, width: float) -> np.ndarray:
    """Gaussian-smooth an evenly sampled (m, 3) polyline over ``width`` mm, keeping its ends."""
    p = np.asarray(points, dtype=float)
    if width <= 0 or len(p) < 3:
        return p.copy()
    step = np.linalg.norm(np.diff(p, axis=0), axis=1).mean()
    sigma = width / step / 2.0
    half = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    k /= k.sum()
    padded = np.concatenate([2 * p[:1] - p[half:0:-1], p, 2 * p[-1:] - p[-2 : -half - 2 : -1]])
    return np.column_stack([np.convolve(padded[:, j], k, mode="valid") for j in range(3)])


def polyline_length(points: np.ndarray) -> np.ndarray:
    """Length of polylines ((..., m, 3) float) along axis -2; returns (...) float."""
    return np.linalg.norm(np.diff(points, axis=-2), axis=-1).sum(axis=-1)


def radial_clamp(
    points: np.ndarray, centre: np.ndarray, radius: float, keep: str, width: float = 0.5
) -> np.ndarray:
    """Smoothly clamp the distance of points from ``centre`` to one side of ``radius``.

    ``keep="outside"`` moves points closer than ``radius`` out to about it
    (a socket made at least that large); ``keep="inside"`` pulls points
    farther than ``radius`` in (a ball made at most that large). The new
    distance is a soft maximum (minimum) of the old one and ``radius`` with
    width ``width``: monotonic, so the surface stays smooth and never folds,
    and points a few widths away on the free side move by less than 1e-5 mm.

    Parameters
    ----------
    points : (n, 3) float
    centre : (3,) float
    radius, width : float
    keep : {"outside", "inside"}

    Returns
    -------
    (n, 3) float
    """
    p = np.asarray(points, dtype=float)
    d = p - centre
    r = np.maximum(np.linalg.norm(d, axis=1), 1e-12)
    s = 1.0 if keep == "outside" else -1.0
    soft = radius + s * width * np.logaddexp(0.0, s * (r - radius) / width)
    return centre + d * (soft / r)[:, None]


class HeightField:
    """Outermost extent of a closed surface along +z, on a regular (x, y) grid.

    A point whose z is above the height of its (x, y) column lies outside
    the surface along that column, so lifting points to at least the height
    keeps them out of the bone. Heights are exact at the grid points (each
    column is intersected with every triangle over it) and bilinear in
    between, which is exact for planar patches of any slope and errs only by
    the surface's curvature within one cell.

    The heights are rounded to float32 values (held as float64, error below
    2e-5 mm): the browser's twin of the muscle (``app/js/muscleModel.js``, fed
    by ``viewer.twin``) receives them as float32 bytes, and both then
    interpolate identical numbers.

    Parameters
    ----------
    vertices : (n, 3) float
        Surface vertices, already expressed so that the height axis is +z.
    faces : (f, 3) int
    spacing : float
        Grid spacing in x and y (mm).
    """

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, spacing: float = 1.0):
        v = np.asarray(vertices, dtype=float)
        tri = v[np.asarray(faces)]  # (f, 3, 3)
        self.spacing = float(spacing)
        self.origin = v[:, :2].min(axis=0) - 2 * spacing
        shape = np.ceil((v[:, :2].max(axis=0) + 2 * spacing - self.origin) / spacing).astype(int) + 1
        from viewer import raster  # compiled (numba): imported when a field is first built

        grid = raster.top_heights(np.ascontiguousarray(tri), self.origin, self.spacing, *map(int, shape))
        # float32-representable (EMPTY and -inf are too): the JS twin gets these exact numbers
        self.grid = grid.astype(np.float32).astype(np.float64)
        self._flat = np.where(np.isfinite(self.grid), self.grid, self.EMPTY).ravel()
        self._cells = self._cell_table()

    #: Height returned where no surface lies below (far below any bone, finite so
    #: callers can add clearances without floating-point warnings).
    EMPTY = -1.0e9

    @property
    def flat(self) -> np.ndarray:
        """Heights ((nx * ny,) float, mm), row-major over the (x, y) grid; :attr:`EMPTY` where none."""
        return self._flat

    def _cell_table(self) -> np.ndarray:
        """((nx - 1) * ny, 4) float: each cell's height as ``a + fx b + fy c + fx fy d``.

        Row ``i * ny + j`` is the cell whose low corner is grid point (i, j). Within a cell the
        height is bilinear in the corners, except at the rim of the surface, where a corner is
        empty, and across cliffs (the surface turning over within the cell): there it is the
        highest corner, never below. The coefficients are the differences the bilinear form
        takes, so a lookup gives the same float64 numbers as evaluating it from the corners
        (what the JS twin does).
        """
        nx, ny = self.grid.shape
        g = self._flat.reshape(nx, ny)
        c00, c01 = g[:-1, :-1], g[:-1, 1:]
        c10, c11 = g[1:, :-1], g[1:, 1:]
        top = np.maximum(np.maximum(c00, c01), np.maximum(c10, c11))
        low = np.minimum(np.minimum(c00, c01), np.minimum(c10, c11))
        smooth = top - low <= 2.0 * self.spacing
        table = np.zeros((nx - 1, ny, 4))  # the last column of cells is never looked up
        table[:, :-1, 0] = np.where(smooth, c00, top)
        table[:, :-1, 1] = np.where(smooth, c10 - c00, 0.0)
        table[:, :-1, 2] = np.where(smooth, c01 - c00, 0.0)
        table[:, :-1, 3] = np.where(smooth, c00 - c10 - c01 + c11, 0.0)
        return table.reshape(-1, 4)

    def kernel_table(self) -> tuple[np.ndarray, np.ndarray, int]:
        """What a compiled lookup needs (:mod:`viewer.muscles.batch_kernels`): the cell table
        (:meth:`_cell_table`), the grid ``[origin x, origin y, 1 / spacing, x clamp, y clamp]``
        ((5,) float, the numbers :meth:`__call__` uses) and the number of grid columns."""
        nx, ny = self.grid.shape
        grid = np.array([self.origin[0], self.origin[1], 1.0 / self.spacing, nx - 1.000001, ny - 1.000001])
        return self._cells, grid, int(ny)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Height at (x, y) (float arrays of one shape); :attr:`EMPTY` where no surface lies below.

        Points beyond the grid are clamped into its border cells, whose corners are all empty
        (the grid reaches two spacings beyond the surface on every side).
        """
        nx, ny = self.grid.shape
        h = _cell_lookup(
            self._cells, np.array(x, dtype=float, ndmin=1), np.array(y, dtype=float, ndmin=1),
            self.origin[0], self.origin[1], 1.0 / self.spacing, nx - 1.000001, ny - 1.000001, ny, 0,
        )  # fmt: skip
        return h.reshape(np.shape(x))


class StackedHeightFields:
    """Several :class:`HeightField`, each serving some rows of a (U, V) grid of points: one
    lookup for all of them, with each point's numbers exactly those of its own field.

    Parameters
    ----------
    fields : list of HeightField
    row_field : (U,) int
        The field (index into ``fields``) of each row.
    """

    def __init__(self, fields: list[HeightField], row_field: np.ndarray):
        row_field = np.asarray(row_field)
        sizes = [len(f._cells) for f in fields]
        self._cells = np.concatenate([f._cells for f in fields])
        col = lambda values, dtype=float: np.asarray(values, dtype)[row_field][:, None]  # noqa: E731
        self._ox = col([f.origin[0] for f in fields])
        self._oy = col([f.origin[1] for f in fields])
        self._inv = col([1.0 / f.spacing for f in fields])
        self._hx = col([f.grid.shape[0] - 1.000001 for f in fields])
        self._hy = col([f.grid.shape[1] - 1.000001 for f in fields])
        self._ny = col([f.grid.shape[1] for f in fields], np.intp)
        self._offset = col(np.cumsum([0, *sizes[:-1]]), np.intp)

    def kernel_table(self) -> tuple[np.ndarray, np.ndarray]:
        """What a compiled lookup needs: the stacked cell tables and, per row, ``[origin x,
        origin y, 1 / spacing, x clamp, y clamp, columns, first row of its table]`` ((U, 7) float)."""
        rows = [self._ox, self._oy, self._inv, self._hx, self._hy, self._ny, self._offset]
        return self._cells, np.hstack([np.asarray(r, float) for r in rows])

    def __call__(self, x: np.ndarray, y: np.ndarray, first_row: int = 0) -> np.ndarray:
        """Heights ((u, V) float) at (x, y) ((u, V) float each), the rows ``first_row`` to
        ``first_row + u`` of the grid, each from its field."""
        r = slice(first_row, first_row + len(x))
        h = _cell_lookup(
            self._cells, x, y, self._ox[r], self._oy[r], self._inv[r], self._hx[r], self._hy[r],
            self._ny[r], self._offset[r],
        )  # fmt: skip
        return h.reshape(x.shape)


def _cell_lookup(cells, x, y, ox, oy, inv, hx, hy, ny, offset) -> np.ndarray:
    """Heights ((n,) float) of points (x, y) (arrays of one shape) from a cell table
    (:meth:`HeightField._cell_table`, or several stacked): grid origin ``ox, oy``, inverse
    spacing ``inv``, clamp limits ``hx, hy``, columns ``ny`` and first row of the table
    ``offset``, each a number or an array broadcasting against x."""
    fx = x - ox
    fx *= inv
    np.maximum(fx, 0.0, out=fx)
    np.minimum(fx, hx, out=fx)
    fy = y - oy
    fy *= inv
    np.maximum(fy, 0.0, out=fy)
    np.minimum(fy, hy, out=fy)
    i0 = fx.astype(np.intp)
    j0 = fy.astype(np.intp)
    fx -= i0
    fy -= j0
    i0 *= ny
    i0 += j0
    i0 += offset
    a, b, c, d = np.take(cells, i0.ravel(), axis=0).T
    fx, fy = fx.ravel(), fy.ravel()
    h = d * fy
    h += b
    h *= fx
    h += a
    h += fy * c
    return h


def merge_surfaces(surfaces) -> tuple[np.ndarray, np.ndarray]:
    """One surface from several: vertices ((n, 3) float) and faces ((f, 3) int) of
    ``surfaces``, an iterable of (vertices, faces), each face re-indexed into the whole."""
    vs, fs, n = [], [], 0
    for v, f in surfaces:
        vs.append(np.asarray(v, dtype=float))
        fs.append(np.asarray(f) + n)
        n += len(v)
    return np.concatenate(vs), np.concatenate(fs)
