"""Every muscle of one side posed at once: the steps of FanMuscle.sheets on the muscles' grids stacked."""

from __future__ import annotations

import numpy as np

from viewer import geometry
from viewer.anatomy import Pose
from viewer.muscles import batch_kernels as kernels
from viewer.muscles import layers
from viewer.muscles.fan import FanMuscle, MuscleSurface


class SideBatch:
    """The fan muscles of one side, posed together.

    The muscles' (nu, nv) sample grids are stacked along u into one (U, V) grid (U the sum of
    their fibres, V their largest sample count; a shorter muscle's grid is padded at its
    insertion end). Each step of :meth:`FanMuscle.sheets` -- straight fibres, wrapping out of
    the femur and the pelvis, smoothing, the lift over the structures beneath, normals and the
    superficial sheet -- then runs once on the whole stack, with each muscle's own limits
    (footprint, smoothed span, edges) held in masks; the per-point steps are compiled loops
    (:mod:`viewer.muscles.batch_kernels`) that visit each point once. The numbers are those of
    :meth:`FanMuscle.sheets` (``tests/test_neighbours.py`` holds them to 1e-9 mm).

    Parameters
    ----------
    muscles : list of FanMuscle
        Of one side and one model, each already laid over its structures
        (:meth:`FanMuscle.lie_over`): their lift tables are read once, here.
    """

    def __init__(self, muscles: list[FanMuscle]):
        first = muscles[0]
        if any(m.side != first.side or m.model is not first.model for m in muscles):
            raise ValueError("a SideBatch holds the muscles of one side of one model")
        if any(m.femur_height is not first.femur_height for m in muscles):
            raise ValueError("the muscles of a side share one femur height field")
        # the muscles that lie over others last: their rows are lifted and wrapped once more
        self.muscles = sorted(muscles, key=lambda m: bool(m.over))
        self.model, self.side, self.s = first.model, first.side, first.s
        self.femur = first.femur_height
        self._mirror = np.array([1.0, 1.0, self.s])
        nus = [m.nu for m in self.muscles]
        self.rows = np.cumsum([0, *nus])
        U, V = int(self.rows[-1]), max(m.nv for m in self.muscles)
        pelvis = {id(m.pelvis_height): m.pelvis_height for m in self.muscles}
        order = list(pelvis)
        #: each muscle's own height field of its pelvic bones, row by row
        self.pelvis = geometry.StackedHeightFields(
            list(pelvis.values()), np.repeat([order.index(id(m.pelvis_height)) for m in self.muscles], nus)
        )
        self._stack(U, V)

    def _stack(self, U: int, V: int) -> None:
        """The muscles' static arrays and masks on the (U, V) grid."""
        col = np.arange(V)[None, :]
        shape = (U, V)
        self.wrapped = np.zeros(shape, bool)  # from where the smoothing starts to the insertion
        self.lifted = np.zeros(shape, bool)  # the wrapped span of the muscles lying over others
        self.real = np.zeros(shape, bool)  # not padding
        self.passes = np.zeros(U, int)
        self.fixed = np.zeros((U, V, 3))  # the footprint, and the free fibres' origin share
        self.tv = np.zeros((U, V, 1))  # the insertion's share of the straight free fibres
        self.clearance = np.zeros(shape)
        self.thickness = np.zeros(shape)
        self.lift = np.zeros((len(layers.FLEXION_KNOTS), U, V))
        self.lift_direction = np.zeros((U, 1, 3))
        self.insertion = np.zeros((U, 3))
        self.last_column = []  # (first row, end row, last sample) of each muscle
        self._smooth_spans = []  # (first row, end row, first and end column smoothed) of each muscle
        for m, a, b in zip(self.muscles, self.rows[:-1], self.rows[1:], strict=True):
            nv, k = m.nv, m.n_attached - 1
            j = max(1, k - m.params["smoothing_overlap"])
            self.wrapped[a:b, j:nv] = True
            self.real[a:b, :nv] = True
            self.passes[a:b] = m.params["smoothing_passes"]
            tv = (m.v[k:] - m.v[k]) / (1 - m.v[k])
            self.fixed[a:b, :k] = m.attached[:, :k]
            self.fixed[a:b, k:nv] = m.attached[:, k][:, None, :] * (1 - tv)[None, :, None]
            self.tv[a:b, k:nv, 0] = tv
            self.clearance[a:b, :nv] = m.clearance
            self.thickness[a:b, :nv] = m.thickness
            if m.over:
                self.lifted[a:b, j:nv] = True
                self.lift[:, a:b, :nv] = m.lift
            self.lift_direction[a:b, 0] = m._mirror(m.lift_direction)
            self.insertion[a:b] = m.insertion_neutral
            self.last_column.append((a, b, nv - 1))
            self._smooth_spans.append((a, b, j, nv - 1))
            # padding repeats the last sample, a little further on: finite, never degenerate
            self.fixed[a:b, nv:] = self.fixed[a:b, nv - 1 : nv]
            self.tv[a:b, nv:, 0] = 1.0 + 0.01 * (col[:, nv:] - nv + 1)
        #: the first row of the muscles that lie over others
        self._lifted_from = int(self.rows[sum(not m.over for m in self.muscles)])
        mask = self._smooth_mask
        self._smooth_v = mask(shape, "v", self._smooth_spans)
        self._smooth_u = mask(shape, "u", self._smooth_spans)
        self._normal_v = mask(shape, "v", [(a, b, 1, last) for a, b, last in self.last_column])
        self._normal_u = mask(shape, "u", [(a, b, 0, last + 1) for a, b, last in self.last_column])
        self._kernel_tables()

    def _kernel_tables(self) -> None:
        """The height fields and masks as :mod:`viewer.muscles.batch_kernels` reads them."""
        self._femur_k = self.femur.kernel_table()
        self._pelvis_k = self.pelvis.kernel_table()
        self._spans = np.array(self.last_column, dtype=np.int64).reshape(-1, 3)
        self._grid = (self.fixed, self.tv[..., 0].copy(), self.clearance, self.thickness)
        self._masks = (
            self.wrapped, self.lifted, self._smooth_v, self._smooth_u, self._normal_v, self._normal_u,
            self.real, self.passes.astype(np.int64),
        )  # fmt: skip
        self._lift_direction = np.ascontiguousarray(self.lift_direction[:, 0])

    def sheets(self, pose: Pose) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Deep and superficial sheets ((U, V, 3) float) of the stacked muscles for a pose, and
        each row's turn (+1/-1, (U,) float): :meth:`FanMuscle.sheets` for all of them."""
        tf = self.model.femur_transform(self.side, pose)
        r, t = tf[:3, :3], tf[:3, 3]
        frame = np.vstack([r * self._mirror, t])
        a = self._lifted_from
        lift = (a, layers.lift_at(self.lift[:, a:], pose.flexion), self._lift_direction)
        return kernels.sheets(
            self._grid, self._masks, lift, self.insertion @ r.T + t, self._femur_k, self._pelvis_k,
            frame, float(self.s), self._spans,
        )  # fmt: skip

    @staticmethod
    def _smooth_mask(shape: tuple[int, int], along: str, spans) -> np.ndarray:
        """Where (bool (U, V)) the smoothing (``batch_kernels.smooth_v``, ``smooth_u``) changes a
        point. ``spans``: for each muscle (first row, end row, j, k): only columns j..k-1 change;
        across the fibres
        (``along="u"``), the muscle's first and last fibres keep their values too."""
        changes = np.zeros(shape, bool)
        for a, b, j, k in spans:
            if along == "v":
                changes[a:b, j:k] = True
            else:
                changes[a + 1 : b - 1, j:k] = True
        return changes

    def surfaces(self, pose: Pose) -> dict[str, MuscleSurface]:
        """Every muscle's closed surface for a pose, by id (:meth:`FanMuscle.surface`)."""
        deep, sup, turn = self.sheets(pose)
        out = {}
        for m, (a, b, last) in zip(self.muscles, self.last_column, strict=True):
            out[m.id] = m.surface_of(deep[a:b, : last + 1], sup[a:b, : last + 1], turn[a])
        return out
