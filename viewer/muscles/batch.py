"""Every muscle of one side posed at once: the steps of FanMuscle.sheets on the muscles' grids stacked."""

from __future__ import annotations

import numpy as np

from viewer import geometry
from viewer.anatomy import Pose
from viewer.muscles import layers
from viewer.muscles.fan import FanMuscle, MuscleSurface


class SideBatch:
    """The fan muscles of one side, posed together.

    The muscles' (nu, nv) sample grids are stacked along u into one (U, V) grid (U the sum of
    their fibres, V their largest sample count; a shorter muscle's grid is padded at its
    insertion end). Each step of :meth:`FanMuscle.sheets` -- straight fibres, wrapping out of
    the femur and the pelvis, smoothing, the lift over the structures beneath, normals and the
    superficial sheet -- is then a handful of numpy operations on the whole stack, with each
    muscle's own limits (footprint, smoothed span, edges) held in masks. A pose costs the
    same few dozen array operations whatever the number of muscles. The numbers are those of
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

    def _wrap(self, p: np.ndarray, tf: np.ndarray, first_row: int = 0) -> np.ndarray:
        """Points ((u, V, 3) float: the rows from ``first_row`` on) lifted out of the posed femur
        and each muscle's pelvic bones by at least their clearance, as :meth:`FanMuscle._wrap`."""
        r, t, lateral = tf[:3, :3], tf[:3, 3], self.s * tf[:3, 2]
        c = self.clearance[first_row : first_row + len(p)]
        # in the femur's frame, z mirrored on the left (a sign: the same numbers as FanMuscle._wrap)
        q = ((p - t).reshape(-1, 3) @ (r * self._mirror)).reshape(p.shape)
        lift = self.femur(q[..., 0], q[..., 1])
        lift += c
        lift -= q[..., 2]
        np.maximum(lift, 0.0, out=lift)
        lift = lift[..., None] * lateral
        lift += p
        p = lift
        lift = self.pelvis(p[..., 0], p[..., 1], first_row)
        lift += c
        lift -= self.s * p[..., 2]
        np.maximum(lift, 0.0, out=lift)
        p[..., 2] += self.s * lift
        return p

    def sheets(self, pose: Pose) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Deep and superficial sheets ((U, V, 3) float) of the stacked muscles for a pose, and
        each row's turn (+1/-1, (U,) float): :meth:`FanMuscle.sheets` for all of them."""
        tf = self.model.femur_transform(self.side, pose)
        r, t = tf[:3, :3], tf[:3, 3]
        ins = self.insertion @ r.T + t
        p = self.fixed + ins[:, None, :] * self.tv  # tv is 0 on the footprint
        p = np.where(self.wrapped[..., None], self._wrap(p, tf), p)
        for n_pass in range(int(self.passes.max())):
            on = (self.passes > n_pass)[:, None]
            q = self._smooth(self._smooth(p, "v", self._smooth_v), "u", self._smooth_u)
            p = np.where((self.wrapped & on)[..., None], self._wrap(q, tf), p)
        a = self._lifted_from
        if a < len(p):
            q = p[a:] + layers.lift_at(self.lift[:, a:], pose.flexion)[..., None] * self.lift_direction[a:]
            p[a:] = np.where(self.lifted[a:, :, None], self._wrap(q, tf, a), q)
        n, turn = self._normals(p)
        return p, self._wrap(p + self.thickness[..., None] * n, tf), turn

    def _normals(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit normals ((U, V, 3) float) away from the bone, smoothed as
        :meth:`FanMuscle.sheet_steps` smooths them, and each row's turn ((U,) float)."""
        du = np.zeros_like(p)
        du[1:-1] = (p[2:] - p[:-2]) / 2.0
        dv = np.zeros_like(p)
        dv[:, 1:-1] = (p[:, 2:] - p[:, :-2]) / 2.0
        dv[:, 0] = p[:, 1] - p[:, 0]
        turn = np.empty(len(p))
        for a, b, last in self.last_column:  # one-sided at each muscle's edges
            du[a] = p[a + 1] - p[a]
            du[b - 1] = p[b - 1] - p[b - 2]
            dv[a:b, last] = p[a:b, last] - p[a:b, last - 1]
        ux, uy, uz = du[..., 0], du[..., 1], du[..., 2]
        vx, vy, vz = dv[..., 0], dv[..., 1], dv[..., 2]
        n = np.empty_like(p)  # du x dv, as np.cross
        np.subtract(uy * vz, uz * vy, out=n[..., 0])
        np.subtract(uz * vx, ux * vz, out=n[..., 1])
        np.subtract(ux * vy, uy * vx, out=n[..., 2])
        for a, b, last in self.last_column:
            turn[a:b] = 1.0 if (self.s * n[a:b, : last + 1, 2]).sum() >= 0 else -1.0
        n *= turn[:, None, None]
        for _ in range(2):
            n = self._smooth(n, "v", self._normal_v)
            n = self._smooth(n, "u", self._normal_u)
        n[~self.real] = 1.0  # padding: any finite direction
        n /= np.sqrt(np.einsum("...i,...i->...", n, n))[..., None]
        return n, turn

    @staticmethod
    def _smooth_mask(shape: tuple[int, int], along: str, spans) -> np.ndarray:
        """Where (bool (U, V)) :meth:`_smooth` changes a point. ``spans``: for each muscle
        (first row, end row, j, k): only columns j..k-1 change; across the fibres
        (``along="u"``), the muscle's first and last fibres keep their values too."""
        changes = np.zeros(shape, bool)
        for a, b, j, k in spans:
            if along == "v":
                changes[a:b, j:k] = True
            else:
                changes[a + 1 : b - 1, j:k] = True
        return changes

    @staticmethod
    def _smooth(x: np.ndarray, along: str, changes: np.ndarray) -> np.ndarray:
        """``x`` ((U, V, 3) float) smoothed (1/4, 1/2, 1/4) along each fibre (``along="v"``) or
        across the fibres (``"u"``), muscle by muscle, where ``changes`` (:meth:`_smooth_mask`)."""
        y = x.copy()
        if along == "v":
            smoothed = 0.25 * x[:, :-2] + 0.5 * x[:, 1:-1] + 0.25 * x[:, 2:]
            np.copyto(y[:, 1:-1], smoothed, where=changes[:, 1:-1, None])
        else:
            smoothed = 0.25 * x[:-2] + 0.5 * x[1:-1] + 0.25 * x[2:]
            np.copyto(y[1:-1], smoothed, where=changes[1:-1, :, None])
        return y

    def surfaces(self, pose: Pose) -> dict[str, MuscleSurface]:
        """Every muscle's closed surface for a pose, by id (:meth:`FanMuscle.surface`)."""
        deep, sup, turn = self.sheets(pose)
        out = {}
        for m, (a, b, last) in zip(self.muscles, self.last_column, strict=True):
            out[m.id] = m.surface_of(deep[a:b, : last + 1], sup[a:b, : last + 1], turn[a])
        return out
