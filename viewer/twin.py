"""The muscle generator's pose-independent arrays, evaluated in the browser by its JS twin (muscleModel.js).

Python stays the one source of truth: :class:`viewer.muscles.FanMuscle` computes, once,
everything that does not depend on the pose (the attached fibres on the ilium, the neutral
insertion line, the clearance and thickness profiles, the bones' height fields), and
:func:`twin_data` hands exactly those arrays to the browser. ``muscleModel.js`` then repeats
only the per-pose steps (``FanMuscle.sheets``/``_wrap``, ``HipModel.femur_transform``,
``presentation.ribbon_points``, ``FanMuscle.lengths`` and ``muscles.moment_arm``), held to
the same numbers by ``tests/test_twin.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from viewer import geometry, presentation
from viewer.anatomy import FRONTAL_RANGE, POSE_RANGE
from viewer.muscles import layers

if TYPE_CHECKING:
    from viewer.posed import Hip

#: Half the difference step of the moment arms (degrees), as :func:`viewer.muscles.moment_arm`'s default.
STEP_DEG = 2.0

#: Arrays sent as float32 bytes by :func:`as_binary` (they hold float32 values, so nothing is lost).
FLOAT32_KEYS = ("heights",)


def height_field(field: geometry.HeightField) -> dict:
    """A height field as the JS twin reads it.

    Returns
    -------
    dict
        ``origin`` (2,) float (mm), ``spacing`` (mm), ``nx``, ``ny``, ``empty`` (the height
        where no bone lies below, mm) and ``heights`` (nx * ny,) float (mm, row-major over
        (x, y), float32 values: see :class:`viewer.geometry.HeightField`).
    """
    nx, ny = field.grid.shape
    return {
        "origin": np.asarray(field.origin, dtype=float),
        "spacing": float(field.spacing),
        "nx": int(nx),
        "ny": int(ny),
        "empty": float(field.EMPTY),
        "heights": field.flat,
    }


def twin_data(hip: Hip, side: str, muscle_id: str = "gluteus_medius") -> dict:
    """Everything ``muscleModel.js`` needs to compute one side's muscle in any pose.

    Parameters
    ----------
    hip : viewer.posed.Hip
        The hip built once: its model, muscles and style (``fibre_width_mm``, ``fibre_lift_mm``).
    side : {"right", "left"}
    muscle_id : str
        Which fan muscle of the side (``hip.neighbourhoods[side].muscles``): the gluteus medius
        (``hip.muscles[side]``, which a test may replace) by default.

    Returns
    -------
    dict
        Plain values and numpy arrays, the very arrays the Python generator uses (mm):

        - ``side``, ``s`` (+1 right, -1 left), ``nu`` fibres, ``nv`` samples per fibre,
          ``n_attached`` samples on the ilium, ``smoothing_passes``, ``smoothing_overlap``
        - ``hip_centre`` (3,) float; ``v`` (nv,) float, the fibre coordinate
        - ``attached`` (nu, n_attached, 3) float; ``insertion_neutral`` (nu, 3) float
        - ``clearance``, ``thickness`` (nu, nv) float
        - ``lifted`` (bool: the muscle lies over other structures), ``lift`` (knots, nu, nv) float,
          ``lift_flexion`` (knots,) float and ``lift_direction`` (3,) float, this side's axis:
          :func:`viewer.muscles.layers.lift_at`
        - ``parts`` (ids, in order) and ``part_of_u`` (nu,) int
        - ``pelvis_height``, ``femur_height``: :func:`height_field`
        - ``pose_range``: joint -> [lo, hi] degrees; ``frontal_range``: [lo, hi] abduction of a
          frontal pose (``Pose(frontal=True)``, the stance hip); ``step_deg``: moment-arm half
          step, degrees
        - ``ribbon``: ``rows`` (k,) int, ``width_mm``, ``lift_mm`` (``Hip.ribbon_points``)
    """
    if muscle_id == "gluteus_medius":
        m, rows = hip.muscles[side], hip.fibre_rows(side)
    else:
        m = hip.neighbourhoods[side].muscles[muscle_id]
        rows = presentation.fibre_rows(m.nu, m.params["resolution"]["fibre_lines"])
    return {
        "side": side,
        "s": float(m.s),
        "nu": int(m.nu),
        "nv": int(m.nv),
        "n_attached": int(m.n_attached),
        "smoothing_passes": int(m.params["smoothing_passes"]),
        "smoothing_overlap": int(m.params["smoothing_overlap"]),
        "hip_centre": hip.model.hip_centre(side),
        "v": m.v,
        "attached": m.attached,
        "insertion_neutral": m.insertion_neutral,
        "clearance": np.ascontiguousarray(m.clearance),  # a broadcast view in the generator
        "thickness": m.thickness,
        "lifted": bool(m.over),
        "lift": np.ascontiguousarray(m.lift),
        "lift_flexion": np.asarray(layers.FLEXION_KNOTS, dtype=float),
        "lift_direction": m._mirror(m.lift_direction),
        "parts": [p["id"] for p in m.parts],
        "part_of_u": m.part_of_u.astype(int),
        "pelvis_height": height_field(m.pelvis_height),
        "femur_height": height_field(m.femur_height),
        "pose_range": {joint: [float(lo), float(hi)] for joint, (lo, hi) in POSE_RANGE.items()},
        "frontal_range": [float(FRONTAL_RANGE[0]), float(FRONTAL_RANGE[1])],
        "step_deg": STEP_DEG,
        "ribbon": {
            "rows": rows.astype(int),
            "width_mm": float(hip.style["fibre_width_mm"]),
            "lift_mm": float(hip.style["fibre_lift_mm"]),
        },
    }


def as_json(value):
    """Twin data with every array as a (flat) list: JSON, as the browser may receive it."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.ravel().tolist()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    return value


def as_binary(value, key: str = ""):
    """Twin data with every array as little-endian bytes: ``heights`` float32, the rest float64."""
    if isinstance(value, dict):
        return {k: as_binary(v, k) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        dtype = "<f4" if key in FLOAT32_KEYS else "<f8"
        out = np.ascontiguousarray(value, dtype=dtype)
        if not np.array_equal(out, value):
            raise ValueError(f"twin data {key!r} does not survive as {dtype}")
        return out.tobytes()
    return value
