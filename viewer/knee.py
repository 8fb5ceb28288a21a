"""The knee: flexion of the lower leg about the femoral transepicondylar axis, and seating a
lower-leg bone at the femur with a joint space (used by ``viewer.build_meshes`` and ``viewer.shape``)."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.spatial import cKDTree

from viewer import geometry

#: Knee flexion the lower legs can take (degrees); the builder seats the tibia-fibula and
#: patella so that neither touches the femur anywhere in it.
KNEE_FLEXION_RANGE = (0.0, 120.0)


def knee_flexion_matrix(
    epicondyle_lateral: np.ndarray, epicondyle_medial: np.ndarray, side: str, flexion_deg: float
) -> np.ndarray:
    """(4, 4) knee flexion of the lower leg in the femur's neutral placement.

    A rotation about the transepicondylar axis through its midpoint (the knee centre),
    signed so that positive flexion moves the foot backward (toward -X).

    Parameters
    ----------
    epicondyle_lateral, epicondyle_medial : (3,) float
        The femoral epicondyles at neutral.
    side : {"right", "left"}
    flexion_deg : float
    """
    lateral, medial = np.asarray(epicondyle_lateral, float), np.asarray(epicondyle_medial, float)
    axis = (medial - lateral) * (1.0 if side == "right" else -1.0)  # toward -Z: the foot goes to -X
    return geometry.rotation_about((lateral + medial) / 2.0, geometry.rotation_matrix(axis, flexion_deg))


#: Only vertices this close to the knee centre (mm) can meet at the knee.
KNEE_REACH = 90.0


class Surface:
    """The part of a closed mesh near the knee, ready for least-distance queries.

    Parameters
    ----------
    vertices : (n, 3) float
    faces : (f, 3) int
    knee : (3,) float
        Only triangles with a corner within 2 KNEE_REACH of it are kept.
    """

    #: Side (mm) of the cubes the triangles are binned in (:func:`viewer.raster.cell_grid`),
    #: and of the coarser cubes searched when the surface lies far from every point.
    CELL_MM, FAR_CELL_MM = 4.0, 16.0

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, knee: np.ndarray):
        from viewer import raster  # compiled (numba)

        self.vertices = np.asarray(vertices, dtype=float)
        faces = np.asarray(faces)
        faces = faces[(np.linalg.norm(self.vertices - knee, axis=1) < 2 * KNEE_REACH)[faces].any(axis=1)]
        self.triangles = np.ascontiguousarray(self.vertices[faces])
        self._faces = faces
        #: every point of a triangle lies this close (mm) to one of its corners
        self.reach = float(
            np.linalg.norm(self.triangles - np.roll(self.triangles, 1, axis=1), axis=2).max() / np.sqrt(3.0)
        )
        centre = self.triangles.mean(axis=1)
        radius = np.linalg.norm(self.triangles - centre[:, None], axis=2).max(axis=1) * (1 + 1e-9) + 1e-9
        spheres = np.ascontiguousarray(np.column_stack([centre, radius]))
        corners = self.triangles.reshape(-1, 3)
        lo = corners.min(axis=0)
        self._grids = []
        for size in (self.CELL_MM, self.FAR_CELL_MM):
            shape = np.floor((corners.max(axis=0) - lo) / size).astype(np.int64) + 1
            start, items = raster.cell_grid(self.triangles, lo, size, shape)
            self._grids.append((self.triangles, spheres, lo, size, shape, start, items))

    @cached_property
    def tree(self) -> cKDTree:
        """The surface's vertices, for the nearest-vertex bounds of a far search."""
        return cKDTree(self.vertices[np.unique(self._faces)])

    def least_distance(self, points: np.ndarray, below: float = np.inf) -> float:
        """Least distance (mm) from points ((n, 3) float) to the surface, or ``inf`` when none
        comes closer than ``below``: exact, each point measured against every triangle near
        it (:func:`viewer.raster.grid_least_distance`).

        When the surface lies farther than four cells from every point, only the points whose
        nearest vertex lies within :attr:`reach` of the nearest one can come closest to it:
        those are measured.
        """
        from viewer import raster  # compiled (numba)

        points = np.ascontiguousarray(points, dtype=float)
        d = raster.grid_least_distance(points, *self._grids[0], float(below), False)
        if not np.isnan(d):
            return float(d)
        near, _ = self.tree.query(points, distance_upper_bound=below + self.reach)
        if not np.isfinite(near.min()):
            return np.inf
        near_points = points[near <= near.min() + self.reach]
        return float(raster.grid_least_distance(near_points, *self._grids[1], float(below)))


def knee_clearance(
    moving: Surface, femur: Surface, knee: np.ndarray, offset: np.ndarray, flexions: list[np.ndarray]
) -> float:
    """Least distance (mm) between the femur and a lower-leg bone over knee flexions.

    Parameters
    ----------
    moving, femur : Surface
        The lower-leg bone (before ``offset``) and the femur, both at neutral.
    knee : (3,) float
        Knee centre; only vertices within KNEE_REACH of it are measured.
    offset : (3,) float
        Translation of the lower-leg bone before it flexes.
    flexions : list of (4, 4) float
        Knee flexion matrices (:func:`viewer.anatomy.knee_flexion_matrix`).
    """
    p0 = moving.vertices + offset
    p0 = p0[np.linalg.norm(p0 - knee, axis=1) < KNEE_REACH]
    q0 = femur.vertices[np.linalg.norm(femur.vertices - knee, axis=1) < KNEE_REACH]
    best = np.inf
    for m in flexions:  # both ways round: the least distance may fall on either bone's vertex
        # only what comes closer than the least so far is measured (the same least distance)
        best = min(best, femur.least_distance(geometry.apply(m, p0), best))
        best = min(best, moving.least_distance(geometry.apply(geometry.invert(m), q0) - offset, best))
    return best


def seat_at_knee(
    moving: Surface,
    femur: Surface,
    knee: np.ndarray,
    direction: np.ndarray,
    flexions: list[np.ndarray],
    joint_space: float,
    start: float = 40.0,
) -> float:
    """Distance (mm) to move a lower-leg bone along ``direction`` to leave ``joint_space`` (mm).

    Starts ``start`` mm along ``direction``, clear of the femur, and closes in by secant steps,
    so the bone never passes through it; at the result the least gap over all ``flexions`` is
    ``joint_space`` (within 1e-3 mm).
    """
    direction = geometry.unit(direction)

    def excess(d: float) -> float:
        return knee_clearance(moving, femur, knee, d * direction, flexions) - joint_space

    d0, g0 = start, excess(start)
    d1 = d0 - g0  # a gap shrinks by at most the distance moved
    g1 = excess(d1)
    for _ in range(30):
        if abs(g1) < 1e-3:
            return d1
        slope = (g1 - g0) / (d1 - d0) if abs(g1 - g0) > 1e-9 else 1.0
        d0, g0 = d1, g1
        d1 -= g1 / max(slope, 0.1)
        g1 = excess(d1)
    raise RuntimeError("the knee seating did not converge")
