"""A shape's drag preview: its light bones re-seated (no knee, no muscles) and the measures of its bones."""

from __future__ import annotations

import threading
from collections import OrderedDict

from viewer import data, shape_measures
from viewer.app.payload import f32, shape_dict, shared_scene
from viewer.shape import Shape

#: The bones a preview carries: the pelvis and femurs, re-seated as the shape's full build seats
#: them. The lower legs are left out: their knee seating is the slow step of a build.
PREVIEW_BONES = ("sacrum", "hip_right", "hip_left", "femur_right", "femur_left")
#: The measures a preview carries: those of the bones alone (the rest need the muscles).
GEOMETRY = (
    "neck_shaft_angle_deg",
    "femoral_offset_mm",
    "femoral_length_mm",
    "anteversion_deg",
    "pelvic_width_mm",
)
_KEPT = 64
_kept: OrderedDict = OrderedDict()  # Shape -> (its model without the knee, its light bones)
_lock = threading.Lock()


def bones(shape: Shape):
    """The shape's model (bones re-seated, no knee) and what the page draws of it while a shape
    slider is dragged (about 50 ms): ``{"shape": {"mode1": sd, ...}, "bones": {bone id: the
    vertices of its light mesh (``meshes/lod/``) in this shape, float32 bytes ((m, 3), the
    light mesh's own order)}}`` for :data:`PREVIEW_BONES`."""
    with _lock:
        if shape in _kept:
            _kept.move_to_end(shape)
            return _kept[shape]
    model = shared_scene().model
    shaped = model if shape.is_mean else model.with_shape(shape, seat_knee=False)
    # a light mesh's vertices are vertices of the full one (viewer.shape.Instance.lod)
    index = data.shape_modes()
    drawn = {b: f32(shaped.bones[b].vertices[index[f"lod_{b}"]]) for b in PREVIEW_BONES}
    out = shaped, {"shape": shape_dict(shape), "bones": drawn}
    with _lock:
        _kept[shape] = out
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return out


def measures(model, side: str) -> dict[str, float]:
    """The :data:`GEOMETRY` measures of a model's ``side`` (about 30 ms;
    :func:`viewer.shape_measures.measure` without the mechanics)."""
    row = shape_measures.measure(model, side, mechanics=False).row()
    return {k: row[k] for k in GEOMETRY}
