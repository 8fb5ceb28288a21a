"""The exercise gallery and the gait cycle as their JS twin (activityModel.js) reads them, sent once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewer.anatomy import POSE_RANGE, SIDES
from viewer.mechanics import exercises as ex_mod
from viewer.mechanics.gait import VARIANTS, WEAK_STRENGTH_PCT, Gait, curves

if TYPE_CHECKING:
    from viewer.anatomy import HipModel
    from viewer.mechanics.exercises import Exercise, ExercisePose
    from viewer.mechanics.stance import StanceModel


def _angles(at: ExercisePose) -> list[float]:
    """[abduction, flexion, rotation, knee_flexion] (degrees)."""
    p = at.pose
    return [p.abduction, p.flexion, p.rotation, at.knee_flexion]


def _exercise(e: Exercise, model: HipModel, muscles: dict) -> dict:
    a = e.activity
    band = None
    if e.band is not None:
        band = {"radius_mm": e.band.radius_mm, "colour": e.band.colour, "points": e.band.points(model)}
    return {
        "id": e.id,
        "name": e.name,
        "body": e.body,
        "aim": e.aim,
        "cues": list(e.cues),
        "activity": {
            "text": a.text(),
            "pct_mvic": a.pct_mvic,
            "sd": a.sd,
            "source": a.source,
            "citation": a.citation,
            "verified": a.verified,
            "detail": a.detail,
        },
        "frames": [_angles(f) for f in e.frames],
        "key": e.key,
        "other_leg": _angles(e.other_leg),
        "faults": [{"id": f.id, "name": f.name, "text": f.text, "at": _angles(f.at)} for f in e.faults],
        "camera_direction": list(e.camera_direction),
        "lever": {side: ex_mod.lever(muscles[side], e.key_pose) for side in SIDES},
        "band": band,
        "stance_model": e.stance_model,
    }


def twin_data(model: HipModel, muscles: dict, stance: StanceModel) -> dict:
    """Everything ``activityModel.js`` needs to pose any exercise or gait frame, both sides.

    Parameters
    ----------
    model : viewer.anatomy.HipModel
        The hip centres and the femoral epicondyles (the knee's axis) of both sides.
    muscles : dict
        side -> :class:`viewer.muscles.FanMuscle` of the gluteus medius (the card's lever).
    stance : viewer.mechanics.stance.StanceModel
        Sizes the weak gaits (:class:`viewer.mechanics.gait.Gait`).

    Returns
    -------
    dict
        ``sides``: per side ``hip_centre``, ``epicondyle_lateral``, ``epicondyle_medial``
        ((3,) mm); ``sacral_base_centre`` (where the trunk stands, (3,) mm); ``exercises``:
        the gallery in order, each with its texts, cited activity, key ``frames`` and
        ``other_leg`` as [abduction, flexion, rotation, knee_flexion] (degrees), ``faults``,
        ``camera_direction`` and per side the ``lever`` at the key pose
        (:func:`viewer.mechanics.exercises.lever`) and the ``band`` (None, or its
        ``radius_mm``, ``colour`` and per side its neutral front and back ``points``);
        ``gait``: the normative curves (``percent`` (51,), ``pelvic_obliquity``,
        ``hip_flexion``, ``hip_adduction``, ``knee_flexion``; degrees), ``gmed_on`` windows
        (%), ``stance_pct``, per variant ``extra_drop_deg``, ``lean_deg`` and
        ``com_shift_mm``, the weak gaits' ``weak_strength_pct``, and the model's
        ``flexion_range`` (the hip is drawn at its end beyond it).
    """
    c = curves()
    variants = {}
    for v in VARIANTS:
        g = Gait(v, stance)
        variants[v] = {
            "extra_drop_deg": g.extra_drop_deg,
            "lean_deg": g.lean_deg,
            "com_shift_mm": g.com_shift_mm,
        }
    return {
        "sides": {
            side: {
                "hip_centre": model.hip_centre(side),
                "epicondyle_lateral": model.landmark(f"epicondyle_lateral_{side}"),
                "epicondyle_medial": model.landmark(f"epicondyle_medial_{side}"),
            }
            for side in SIDES
        },
        "sacral_base_centre": model.landmark("sacral_base_centre"),
        "exercises": [_exercise(e, model, muscles) for e in ex_mod.gallery()],
        "gait": {
            "percent": c.percent,
            "pelvic_obliquity": c.pelvic_obliquity,
            "hip_flexion": c.hip_flexion,
            "hip_adduction": c.hip_adduction,
            "knee_flexion": c.knee_flexion,
            "gmed_on": c.gmed_on,
            "stance_pct": c.stance_pct,
            "variants": variants,
            "flexion_range": list(POSE_RANGE["flexion"]),
            "weak_strength_pct": WEAK_STRENGTH_PCT,
        },
    }
