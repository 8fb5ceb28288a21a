"""The bony hip and lower limbs: bones, landmarks, hip and knee joints, poses in the ISB pelvis frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from viewer import data, geometry, landmarks
from viewer.knee import KNEE_FLEXION_RANGE, knee_flexion_matrix
from viewer.shape import Shape, instance

SIDES = ("right", "left")

#: Range of each hip angle the product offers (degrees). Extension and more
#: external rotation are left out: combined with adduction they bring the
#: lesser trochanter into the ischium of this atlas (ischiofemoral impingement).
POSE_RANGE = {"abduction": (-15.0, 45.0), "flexion": (0.0, 90.0), "rotation": (-20.0, 30.0)}

#: Range of pure ab/adduction (no flexion or rotation, as the stance hip moves; degrees). Alone,
#: adduction keeps the femur clear of the hip bone to 25 degrees; 20 degrees is the low end of
#: the normal adduction range (``annotations/stance.json`` ``hip_adduction_limit_deg``).
FRONTAL_RANGE = (-20.0, 45.0)


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
    frontal : bool
        A pure ab/adduction (flexion and rotation 0), allowed the wider :data:`FRONTAL_RANGE`.
    """

    abduction: float = 0.0
    flexion: float = 0.0
    rotation: float = 0.0
    frontal: bool = field(default=False, repr=False)

    def __post_init__(self):
        if self.frontal and (self.flexion != 0.0 or self.rotation != 0.0):
            raise ValueError("a frontal pose has no flexion or rotation")
        for name, (lo, hi) in self.ranges().items():
            value = getattr(self, name)
            if not np.isfinite(value) or not lo <= value <= hi:
                raise ValueError(f"{name} {value} deg is outside the supported range {lo:g}..{hi:g} deg")

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Range of each angle for this pose: :data:`POSE_RANGE`, or :data:`FRONTAL_RANGE` for abduction."""
        return {**POSE_RANGE, "abduction": FRONTAL_RANGE} if self.frontal else POSE_RANGE

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
    """Pelvis, both legs and their landmarks; poses the femurs about the hip centres.

    The tibia-fibulas and patellas (``data.LEG_BONES``) follow their femur and flex about
    the knee's transepicondylar axis.

    Parameters
    ----------
    shape : viewer.shape.Shape, optional
        The bones of this instance of the LLP26 shape model, re-seated like the mean
        (:func:`viewer.shape.instance`); the mean (the meshes as stored) by default.
    seat_knee : bool
        For a shape: re-seat the lower legs at the knee too (:func:`viewer.shape.instance`).
    mean : HipModel, optional
        A model of the mean whose meshes are reused instead of read again.
    """

    def __init__(self, shape: Shape | None = None, seat_knee: bool = True, mean: HipModel | None = None):
        self.shape = shape if shape is not None else Shape()
        if mean is not None:
            mean_bones = mean._mean_bones
        else:
            maps = data.atlas_maps()
            mean_bones = {}
            for name in data.ALL_BONES:
                mesh = data.load_bone_mesh(name)
                mean_bones[name] = Bone(name, np.asarray(mesh.vertices), np.asarray(mesh.faces), maps[name])
        self._mean_bones = mean_bones
        self.instance = None
        if self.shape.is_mean:
            self.bones: dict[str, Bone] = dict(mean_bones)
        else:
            base = {n: (b.vertices, b.faces) for n, b in mean_bones.items()}
            maps = {n: b.atlas_map for n, b in mean_bones.items()}
            self.instance = instance(self.shape, base, maps, seat_knee=seat_knee)
            self.bones = {
                n: Bone(n, self.instance.vertices[n], b.faces, b.atlas_map) for n, b in mean_bones.items()
            }
        if mean is not None:  # the same definitions and atlas maps, checked when the mean was built
            self.definitions = mean.definitions
            return
        self.definitions = data.landmark_definitions()
        resolved = {}
        for key, d in self.definitions.items():
            amap = self.bones[d["bone"]].atlas_map
            try:
                resolved[key] = landmarks.resolve(d, self.bones[d["bone"]].vertices, amap)
            except KeyError as exc:
                raise data.DataError(
                    f"annotations/landmarks.json: landmark {key!r}: atlas node or element "
                    f"{exc.args[0]} is not part of bone {d['bone']!r}"
                ) from None
        self.__dict__["_neutral_landmarks"] = resolved  # checked by resolving: kept (cached_property)

    def with_shape(self, shape: Shape, seat_knee: bool = True) -> HipModel:
        """A model of ``shape`` built from this model's mean meshes (nothing read again)."""
        return HipModel(shape, seat_knee=seat_knee, mean=self)

    @cached_property
    def _neutral_landmarks(self) -> dict[str, np.ndarray]:
        return {
            key: landmarks.resolve(d, self.bones[d["bone"]].vertices, self.bones[d["bone"]].atlas_map)
            for key, d in self.definitions.items()
        }

    def landmark(self, key: str, pose: Pose | None = None, knee_flexion_deg: float = 0.0) -> np.ndarray:
        """Position(s) of a landmark, moved with its bone when a pose is given.

        Femur landmarks move with the femur; tibia-fibula and patella landmarks with the
        lower leg (:meth:`lower_leg_transform`, ``knee_flexion_deg`` of its knee).

        Returns (3,) float for points and centres, (k, 3) float for curves and regions.
        """
        p = self._neutral_landmarks[key]
        bone = self.definitions[key]["bone"]
        if pose is None and knee_flexion_deg == 0.0:
            return p.copy()
        return geometry.apply(
            self.bone_transform(bone, pose or Pose(), knee_flexion_deg), np.atleast_2d(p)
        ).reshape(p.shape)

    def hip_centre(self, side: str) -> np.ndarray:
        """Hip joint centre ((3,) float) of one side."""
        return self._hip_centres[side].copy()

    @cached_property
    def _hip_centres(self) -> dict[str, np.ndarray]:
        return {side: self._neutral_landmarks[f"hip_centre_{side}"] for side in SIDES}

    def femur_transform(self, side: str, pose: Pose) -> np.ndarray:
        """(4, 4) matrix taking the neutral femur to its pose, about the hip centre."""
        return geometry.rotation_about(self._hip_centres[side], pose.rotation_matrix(side))

    @cached_property
    def _knee_flexion_inputs(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {
            side: (
                self._neutral_landmarks[f"epicondyle_lateral_{side}"],
                self._neutral_landmarks[f"epicondyle_medial_{side}"],
            )
            for side in SIDES
        }

    def knee_centre(self, side: str) -> np.ndarray:
        """Knee centre ((3,) float) of one side at neutral: the midpoint of the epicondyles."""
        return self._neutral_landmarks[f"knee_centre_{side}"].copy()

    def lower_leg_transform(self, side: str, pose: Pose, knee_flexion_deg: float = 0.0) -> np.ndarray:
        """(4, 4) matrix taking the neutral tibia-fibula and patella of a side to their pose.

        They follow the femur (:meth:`femur_transform`) and flex about the femoral
        transepicondylar axis through the knee centre; positive flexion moves the foot
        backward (toward -X at a neutral hip).

        Raises
        ------
        ValueError
            If ``knee_flexion_deg`` is outside :data:`KNEE_FLEXION_RANGE`.
        """
        lo, hi = KNEE_FLEXION_RANGE
        if not np.isfinite(knee_flexion_deg) or not lo <= knee_flexion_deg <= hi:
            raise ValueError(
                f"knee flexion {knee_flexion_deg} deg is outside the supported range {lo:g}..{hi:g} deg"
            )
        lateral, medial = self._knee_flexion_inputs[side]
        return self.femur_transform(side, pose) @ knee_flexion_matrix(lateral, medial, side, knee_flexion_deg)

    def bone_transform(self, bone: str, pose: Pose, knee_flexion_deg: float = 0.0) -> np.ndarray:
        """(4, 4) matrix taking a bone from neutral to the pose (identity for the pelvis bones)."""
        kind, _, side = bone.rpartition("_")
        if kind == "femur":
            return self.femur_transform(side, pose)
        if kind in ("tibia_fibula", "patella"):
            return self.lower_leg_transform(side, pose, knee_flexion_deg)
        return np.eye(4)

    def posed_vertices(self, bone: str, pose: Pose, knee_flexion_deg: float = 0.0) -> np.ndarray:
        """Vertices ((n, 3) float) of a bone in a pose (pelvis bones never move).

        ``knee_flexion_deg`` flexes the knee of the tibia-fibulas and patellas.
        """
        v = self.bones[bone].vertices
        if bone in data.BONES and not bone.startswith("femur"):
            return v.copy()
        return geometry.apply(self.bone_transform(bone, pose, knee_flexion_deg), v)

    @property
    def inter_asis_distance(self) -> float:
        """Distance between the two ASISs (mm)."""
        return float(np.linalg.norm(self.landmark("asis_right") - self.landmark("asis_left")))
