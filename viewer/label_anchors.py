"""Where each label of ``annotations/labels.json`` is anchored on the hip, and its posed anchor.

One rule for the browser (``viewer.app.payload`` sends the specs, ``app/js/labels.js`` poses
them) and the exports (``viewer.posed`` poses them in Python, ``viewer.presentation`` draws
those whose layer is shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from viewer import contract, data

if TYPE_CHECKING:
    from viewer.anatomy import HipModel
    from viewer.muscles import FanMuscle, Neighbourhood


def vertex_normal(
    vertices: np.ndarray, faces: np.ndarray, point: np.ndarray, radius: float = 6.0
) -> np.ndarray:
    """Outward unit normal ((3,) float) of a surface near ``point`` ((3,) float, mm).

    Area-weighted over the triangles ((f, 3) int of (n, 3) float vertices) whose
    centres lie within ``radius`` mm.
    """
    tri = vertices[faces]
    centres = tri.mean(axis=1)
    near = np.linalg.norm(centres - point, axis=1) < radius
    n = np.cross(tri[near, 1] - tri[near, 0], tri[near, 2] - tri[near, 0]).sum(axis=0)
    return n / np.linalg.norm(n)


def _entry(lab: dict) -> dict:
    return {"id": lab["id"], "text": lab["text"], "emphasis": bool(lab.get("emphasis"))}


def label_specs(model: HipModel, muscle: FanMuscle, labels: list[dict], side: str) -> list[dict]:
    """The gluteus medius' and the bones' labels (every anchor but ``structure:<id>``) for one
    animated side.

    Each has ``attach``: ``muscle`` (a superficial vertex index, followed as the muscle
    changes), ``femur`` (a point at neutral in mm, moved with the femur) or ``pelvis``,
    plus the outward unit ``normal`` there, used to tell whether the anchor faces the viewer.
    """
    m = muscle
    out = []
    for lab in labels:
        anchor = lab["anchor"]
        if anchor.startswith("structure:"):
            continue  # the other structures' labels: structure_label_specs
        if anchor.startswith("muscle:"):
            part = anchor.split(":")[1]
            v = lab.get("along", 0.45)
            p = next(p for p in m.parts if p["id"] == part)
            iu = int(np.argmin(np.abs(m.u - 0.5 * (p["from_u"] + p["to_u"]))))
            iv = int(np.argmin(np.abs(m.v - v)))
            # a vertex of the superficial sheet, followed frame by frame
            entry = {"attach": "muscle", "vertex": m.nu * m.nv + iu * m.nv + iv}
        else:
            key = anchor if anchor in model.definitions else f"{anchor}_{side}"
            if key not in model.definitions:
                raise data.DataError(
                    f"annotations/labels.json: label {lab['id']!r}: unknown anchor {anchor!r}"
                )
            d = model.definitions[key]
            pts = np.atleast_2d(model.landmark(key))
            # a point landmark itself; on a curve or region its most lateral point (outer lip)
            point = pts[np.argmax(pts[:, 2] * (1 if side == "right" else -1))]
            bone = model.bones[d["bone"]]
            entry = {
                "attach": "femur" if d["bone"] == f"femur_{side}" else "pelvis",
                "point": point.tolist(),
                "normal": vertex_normal(bone.vertices, bone.faces, point).tolist(),
            }
        out.append({**_entry(lab), **entry})
    return out


def structure_label_specs(neighbourhood: Neighbourhood, labels: list[dict]) -> list[dict]:
    """Labels of the other structures (anchors ``structure:<id>``) of one side, each with its
    ``layer`` (``contract.STRUCTURE_LAYERS``), shown while that layer is.

    A fan muscle's sits on its superficial sheet ``along`` its middle fibre (``attach`` ``fan``,
    ``fan`` its id, ``vertex`` a vertex index of its posed surface); the tract's and the nerve's
    at the outermost vertex at the height ``along`` their length (0 the top, 1 the bottom),
    the bursa's at its most lateral point (``attach`` ``femur`` or ``pelvis``, as they follow,
    with ``point`` and ``normal`` at neutral).
    """
    n = neighbourhood
    s = 1.0 if n.side == "right" else -1.0
    out = []
    for lab in labels:
        if not lab["anchor"].startswith("structure:"):
            continue
        sid = lab["anchor"].split(":", 1)[1]
        if sid not in contract.STRUCTURE_LAYERS or sid == "gluteus_medius":
            raise data.DataError(f"annotations/labels.json: label {lab['id']!r}: unknown structure {sid!r}")
        along = lab.get("along", 0.45)
        entry = {**_entry(lab), "layer": contract.STRUCTURE_LAYERS[sid]}
        if sid in n.muscles:
            m = n.muscles[sid]
            iu, iv = m.nu // 2, int(np.argmin(np.abs(m.v - along)))
            entry.update(attach="fan", fan=sid, vertex=int(m.nu * m.nv + iu * m.nv + iv))
        else:
            r = n.rigid[sid]
            v = r.vertices
            if "along" in lab:  # the band and the tube: the outermost vertex at that height
                y = v[:, 1].max() + along * (v[:, 1].min() - v[:, 1].max())
                near = np.abs(v[:, 1] - y) < 0.05 * np.ptp(v[:, 1]) + 1.0
                i = int(np.flatnonzero(near)[np.argmax(s * v[near, 2])])
            else:
                i = int(np.argmax(s * v[:, 2]))
            entry.update(
                attach="femur" if r.follows == "femur" else "pelvis",
                point=v[i].tolist(),
                normal=vertex_normal(v, r.faces, v[i]).tolist(),
            )
        out.append(entry)
    return out


def fans_labelled(specs: list[dict]) -> tuple[str, ...]:
    """Ids of the fan muscles some label of ``specs`` is anchored on (``attach`` ``fan``)."""
    return tuple(dict.fromkeys(s["fan"] for s in specs if s["attach"] == "fan"))


def label_anchors(
    specs: list[dict],
    muscle_vertices: np.ndarray,
    femur: np.ndarray,
    fans: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Posed anchors ((labels, 3) float, mm) of label specs (:func:`label_specs`,
    :func:`structure_label_specs`).

    ``muscle_vertices`` ((n, 3) float, mm) is the posed gluteus medius, ``femur`` ((4, 4) float)
    the posed femur's matrix, ``fans`` the posed vertices ((n, 3) float, mm) of the other fan
    muscles by id; a ``fan`` label whose muscle is not given gets NaN.
    """
    fans = fans or {}
    out = np.empty((len(specs), 3))
    for i, spec in enumerate(specs):
        if spec["attach"] == "muscle":
            out[i] = muscle_vertices[spec["vertex"]]
        elif spec["attach"] == "fan":
            out[i] = fans[spec["fan"]][spec["vertex"]] if spec["fan"] in fans else np.nan
        elif spec["attach"] == "femur":
            out[i] = femur[:3, :3] @ np.asarray(spec["point"]) + femur[:3, 3]
        else:
            out[i] = spec["point"]
    return out


def shown(specs: list[dict], layers: frozenset[str]) -> np.ndarray:
    """(labels,) bool: which labels of ``specs`` are drawn with these layers on (after peeling):
    a structure's while its ``layer`` is, the medius' own (``attach`` ``muscle``) while the
    ``muscle`` layer is, the bones' always (as ``app/js/labels.js``)."""
    layer = [s.get("layer") or ("muscle" if s.get("attach") == "muscle" else None) for s in specs]
    return np.array([k is None or k in layers for k in layer], dtype=bool)
