"""The soft tissue of one hip in layers, deep to superficial: minimus, nerve, medius, bursa, TFL, maximus."""

from __future__ import annotations

import numpy as np

from viewer import data, geometry
from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscles import soft_tissue
from viewer.muscles.batch import SideBatch
from viewer.muscles.fan import FanMuscle, MuscleSurface, closed_slab_faces
from viewer.muscles.soft_tissue import Rigid

#: Every structure, deep to superficial, with the name its part has in exported scenes (``<id>_<side>``).
STRUCTURES = (
    "gluteus_minimus",
    "superior_gluteal_nerve",
    "gluteus_medius",
    "trochanteric_bursa",
    "tensor_fasciae_latae",
    "gluteus_maximus",
)


class Neighbourhood:
    """The muscles, bursa and nerve of one side, each clear of the bones and of what lies under it.

    Parameters
    ----------
    model : HipModel
    side : {"right", "left"}
    params : dict, optional
        Muscle files by id (:func:`viewer.data.muscle`), for tests that change one; the
        others are loaded.
    until : str, optional
        Build deep to superficial only up to this structure (a muscle id, ``"nerve"``,
        ``"bursa"`` or ``"tract"``): e.g. ``"gluteus_medius"`` gives the medius exactly as the
        whole neighbourhood has it, with only the minimus and nerve it lies over.

    Attributes
    ----------
    muscles : dict of str to FanMuscle
        By muscle id, deep to superficial.
    rigid : dict of str to Rigid
        The bursa (moves with the femur), the nerve (with the pelvis) and the iliotibial tract
        (with the femur, the knee straight).
    """

    def __init__(self, model: HipModel, side: str, params: dict | None = None, until: str | None = None):
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, not {side!r}")
        self.model, self.side = model, side
        self.s = 1.0 if side == "right" else -1.0
        given = params or {}
        self.params = {m: given[m] if m in given else data.muscle(m) for m in data.MUSCLES}
        self.soft = data.annotation("neighbours")
        self.muscles: dict[str, FanMuscle] = {}
        self.rigid: dict[str, Rigid] = {}
        self._neutral: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        # while building: the structures' surfaces in the poses of the lift
        # (layers.KNOT_POSES), shared by the muscles over them
        self._posed_cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        steps = {
            "gluteus_minimus": lambda: self._add_muscle("gluteus_minimus"),
            "nerve": self._add_nerve,
            "gluteus_medius": lambda: self._add_muscle("gluteus_medius"),
            "bursa": self._add_bursa,
            "tensor_fasciae_latae": lambda: self._add_muscle("tensor_fasciae_latae"),
            "tract": self._add_tract,
            "gluteus_maximus": lambda: self._add_muscle("gluteus_maximus"),
        }
        if until is not None and until not in steps:
            raise ValueError(f"until must be one of {tuple(steps)}, not {until!r}")
        for name, build in steps.items():  # deep to superficial: each lies over what is built
            build()
            if name == until:
                break
        self._posed_cache = {}
        self._batch = SideBatch(list(self.muscles.values()))

    def surfaces(self, pose: Pose) -> dict[str, MuscleSurface]:
        """Every muscle's surface for a pose, by id, computed together (:class:`SideBatch`)."""
        return self._batch.surfaces(pose)

    # ------------------------------------------------------------------ building
    def _add_muscle(self, name: str) -> None:
        p = self.params[name]
        missing = [o for o in p["over"] if o not in self._neutral]
        if missing:
            raise data.DataError(f"annotations/muscles/{name}.json: over: {missing} are not built before it")
        m = FanMuscle(self.model, self.side, p)
        if p["over"]:
            m.lie_over(
                {o: self.muscles.get(o) or self.rigid[o] for o in p["over"]},
                deep=lambda pose: m.fast_surface(pose).deep,  # before the lift: the sheet lifted
                posed=self._posed,
            )
        self.muscles[name] = m
        s = m.fast_surface(Pose())
        self._neutral[name] = (s.vertices, s.faces)

    def _posed(self, name: str, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
        """A built structure's vertices and faces in a pose, computed once per pose."""
        key = (name, pose.abduction, pose.flexion, pose.rotation)
        if key not in self._posed_cache:
            if name in self.muscles:
                s = self.muscles[name].fast_surface(pose)
                self._posed_cache[key] = (s.vertices, s.faces)
            else:
                st = self.rigid[name]
                self._posed_cache[key] = (st.posed(self.model.femur_transform(self.side, pose)), st.faces)
        return self._posed_cache[key]

    def _mirror(self, p: np.ndarray) -> np.ndarray:
        return p * np.array([1.0, 1.0, self.s])

    def _add_nerve(self) -> None:
        n = self.soft["nerve"]
        start = np.atleast_2d(self.model.landmark(f"{n['start']['landmark']}_{self.side}"))[
            n["start"]["point"]
        ]
        start = start + self._mirror(np.asarray(n["start"].get("offset_mm", (0, 0, 0)), dtype=float))
        # the lift is vertical in the lateral axis, the surface under it slopes: twice the radius
        lift = 2.0 * n["radius_mm"] + n["gap_mm"]
        along = n["along"]
        under = self.muscles[along["muscle"]]
        sup = under.fast_surface(Pose()).superficial
        u = np.linspace(along["from_u"], along["to_u"], along["points"])
        j = round(along["at_v"] * (under.nv - 1))
        if j >= under.n_attached:
            raise data.DataError(
                "annotations/neighbours.json: nerve.along.at_v: the nerve must lie on the fixed footprint"
            )
        mid = np.array([[np.interp(t, under.u, sup[:, j, k]) for k in range(3)] for t in u])
        mid = mid + self._mirror(np.array([0.0, 0.0, lift]))
        end_spec = n["end"]
        tfl = FanMuscle(
            self.model, self.side, self.params[end_spec["muscle"]]
        )  # its footprint, before layering
        deep = tfl.fast_surface(Pose()).deep
        i, jv = round(end_spec["u"] * (tfl.nu - 1)), round(end_spec["v"] * (tfl.nv - 1))
        end = deep[i, jv] - self._mirror(np.array([0.0, 0.0, lift]))
        path = geometry.smooth_polyline(geometry.resample_polyline(np.vstack([start, mid, end]), 80), 8.0)
        # keep the smoothed path over the minimus and off the bone
        q = self._mirror(path)
        field = self._surface_floor([along["muscle"]], (f"hip_{self.side}",))
        q[:, 2] = np.maximum(field(q[:, 0], q[:, 1]) + lift, q[:, 2])
        v, f = soft_tissue.tube(self._mirror(q), n["radius_mm"])
        self.rigid[n["id"]] = Rigid(n["id"], v, f, "pelvis")
        self._neutral[n["id"]] = (v, f)

    def _surface_floor(self, names: list[str], bones: tuple[str, ...]):
        """``floor(x, y)``: the outermost of bones and neutral structures, mirrored frame (mm)."""
        parts = [self._neutral[n] for n in names]
        parts += [(self.model.bones[b].vertices, self.model.bones[b].faces) for b in bones]
        v, f = geometry.merge_surfaces(parts)
        return geometry.HeightField(self._mirror(v), f)

    def _add_bursa(self) -> None:
        b = self.soft["bursa"]
        femur = self.model.bones[f"femur_{self.side}"]
        try:
            c = femur.vertices[femur.atlas_map.node_vertex[b["femur_node"]]]
        except KeyError:
            raise data.DataError(
                f"annotations/neighbours.json: bursa.femur_node: {b['femur_node']} is not on the femur"
            ) from None
        field = self._surface_floor(b["on"], (f"femur_{self.side}",))
        centre = np.array([c[0] + b["offset_mm"][0], c[1] + b["offset_mm"][1]])

        def floor(x, y):
            # past the trochanter's edge no bone or structure lies below (the field's EMPTY):
            # the rim drapes at the lowest height found under the rest of the lens
            h = field(x, y)
            ok = h > geometry.HeightField.EMPTY / 2
            if ok.any() and not ok.all():
                h = np.where(ok, h, h[ok].min())
            return h + b["gap_mm"]

        v, f = soft_tissue.lens(centre, tuple(b["radii_mm"]), b["thickness_mm"], floor, self.s)
        self.rigid[b["id"]] = Rigid(b["id"], v, f, "femur")
        self._neutral[b["id"]] = (v, f)

    def _add_tract(self) -> None:
        """The iliotibial tract: a thin band from the TFL's insertion down the lateral thigh to the tibia."""
        tfl = self.muscles["tensor_fasciae_latae"]
        top = tfl.insertion_neutral.mean(axis=0)
        tibia = self.model.bones[f"tibia_fibula_{self.side}"]
        bottom = tibia.vertices[tibia.atlas_map.node_vertex[TRACT_TIBIA_NODE]]
        nu, nv, width, thick = 5, 40, 24.0, 1.6
        t = np.linspace(0.0, 1.0, nv)
        line = self._mirror(top[None] * (1 - t[:, None]) + bottom[None] * t[:, None])
        across = (
            np.linspace(-0.5, 0.5, nu)[:, None] * width * np.minimum(1.0, 0.4 + 1.2 * t)[None]
        )  # (nu, nv)
        deep = np.repeat(line[None], nu, axis=0)
        deep[..., 0] += across
        field = self._surface_floor(["tensor_fasciae_latae"], (f"femur_{self.side}", tibia.name))
        h = field(deep[..., 0], deep[..., 1])
        ok = h > geometry.HeightField.EMPTY / 2
        for i in range(nu):  # bridge the knee gap, where no bone lies under the band
            h[i] = np.interp(t, t[ok[i]], h[i][ok[i]])
        deep[..., 2] = np.maximum(deep[..., 2], h + 0.8)
        sup = deep.copy()
        sup[..., 2] += thick
        v = self._mirror(np.concatenate([deep.reshape(-1, 3), sup.reshape(-1, 3)]))
        f = soft_tissue._outward(v, closed_slab_faces(nu, nv))
        self.rigid["iliotibial_tract"] = Rigid("iliotibial_tract", v, f, "femur")
        self._neutral["iliotibial_tract"] = (v, f)


#: Gerdy's tubercle on the atlas tibia, where the iliotibial tract ends.
TRACT_TIBIA_NODE = 216
