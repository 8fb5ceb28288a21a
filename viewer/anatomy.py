"""The bony hip: bones, landmarks, hip joints and poses in the ISB pelvis frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from viewer import data, geometry, landmarks

SIDES = ("right", "left")

#: Range of each hip angle the product offers (degrees). Extension and more
#: external rotation are left out: combined with adduction they bring the
#: lesser trochanter into the ischium of this atlas (ischiofemoral impingement).
POSE_RANGE = {"abduction": (-15.0, 45.0), "flexion": (0.0, 60.0), "rotation": (-20.0, 30.0)}


@dataclass(frozen=True)
class Pose:
    """Hip angles in degrees, ISB joint coordinate order (flexion, abduction, rotation).

    Attributes
    ----------
    abduction : float
        Positive moves the thigh away from the midline; negative is adduction.
    flexion : float
        Positive moves the thigh forward; negative is extension.
    rotation : float
        Positive is internal (medial) rotation, negative external.
    """

    abduction: float = 0.0
    flexion: float = 0.0
    rotation: float = 0.0

    def __post_init__(self):
        for name, (lo, hi) in POSE_RANGE.items():
            value = getattr(self, name)
            if not np.isfinite(value) or not lo <= value <= hi:
                raise ValueError(f"{name} {value} deg is outside the supported range {lo:g}..{hi:g} deg")

    def rotation_matrix(self, side: str) -> np.ndarray:
        """(3, 3) rotation of the femur relative to the pelvis for this pose.

        Flexion about the pelvis Z axis, then ab/adduction about the rotated
        X axis, then axial rotation about the femur's Y axis (intrinsic Z-X-Y).
        """
        s = 1.0 if side == "right" else -1.0
        cf, sf = np.cos(np.radians(self.flexion)), np.sin(np.radians(self.flexion))
        ca, sa = np.cos(np.radians(-s * self.abduction)), np.sin(np.radians(-s * self.abduction))
        cr, sr = np.cos(np.radians(s * self.rotation)), np.sin(np.radians(s * self.rotation))
        rz = np.array([[cf, -sf, 0.0], [sf, cf, 0.0], [0.0, 0.0, 1.0]])
        rx = np.array([[1.0, 0.0, 0.0], [0.0, ca, -sa], [0.0, sa, ca]])
        ry = np.array([[cr, 0.0, sr], [0.0, 1.0, 0.0], [-sr, 0.0, cr]])
        return rz @ rx @ ry


@dataclass
class Bone:
    """A bone mesh at neutral, in the pelvis frame.

    Attributes
    ----------
    name : str
    vertices : (n, 3) float
    faces : (f, 3) int
    atlas_map : landmarks.AtlasMap
    """

    name: str
    vertices: np.ndarray
    faces: np.ndarray
    atlas_map: landmarks.AtlasMap = field(repr=False)


class HipModel:
    """Pelvis, both femurs and their landmarks; poses the femurs about the hip centres."""

    def __init__(self):
        maps = data.atlas_maps()
        self.bones: dict[str, Bone] = {}
        for name in data.BONES:
            mesh = data.load_bone_mesh(name)
            self.bones[name] = Bone(name, np.asarray(mesh.vertices), np.asarray(mesh.faces), maps[name])
        self.definitions = data.landmark_definitions()
        for key, d in self.definitions.items():
            amap = self.bones[d["bone"]].atlas_map
            try:
                landmarks.resolve(d, self.bones[d["bone"]].vertices, amap)
            except KeyError as exc:
                raise data.DataError(
                    f"annotations/landmarks.json: landmark {key!r}: atlas node or element "
                    f"{exc.args[0]} is not part of bone {d['bone']!r}"
                ) from None

    @cached_property
    def _neutral_landmarks(self) -> dict[str, np.ndarray]:
        return {
            key: landmarks.resolve(d, self.bones[d["bone"]].vertices, self.bones[d["bone"]].atlas_map)
            for key, d in self.definitions.items()
        }

    def landmark(self, key: str, pose: Pose | None = None) -> np.ndarray:
        """Position(s) of a landmark, moved with its femur when a pose is given.

        Returns (3,) float for points and centres, (k, 3) float for curves and regions.
        """
        p = self._neutral_landmarks[key]
        bone = self.definitions[key]["bone"]
        if pose is not None and bone.startswith("femur"):
            side = bone.split("_")[1]
            return geometry.apply(self.femur_transform(side, pose), np.atleast_2d(p)).reshape(p.shape)
        return p.copy()

    def hip_centre(self, side: str) -> np.ndarray:
        """Hip joint centre ((3,) float) of one side."""
        return self._hip_centres[side].copy()

    @cached_property
    def _hip_centres(self) -> dict[str, np.ndarray]:
        return {side: self._neutral_landmarks[f"hip_centre_{side}"] for side in SIDES}

    def femur_transform(self, side: str, pose: Pose) -> np.ndarray:
        """(4, 4) matrix taking the neutral femur to its pose, about the hip centre."""
        return geometry.rotation_about(self._hip_centres[side], pose.rotation_matrix(side))

    def posed_vertices(self, bone: str, pose: Pose) -> np.ndarray:
        """Vertices ((n, 3) float) of a bone in a pose (pelvis bones never move)."""
        v = self.bones[bone].vertices
        if bone.startswith("femur"):
            return geometry.apply(self.femur_transform(bone.split("_")[1], pose), v)
        return v.copy()

    @property
    def inter_asis_distance(self) -> float:
        """Distance between the two ASISs (mm)."""
        return float(np.linalg.norm(self.landmark("asis_right") - self.landmark("asis_left")))
