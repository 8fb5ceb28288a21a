"""Where a procedural muscle attaches: its origin line on the pelvis and its insertion line."""

from __future__ import annotations

import numpy as np

from viewer import data, geometry
from viewer.anatomy import HipModel


def _landmark(model: HipModel, name: str, side: str) -> np.ndarray:
    """(k, 3) points of a landmark given without its side suffix (or, for a bilateral one, with none)."""
    for key in (f"{name}_{side}", name):
        try:
            return np.atleast_2d(model.landmark(key))
        except KeyError:
            continue
    raise data.DataError(f"muscle origin: no landmark {name!r} (nor {name}_{side})")


def _arc_length(p: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])


def _trim(p: np.ndarray, start: float, stop: float) -> np.ndarray:
    """The part of a polyline ((k, 3) float) between arc lengths ``start`` and ``stop`` (mm)."""
    s = _arc_length(p)
    inner = p[(s > start) & (s < stop)]
    ends = [np.array([np.interp(t, s, p[:, k]) for k in range(3)]) for t in (start, stop)]
    return np.vstack([ends[0], inner, ends[1]])


def crest_between(model: HipModel, side: str, o: dict) -> np.ndarray:
    """Origin polyline ((k, 3) float, mm) below the crest between two lines meeting it.

    The crest is cut where the anterior and posterior lines meet it, extended
    ``anterior_extension_mm`` toward the ASIS, inset by ``inset_from_lines_mm`` at both ends
    and lowered ``below_crest_mm``.
    """
    crest = _landmark(model, o["crest"], side)
    front = _landmark(model, o["anterior_line"], side)[0]
    back = _landmark(model, o["posterior_line"], side)[0]
    ia = int(np.argmin(np.linalg.norm(crest - front, axis=1)))
    ip = int(np.argmin(np.linalg.norm(crest - back, axis=1)))
    lo, hi = min(ia, ip), max(ia, ip)
    dense = geometry.resample_polyline(crest, 400)
    s = _arc_length(dense)
    sc = _arc_length(crest)
    start, stop = sc[lo] - o.get("anterior_extension_mm", 0.0), sc[hi]
    if ia > ip:  # the crest runs from back to front here: measure the extension the other way
        start, stop = sc[lo], sc[hi] + o.get("anterior_extension_mm", 0.0)
    seg = _trim(dense, max(start, 0.0), min(stop, s[-1]))
    if ia > ip:
        seg = seg[::-1]
    seg = geometry.smooth_polyline(geometry.resample_polyline(seg, 200), o["smoothing_mm"])
    seg = _trim(seg, o["inset_from_lines_mm"], _arc_length(seg)[-1] - o["inset_from_lines_mm"])
    seg[:, 1] -= o["below_crest_mm"]
    return seg


def along_path(model: HipModel, side: str, o: dict) -> np.ndarray:
    """Origin polyline ((k, 3) float, mm) through landmarks in order (``kind: path``)."""
    s = 1.0 if side == "right" else -1.0
    pieces = []
    for item in o["path"]:
        p = _landmark(model, item["landmark"], side).copy()
        if "from_near" in item:
            ref = _landmark(model, item["from_near"], side)[0]
            p = p[int(np.argmin(np.linalg.norm(p - ref, axis=1))) :]
        if "to_length_mm" in item and len(p) > 1:
            p = _trim(p, 0.0, min(item["to_length_mm"], _arc_length(p)[-1]))
        p = p + np.asarray(item.get("offset_mm", (0.0, 0.0, 0.0))) * np.array([1.0, 1.0, s])
        pieces.append(p)
    line = np.vstack(pieces)
    line = line[np.r_[True, np.linalg.norm(np.diff(line, axis=0), axis=1) > 1e-6]]
    if len(line) < 2:
        raise data.DataError("muscle origin: the path needs at least two distinct points")
    dense = geometry.smooth_polyline(geometry.resample_polyline(line, 200), o["smoothing_mm"])
    inset = o["inset_mm"]
    return _trim(dense, inset, _arc_length(dense)[-1] - inset)


def origin_polyline(model: HipModel, side: str, origin: dict) -> np.ndarray:
    """The origin polyline ((k, 3) float, mm, neutral pelvis frame) of an ``origin`` entry."""
    return (
        crest_between(model, side, origin)
        if origin["kind"] == "crest_between"
        else along_path(model, side, origin)
    )


def resample(line: np.ndarray, n: int) -> np.ndarray:
    """``n`` points ((n, 3) float) evenly spaced along a polyline."""
    s = _arc_length(line)
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, line[:, k]) for k in range(3)])


def insertion_ends(model: HipModel, side: str, insertion: dict) -> tuple[np.ndarray, np.ndarray]:
    """The two atlas nodes ((3,) float each, mm, neutral) that the insertion line joins."""
    bone = model.bones[f"{insertion['bone']}_{side}"]
    amap = bone.atlas_map
    try:
        a, b = (bone.vertices[amap.node_vertex[insertion[k]]] for k in ("start_node", "end_node"))
    except KeyError as e:
        raise data.DataError(f"muscle insertion: atlas node {e.args[0]} is not on {bone.name}") from None
    return a, b
