"""A procedural fan-shaped muscle wrapped over the bones and the structures under it, with its lengths."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from viewer import data, geometry
from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscles import attachments, layers
from viewer.muscles.moment import moment_arm


@dataclass(frozen=True)
class MuscleSurface:
    """One posed fan muscle.

    Attributes
    ----------
    vertices : (n, 3) float
        Closed surface, outward normals: deep sheet, superficial sheet, then side walls share them.
    faces : (f, 3) int
    part : (n,) int
        Index into ``FanMuscle.parts`` (for the gluteus medius: anterior, middle, posterior) of every vertex.
    fibre_u : (n,) float
        Position across the fan, 0 at the anterior and 1 at the posterior border.
    fibre_v : (n,) float
        Fibre coordinate, 0 at the origin and 1 at the insertion.
    deep, superficial : (nu, nv, 3) float
        The two sheets as grids: ``nu`` fibres of ``nv`` samples from origin to insertion.
    """

    vertices: np.ndarray
    faces: np.ndarray
    part: np.ndarray
    fibre_u: np.ndarray
    fibre_v: np.ndarray
    deep: np.ndarray
    superficial: np.ndarray

    @property
    def mid(self) -> np.ndarray:
        """Mid-thickness fibre paths ((nu, nv, 3) float), the lines lengths are measured along."""
        return 0.5 * (self.deep + self.superficial)

    @property
    def origin_edge(self) -> np.ndarray:
        """(nu, 3) float: where the fibres start on the pelvis."""
        return self.deep[:, 0]

    @property
    def insertion_edge(self) -> np.ndarray:
        """(nu, 3) float: where the fibres end (for the gluteus medius, on the greater trochanter)."""
        return self.deep[:, -1]


def sheet_faces(nu: int, nv: int) -> np.ndarray:
    """Triangles ((2 (nu-1)(nv-1), 3) int) of an nu x nv grid indexed ``i * nv + j``."""
    i, j = np.meshgrid(np.arange(nu - 1), np.arange(nv - 1), indexing="ij")
    a = (i * nv + j).ravel()
    b, c, d = a + nv, a + 1, a + nv + 1
    return np.concatenate([np.column_stack([a, b, d]), np.column_stack([a, d, c])])


def closed_slab_faces(nu: int, nv: int) -> np.ndarray:
    """Faces of a closed slab made of two nu x nv sheets (deep first, then superficial).

    Walls join the four borders. The superficial sheet keeps the grid
    orientation, the deep sheet is reversed, so the normals face outward
    when the grid's (u, v) orientation points from the deep to the
    superficial sheet.
    """
    n = nu * nv
    grid = sheet_faces(nu, nv)
    faces = [grid[:, ::-1], grid + n]
    ring = (
        [(0, j) for j in range(nv)]
        + [(i, nv - 1) for i in range(1, nu)]
        + [(nu - 1, j) for j in range(nv - 2, -1, -1)]
        + [(i, 0) for i in range(nu - 2, 0, -1)]
    )
    idx = np.array([i * nv + j for i, j in ring])
    nxt = np.roll(idx, -1)
    faces.append(np.column_stack([idx, nxt + n, nxt]))
    faces.append(np.column_stack([idx, idx + n, nxt + n]))
    return np.concatenate(faces)


#: The share of an origin line that may cross a gap between bones (heights bridged straight).
MAX_ORIGIN_GAP = 0.2


class FanMuscle:
    """A procedural fan-shaped muscle of one side, from ``annotations/muscles/<id>.json``.

    Everything that does not depend on the pose -- the origin line, the
    insertion line in the femur's own frame, the height fields of the pelvic
    bones and the femur, thickness and clearance profiles (raised over the
    structures the muscle lies on) and the mesh topology -- is computed once
    here; :meth:`surface` then only wraps the fibres for the pose.

    Parameters
    ----------
    model : HipModel
    side : {"right", "left"}
    params : dict
        One validated muscle file (:func:`viewer.data.muscle`).
    Notes
    -----
    :meth:`lie_over` gives it the structures it lies on (its ``over`` list) and sets the lift
    that carries its free fibres over them (:mod:`viewer.muscles.layers`).
    """

    def __init__(self, model: HipModel, side: str, params: dict):
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, not {side!r}")
        self.model = model
        self.side = side
        self.params = params
        self.id = params["id"]
        self.s = 1.0 if side == "right" else -1.0
        res = self.params["resolution"]
        self.nu, self.nv = res["fibres"], res["samples"]
        self.u = np.linspace(0.0, 1.0, self.nu)
        self.v = np.linspace(0.0, 1.0, self.nv)
        self.parts = self.params["parts"]
        self.part_of_u = self._part_index(self.u)
        self.origin = self._origin_arc()
        self.insertion_neutral = self._insertion_line()
        self.clearance = np.array(self._clearance_profile())
        self.thickness = self._thickness_profile()
        # the fibres' attached (static) and free (posed) samples
        self.n_attached = int(np.searchsorted(self.v, self.params["attachment"]["until_v"]))
        self.attached = self._attached_part()
        #: lift (mm) of each sample along the pelvis' lateral axis over the structures beneath, at
        #: each flexion of ``layers.FLEXION_KNOTS`` ((knots, nu, nv); :meth:`lie_over`); 0 until then
        self.lift = np.zeros((len(layers.FLEXION_KNOTS), self.nu, self.nv))
        self.over: tuple[str, ...] = ()
        d = np.asarray(self.params.get("lift_direction", (0.0, 0.0, 1.0)), dtype=float)
        #: the unit axis (right side, pelvis frame) the muscle is lifted along over what lies beneath
        self.lift_direction = d / np.linalg.norm(d)
        self.faces = closed_slab_faces(self.nu, self.nv)
        self._faces_reversed = np.ascontiguousarray(self.faces[:, ::-1])
        uu, vv = np.meshgrid(self.u, self.v, indexing="ij")
        self.fibre_u = np.concatenate([uu.ravel(), uu.ravel()])
        self.fibre_v = np.concatenate([vv.ravel(), vv.ravel()])
        self.vertex_part = np.concatenate([np.repeat(self.part_of_u, self.nv)] * 2)

    # ------------------------------------------------------------------ static parts
    def _mirror(self, p: np.ndarray) -> np.ndarray:
        """Points with z flipped on the left side, so that lateral is always +z."""
        return p * np.array([1.0, 1.0, self.s])

    def _bone_height(self, names: tuple[str, ...]) -> geometry.HeightField:
        """Height field of bones along this side's lateral axis, shared by the muscles of a model."""
        cache = self.model.__dict__.setdefault("_lateral_height_fields", {})
        key = (self.side, names)
        if key not in cache:
            vertices, faces = geometry.merge_surfaces(
                [(self.model.bones[n].vertices, self.model.bones[n].faces) for n in names]
            )
            cache[key] = geometry.HeightField(self._mirror(vertices), faces)
        return cache[key]

    @cached_property
    def pelvis_height(self) -> geometry.HeightField:
        names = self.params["origin"].get("bones", ["hip"])
        return self._bone_height(tuple(f"hip_{self.side}" if n == "hip" else n for n in names))

    @cached_property
    def femur_height(self) -> geometry.HeightField:
        # the neutral femur: its frame is aligned with the pelvis frame
        return self._bone_height((f"femur_{self.side}",))

    @cached_property
    def insertion_height(self) -> geometry.HeightField:
        """Height field of the bone the insertion lies on (the femur's own, or the tibia-fibula's)."""
        return self._bone_height((f"{self.params['insertion']['bone']}_{self.side}",))

    def _part_index(self, u: np.ndarray) -> np.ndarray:
        idx = np.zeros(len(u), dtype=np.int8)
        for k, part in enumerate(self.parts):
            idx[(u >= part["from_u"]) & (u <= part["to_u"])] = k
        return idx

    def _origin_arc(self) -> np.ndarray:
        line = attachments.origin_polyline(self.model, self.side, self.params["origin"])
        arc = self._mirror(attachments.resample(line, self.nu))
        h = self.pelvis_height(arc[:, 0], arc[:, 1])
        covered = h > geometry.HeightField.EMPTY
        # across a short gap between two bones (the sacro-iliac joint of a narrow pelvis, bridged
        # by its posterior ligaments) the origin runs straight from bone to bone; an end that
        # overhangs the bone's rim (the ASIS of some shapes, by a sample) keeps its neighbour's height
        if covered.mean() < 1.0 - MAX_ORIGIN_GAP:
            raise data.DataError(
                f"annotations/muscles/{self.id}.json: origin: the origin line leaves the pelvis"
            )
        h = np.interp(np.arange(self.nu), np.flatnonzero(covered), h[covered])
        # onto the outer surface of the pelvis, where the fibres attach
        arc[:, 2] = h + self.params["clearance_mm"]["attached"]
        return self._mirror(arc)

    def _insertion_line(self) -> np.ndarray:
        a, b = attachments.insertion_ends(self.model, self.side, self.params["insertion"])
        line = self._mirror(a[None] * (1 - self.u[:, None]) + b[None] * self.u[:, None])
        h = self.insertion_height(line[:, 0], line[:, 1])
        line[:, 2] = h + self.params["clearance_mm"]["attached"]
        return self._mirror(line)

    def lie_over(self, structures: dict, deep=None, posed=None) -> None:
        """Pass over ``structures`` (id -> FanMuscle or Rigid) in every pose: sets :attr:`lift`.

        See :func:`viewer.muscles.layers.lift`. ``deep(pose)`` (this muscle's deep sheet before
        any lift) and ``posed(id, pose)`` (a structure's posed vertices and faces) may be given
        by a caller that computes them faster (:class:`viewer.muscles.Neighbourhood`, by the
        compiled loops); by default :meth:`sheets` and :meth:`surface` give them.
        """

        def beneath(pose):
            if posed is not None:
                return [posed(name, pose) for name in structures]
            tf = self.model.femur_transform(self.side, pose)
            out = []
            for st in structures.values():
                if isinstance(st, FanMuscle):
                    surf = st.surface(pose)
                    out.append((surf.vertices, surf.faces))
                else:
                    out.append((st.posed(tf), st.faces))
            return out

        self.lift = np.zeros((len(layers.FLEXION_KNOTS), self.nu, self.nv))
        self.over = ()
        if structures:
            gap = self.params["clearance_mm"]["free"]
            deep = deep or (lambda pose: self.sheets(pose)[0])
            self.lift = layers.lift(deep, beneath, self.s, self.v, self.n_attached, gap, self.lift_direction)
        self.over = tuple(structures)  # from now on the lift applies
        self.__dict__.pop("_alone", None)  # posed alone from now on with the lift

    def _clearance_profile(self) -> np.ndarray:
        c = self.params["clearance_mm"]
        # attached along the footprint and at the insertion, free in between
        va = self.params["attachment"]["until_v"]
        blend = c["blend_v"]
        w = np.clip(np.minimum((self.v - va) / blend, (1 - self.v) / blend), 0, 1)
        w = w * w * (3 - 2 * w)
        return np.broadcast_to(c["attached"] + (c["free"] - c["attached"]) * w, (self.nu, self.nv))

    def _attached_part(self) -> np.ndarray:
        """Fibres along the origin footprint ((nu, n_attached, 3) float), lying on the ilium.

        Each fibre runs from its origin towards its neutral insertion, in the
        sagittal projection, for the attached fraction of its course, and is
        laid onto the outer surface of the ilium.
        """
        va = self.params["attachment"]["until_v"]
        t = (self.v[: self.n_attached] / va)[None, :, None]
        o = self._mirror(self.origin)[:, None, :]
        d = self._mirror(self.origin + va * (self.insertion_neutral - self.origin))[:, None, :]
        p = o + t * (d - o)
        h = self.pelvis_height(p[..., 0], p[..., 1])
        # (the origin itself, p[:, 0], lies on the pelvis or bridges a short gap: _origin_arc)
        # over a gap in the bone (the sciatic notch under the gluteus maximus) the fibre runs straight
        p[..., 2] = np.maximum(p[..., 2], h + self.clearance[:, : self.n_attached])
        return self._mirror(p)

    def _thickness_profile(self) -> np.ndarray:
        t = self.params["thickness"]
        peak = t["peak_at_v"]
        # a smooth belly: 0 at both ends, 1 at the peak
        x = np.where(self.v <= peak, self.v / peak, (1 - self.v) / (1 - peak))
        along = np.sin(0.5 * np.pi * np.clip(x, 0, 1)) ** 1.5
        across = np.sin(np.pi * self.u) ** 0.5
        ends, edge, belly = t["ends_mm"], t["edge_mm"], t["belly_mm"]
        profile = ends + (belly - ends) * along[None, :] * across[:, None]
        return np.maximum(profile, np.minimum(edge, ends + (edge - ends) * along[None, :]))

    # ------------------------------------------------------------------ per pose
    def sheets(self, pose: Pose) -> tuple[np.ndarray, np.ndarray, float]:
        """Deep and superficial sheets ((nu, nv, 3) float each), wrapped over the bones, and +1/-1
        as the (u, v) grid turns from deep to superficial or back.

        The deep sheet starts as straight lines from the origin arc to the
        posed insertion line, is lifted out of the femur and the hip bone
        (height fields along each bone's lateral axis, plus the clearance),
        smoothed and lifted again; then the free part is raised by :attr:`lift`
        (at the pose's flexion) over the structures beneath. The superficial sheet lies the local
        thickness away along the sheet normal and is lifted out of the bones.
        """
        tf = self.model.femur_transform(self.side, pose)
        r, t, lateral = tf[:3, :3], tf[:3, 3], self.s * tf[:3, 2]
        steps = self.sheet_steps(pose, tf)
        request = next(steps)
        while True:
            try:
                request = steps.send(self._wrap(*request, r, t, lateral))
            except StopIteration as done:
                return done.value

    def sheet_steps(self, pose: Pose, tf: np.ndarray | None = None):
        """:meth:`sheets` as a generator: it yields ``(points, clearance)`` to be wrapped
        (:meth:`_wrap`) and is sent them back, so that :class:`viewer.muscles.batch.SideBatch`
        can wrap the points of every muscle of a side at once; it returns the sheets.
        ``tf``: the femur's (4, 4) matrix for the pose, when the caller has it."""
        tf = self.model.femur_transform(self.side, pose) if tf is None else tf
        r, t = tf[:3, :3], tf[:3, 3]
        ins = self.insertion_neutral @ r.T + t
        k = self.n_attached - 1  # the free part starts where the footprint ends
        start = self.attached[:, k]
        tv = ((self.v[k:] - self.v[k]) / (1 - self.v[k]))[None, :, None]
        free = start[:, None, :] * (1 - tv) + ins[:, None, :] * tv
        p = np.concatenate([self.attached[:, :k], free], axis=1)
        # smooth from a little before the footprint ends to the insertion, which stays put
        j = max(1, k - self.params["smoothing_overlap"])
        p[:, j:] = yield p[:, j:], self.clearance[:, j:]
        for _ in range(self.params["smoothing_passes"]):
            q = p[:, j - 1 :].copy()
            q[:, 1:-1] = 0.25 * q[:, :-2] + 0.5 * q[:, 1:-1] + 0.25 * q[:, 2:]
            q[1:-1, 1:-1] = 0.25 * q[:-2, 1:-1] + 0.5 * q[1:-1, 1:-1] + 0.25 * q[2:, 1:-1]
            p[:, j:] = yield q[:, 1:], self.clearance[:, j:]
        if self.over:  # then over the structures beneath (0 on the footprint), still off the bones
            p += layers.lift_at(self.lift, pose.flexion)[..., None] * self._mirror(self.lift_direction)
            p[:, j:] = yield p[:, j:], self.clearance[:, j:]
        du = np.gradient(p, axis=0)
        dv = np.gradient(p, axis=1)
        n = np.cross(du, dv)
        turn = 1.0 if (self.s * n[..., 2]).sum() >= 0 else -1.0
        n *= turn  # away from the bone
        for _ in range(2):  # a smoother normal field gives a smoother outer surface
            n[:, 1:-1] = 0.25 * n[:, :-2] + 0.5 * n[:, 1:-1] + 0.25 * n[:, 2:]
            n[1:-1] = 0.25 * n[:-2] + 0.5 * n[1:-1] + 0.25 * n[2:]
        n /= np.linalg.norm(n, axis=-1, keepdims=True)
        sup = yield p + self.thickness[..., None] * n, self.clearance
        return p, sup, turn

    def _wrap(self, p, clearance, r, t, lateral_femur):
        """Lift points out of the posed femur and the hip bone by at least ``clearance``."""
        # out of the femur, along the femur's lateral axis
        q = self._mirror((p - t) @ r)
        lift = np.maximum(self.femur_height(q[..., 0], q[..., 1]) + clearance - q[..., 2], 0.0)
        p = p + lift[..., None] * lateral_femur
        # out of the hip bone, along the pelvis' lateral axis
        q = self._mirror(p)
        lift = np.maximum(self.pelvis_height(q[..., 0], q[..., 1]) + clearance - q[..., 2], 0.0)
        p[..., 2] += self.s * lift
        return p

    def surface(self, pose: Pose) -> MuscleSurface:
        """The closed muscle surface for a pose (the numpy reference: :meth:`fast_surface`)."""
        return self.surface_of(*self.sheets(pose))

    @cached_property
    def _alone(self):
        from viewer.muscles.batch import SideBatch  # it builds on this module

        return SideBatch([self])

    def fast_surface(self, pose: Pose) -> MuscleSurface:
        """:meth:`surface` by the compiled loops (a :class:`viewer.muscles.batch.SideBatch` of
        this muscle alone): the same numbers to 1e-9 mm, in a fraction of the time."""
        return self._alone.surfaces(pose)[self.id]

    def surface_of(self, deep: np.ndarray, superficial: np.ndarray, turn: float) -> MuscleSurface:
        """The closed surface of two sheets ((nu, nv, 3) float) as :meth:`sheets` returns them."""
        vertices = np.concatenate([deep.reshape(-1, 3), superficial.reshape(-1, 3)])
        # slab faces are outward when the (u, v) grid turns from deep to superficial
        faces = self.faces if turn > 0 else self._faces_reversed
        return MuscleSurface(vertices, faces, self.vertex_part, self.fibre_u, self.fibre_v, deep, superficial)

    # ------------------------------------------------------------------ biomechanics
    def lengths(self, pose: Pose, surface: MuscleSurface | None = None) -> dict[str, float]:
        """Muscle-tendon length (mm) along the mid-thickness fibre lines, per part and ``whole``.

        ``surface`` is the muscle already regenerated for ``pose``, if the caller has it.
        """
        fib = geometry.polyline_length((surface or self.fast_surface(pose)).mid)  # (nu,)
        out = {p["id"]: float(fib[self.part_of_u == k].mean()) for k, p in enumerate(self.parts)}
        out["whole"] = float(fib.mean())
        return out

    def moment_arms(self, pose: Pose, joint: str = "abduction", step_deg: float = 2.0) -> dict[str, float]:
        """Moment arm (mm) about the hip centre for ``joint`` per part (:func:`viewer.muscles.moment_arm`)."""
        return moment_arm(self.lengths, pose, joint, step_deg)
