"""The body in single-leg stance: segment masses from the literature, placed on this model's own bones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viewer import data
from viewer.anatomy import SIDES, HipModel, Pose

#: Landmark names of ``annotations/stance.json`` segment ends, as keys of its ``heights_over_stature``.
LEVELS = {
    "greater trochanter": "greater_trochanter",
    "femoral condyles": "knee",
    "glenohumeral joint": "glenohumeral",
}


def other(side: str) -> str:
    """The other side."""
    return SIDES[1 - SIDES.index(side)]


@dataclass(frozen=True)
class Body:
    """Where the body's mass sits when one leg stands, in the pelvis frame at neutral (mm).

    Masses are fractions of body mass. The stance leg's points are at the neutral hip (the
    stance model rotates them); the swing leg is held in the test position, posed on the
    pelvis. Segment centres of mass lie on the line between the segment's joint centres at
    the cited fraction (Dempster's data in Winter's table), so their frontal-plane position
    comes from this model's bones; the trunk, which has no bones here, sits above the
    lumbosacral joint at the height the cited stature fractions give, the stature being
    estimated from this femur's length.

    Attributes
    ----------
    side : str
        The stance side.
    s : float
        +1 when the right leg stands, -1 for the left; lateral of the stance side is ``s * z``.
    stature_mm : float
    hip, knee, ankle : (3,) float
        Stance hip, knee and ankle centres at neutral.
    asis_swing : (3,) float
        The swing side's ASIS.
    pivot : (3,) float
        The lumbosacral joint (centre of the sacral base), about which the trunk leans.
    stance_points : (3, 3) float
        Centres of mass of the stance thigh, leg and foot at neutral.
    stance_mass : (3,) float
    upper_points : (k, 3) float
        Centres of mass carried by the pelvis: pelvis, swing thigh, swing leg, swing foot.
    upper_mass : (k,) float
    trunk_mass : float
        Head, arms and trunk without the pelvis.
    trunk_height_mm : float
        Height of the trunk's centre of mass above the pivot when upright.
    swing_pose : Pose
    swing_knee_flexion_deg : float
    """

    side: str
    s: float
    stature_mm: float
    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    asis_swing: np.ndarray
    pivot: np.ndarray
    stance_points: np.ndarray
    stance_mass: np.ndarray
    upper_points: np.ndarray
    upper_mass: np.ndarray
    trunk_mass: float
    trunk_height_mm: float
    swing_pose: Pose
    swing_knee_flexion_deg: float

    @property
    def upper_total(self) -> float:
        """Mass fraction above the stance hip: pelvis, trunk and swing leg."""
        return float(self.upper_mass.sum() + self.trunk_mass)


def _com_over_stature(segment: dict, heights: dict) -> float:
    """Height of a segment's centre of mass as a fraction of stature."""
    lo, hi = (heights[LEVELS[segment[k]]] for k in ("proximal", "distal"))
    return lo + segment["com_from_proximal"] * (hi - lo)


def build_body(model: HipModel, side: str, params: dict) -> Body:
    """The :class:`Body` standing on ``side``, from ``annotations/stance.json`` (``params``)."""
    s = 1.0 if side == "right" else -1.0
    swing = other(side)
    seg, heights = params["segments"], params["heights_over_stature"]
    test = params["test_position"]
    swing_pose = Pose(flexion=float(test["swing_hip_flexion_deg"]))
    knee_flexion = float(test["swing_knee_flexion_deg"])

    hip, knee, ankle = (model.landmark(f"{k}_{side}") for k in ("hip_centre", "knee_centre", "ankle_centre"))
    stature = float(np.linalg.norm(knee - hip)) / (heights["greater_trochanter"] - heights["knee"])

    def limb(h, k, a):
        return np.array(
            [
                h + seg["thigh"]["com_from_proximal"] * (k - h),
                k + seg["leg"]["com_from_proximal"] * (a - k),
                a,  # the foot's centre of mass, laterally, sits under the ankle
            ]
        )

    limb_mass = np.array([seg[k]["mass_fraction"] for k in ("thigh", "leg", "foot")])
    sh = model.hip_centre(swing)
    sk = model.landmark(f"knee_centre_{swing}", swing_pose)
    leg_matrix = model.lower_leg_transform(swing, swing_pose, knee_flexion)
    sa = leg_matrix[:3, :3] @ model.landmark(f"ankle_centre_{swing}") + leg_matrix[:3, 3]

    pivot = model.landmark("sacral_base_centre")
    hip_mid = 0.5 * (model.hip_centre("right") + model.hip_centre("left"))
    pelvis_com = pivot + seg["pelvis"]["com_from_proximal"] * (hip_mid - pivot)
    # the trunk = HAT less the pelvis; HAT's centre of mass from the stature fractions, above the hips
    hat_rise = (_com_over_stature(seg["hat"], heights) - heights["greater_trochanter"]) * stature
    hat_y = hip_mid[1] + hat_rise
    trunk_mass = seg["hat"]["mass_fraction"] - seg["pelvis"]["mass_fraction"]
    trunk_y = (
        seg["hat"]["mass_fraction"] * hat_y - seg["pelvis"]["mass_fraction"] * pelvis_com[1]
    ) / trunk_mass

    return Body(
        side=side,
        s=s,
        stature_mm=stature,
        hip=hip,
        knee=knee,
        ankle=ankle,
        asis_swing=model.landmark(f"asis_{swing}"),
        pivot=pivot,
        stance_points=limb(hip, knee, ankle),
        stance_mass=limb_mass,
        upper_points=np.vstack([pelvis_com[None], limb(sh, sk, sa)]),
        upper_mass=np.concatenate([[seg["pelvis"]["mass_fraction"]], limb_mass]),
        trunk_mass=float(trunk_mass),
        trunk_height_mm=float(trunk_y - pivot[1]),
        swing_pose=swing_pose,
        swing_knee_flexion_deg=knee_flexion,
    )


def stance_parameters() -> dict:
    """``annotations/stance.json``, validated."""
    return data.annotation("stance")
