"""Binary payloads for the browser view: meshes sent once, then small per-pose frames."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from viewer import contract, data, geometry
from viewer.anatomy import POSE_RANGE, SIDES, Pose
from viewer.contract import FrameLayout
from viewer.muscle import closed_slab_faces
from viewer.posed import pose_hip

if TYPE_CHECKING:
    from viewer.scene import HipScene

#: Abduction angles of a precomputed sweep, played back in the browser.
SWEEP_STEP_DEG = 1.0


def f32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


def u32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<u4").tobytes()


class BrowserScene:
    """Everything the browser view needs, built once and shared by every session.

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

    # ------------------------------------------------------------------ sent once
    @cached_property
    def lod(self) -> dict:
        """Light bones (``meshes/lod/``, ~8 % of the triangles) shown while the view moves on a
        slow (software-rendering) browser; the full meshes return when it stops."""
        from viewer.scene import polydata

        out = {}
        for name in self.model.bones:
            mesh = data.load_bone_mesh(name, lod=True)
            out[name] = polydata(mesh.vertices, mesh.faces).compute_normals(
                auto_orient_normals=False, split_vertices=False
            )
        return out

    @cached_property
    def static(self) -> dict[str, dict]:
        """Static meshes per side: bones, muscle topology and colours, footprints, labels."""
        return {side: self._static(side) for side in SIDES}

    def _static(self, side: str) -> dict:
        sc, hip = self.scene, self.hip
        other = "left" if side == "right" else "right"
        meshes = []
        for name in contract.BONES:
            poly = sc.bone(name)
            lod = self.lod[name]
            meshes.append(
                {
                    "id": name,
                    "group": "other_side" if name.endswith(other) else "bones",
                    "moves": name == f"femur_{side}",
                    "points": f32(poly.points),
                    "normals": f32(poly.point_data["Normals"]),
                    "tris": u32(poly.regular_faces),
                    "lod": {
                        "points": f32(lod.points),
                        "normals": f32(lod.point_data["Normals"]),
                        "tris": u32(lod.regular_faces),
                    },
                    "color": sc.style["bone"],
                }
            )
        # the other side's muscle stays at neutral
        neutral = hip.neutral[other]
        lod_faces = self._lod_muscle_faces(other)
        meshes.append(
            {
                "id": f"muscle_{other}",
                "group": "other_side",
                "moves": False,
                "points": f32(neutral.vertices),
                "tris": u32(neutral.faces),
                "part": neutral.part.astype(np.uint8).tobytes(),
                "lod": {"points": f32(neutral.vertices), "tris": u32(lod_faces)},
                "color": sc.style["muscle_parts"]["middle"],
            }
        )
        s = hip.neutral[side]
        fp, fp_lod = sc.footprints(side), sc.footprints(side, light=True)
        back = geometry.invert(self.model.femur_transform(side, Pose()))
        return {
            "side": side,
            "meshes": meshes,
            "muscle": {
                "tris": u32(s.faces),
                "part": s.part.astype(np.uint8).tobytes(),
                "ribbon_tris": u32(hip.ribbon_faces(side)),
                # every other fibre and sample: the light muscle drawn while moving
                "lod_tris": u32(self._lod_muscle_faces(side)),
                "lod_ribbon_tris": u32(hip.ribbon_faces(side, step=2)),
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
            "colors": {
                "normal": sc.style["muscle_parts"],
                "classroom": sc.style["classroom_parts"],
                "fibre": sc.style["fibre"],
                "bone": sc.style["bone"],
            },
            "labels": hip.label_specs(side),
            "layout": self.layout.as_dict(),
            "hip_centre": self.model.hip_centre(side).tolist(),
        }

    @staticmethod
    def _footprint(poly, to_neutral: np.ndarray | None) -> dict:
        points = poly.points if to_neutral is None else geometry.apply(to_neutral, poly.points)
        return {"points": f32(points), "tris": u32(poly.triangulate().regular_faces)}

    def _lod_muscle_faces(self, side: str) -> np.ndarray:
        """Closed-slab triangles over every other fibre and sample, indexing the full vertices."""
        m = self.scene.muscles[side]
        iu = np.arange(0, m.nu, 2)
        iv = np.arange(0, m.nv, 2)
        local = closed_slab_faces(len(iu), len(iv))
        grid = (iu[:, None] * m.nv + iv[None, :]).ravel()
        index = np.concatenate([grid, grid + m.nu * m.nv])
        faces = index[local]
        # keep the outward orientation of the full mesh
        full = self.hip.neutral[side]
        return faces if np.array_equal(full.faces, m.faces) else faces[:, ::-1]

    # ------------------------------------------------------------------ per pose
    def frame(self, side: str, pose: Pose) -> tuple[bytes, dict]:
        """One frame (float32 bytes, see :class:`FrameLayout`) and its read-out."""
        posed = pose_hip(self.hip, side, pose, other_side=False, readout=True)
        buf = np.concatenate(
            [
                posed.femur[side].T.ravel(),  # column-major, as vtk.js user matrices are
                posed.muscles[side].vertices.ravel(),
                posed.ribbons[side].ravel(),
            ]
        )
        return f32(buf), {"length": posed.lengths["whole"], "moment_arm": posed.moment_arms["whole"]}

    def sweep(self, side: str, flexion: float, rotation: float) -> tuple[bytes, dict]:
        """All abduction frames at SWEEP_STEP_DEG for one flexion and rotation, and read-outs."""
        lo, hi = POSE_RANGE["abduction"]
        angles = np.arange(lo, hi + SWEEP_STEP_DEG / 2, SWEEP_STEP_DEG)
        frames, length, arm = [], [], []
        for a in angles:
            buf, read = self.frame(side, Pose(float(a), flexion, rotation))
            frames.append(buf)
            length.append(round(read["length"], 2))
            arm.append(round(read["moment_arm"], 2))
        return b"".join(frames), {"angles": angles.tolist(), "length": length, "moment_arm": arm}


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


@lru_cache(maxsize=256)
def shared_frame(side: str, pose: Pose) -> tuple[bytes, dict]:
    """One frame and read-out, cached across sessions: a class that follows the teacher's
    instructions asks for the same poses, so each is computed once (256 frames: 10 MB)."""
    return shared_scene().frame(side, pose)


#: Sweeps kept for all sessions (8 sweeps: 18 MB); the one at zero flexion and rotation is
#: in the start-up cache.
SWEEPS_KEPT = 8
_sweeps: OrderedDict[tuple[str, float, float], tuple[bytes, dict]] = OrderedDict()
_sweeps_lock = threading.Lock()


def shared_sweep(side: str, flexion: float, rotation: float, compute: bool = True):
    """Abduction sweep (frames, read-outs) for one flexion and rotation, shared by all sessions.

    With ``compute=False`` only a sweep already computed is returned (else None): a session
    offers it to its browser at once, which then shows the abduction without asking the server.
    """
    key = (side, float(flexion), float(rotation))
    with _sweeps_lock:
        if key in _sweeps:
            _sweeps.move_to_end(key)
            return _sweeps[key]
    if not compute:
        return None
    found = shared_scene().sweep(*key)
    with _sweeps_lock:
        _sweeps[key] = found
        while len(_sweeps) > SWEEPS_KEPT:
            _sweeps.popitem(last=False)
    return found
