"""Posed geometry files: the bones and muscles as glTF binary (metres) or PLY per part (mm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from viewer import data, geometry
from viewer.anatomy import SIDES, Pose
from viewer.export import gltf
from viewer.export.files import ExportError, check_output, write_atomic
from viewer.posed import pose_hip
from viewer.presentation import part_look, point_normals, rgb, rgb8

if TYPE_CHECKING:
    from viewer.scene import HipScene

#: Part names in exported scenes.
EXPORT_NAMES = {
    "hip_right": "hip_bone_right",
    "hip_left": "hip_bone_left",
    "sacrum": "sacrum",
    "femur_right": "femur_right",
    "femur_left": "femur_left",
}
#: Part names of the lower legs (the ``lower_legs`` layer), exported when asked for.
LEG_EXPORT_NAMES = {bone: bone for bone in data.LEG_BONES}


def posed_parts(scene: HipScene, pose: Pose, side: str, lower_legs: bool = False) -> dict[str, dict]:
    """Posed geometry per exported part, with its look.

    Each part has ``vertices`` ((n, 3) float, mm), ``faces`` ((f, 3) int), ``color``
    ('#rrggbb'), ``opacity`` and ``roughness`` (bones: ``style["bone"]`` and
    ``style["bone_roughness"]``; soft tissue: its ``style["parts"]`` entry,
    :func:`viewer.presentation.part_look`). A muscle also has ``part`` ((n,) int, its
    parts' ids per vertex), ``part_names`` and ``part_colors`` (one '#rrggbb' per part
    id) and ``attachments``: ``origin`` and ``insertion`` ((k, 3) float, mm, posed),
    the lines its landmark empties are the midpoints of (:func:`attachment_landmarks`).

    ``lower_legs``: the tibia-fibulas and patellas too, each with its femur (knee straight).
    """
    hip = scene.hip
    style = hip.style
    posed = pose_hip(hip, side, pose, other_side=True)
    names = {**EXPORT_NAMES, **(LEG_EXPORT_NAMES if lower_legs else {})}
    parts = {}
    for bone, name in names.items():
        b = hip.model.bones[bone]
        moved = not bone.startswith(("hip_", "sacrum"))  # femurs and lower legs
        parts[name] = {
            "vertices": geometry.apply(posed.femur[bone.rpartition("_")[2]], b.vertices)
            if moved
            else b.vertices.copy(),
            "faces": b.faces,
            "color": style["bone"],
            "opacity": 1.0,
            "roughness": style["bone_roughness"],
        }
    for s in SIDES:
        m, model = posed.muscles[s], hip.muscles[s]
        name = f"gluteus_medius_{s}"
        look = part_look(style, name)
        parts[name] = {
            "vertices": m.vertices,
            "faces": m.faces,
            "color": look["colour"],
            "opacity": look["opacity"],
            "roughness": look["roughness"],
            "part": m.part,
            "part_names": list(hip.part_ids),
            "part_colors": [style["muscle_parts"][p] for p in hip.part_ids],
            "attachments": {
                "origin": model.origin,
                "insertion": geometry.apply(posed.femur[s], model.insertion_neutral),
            },
        }
    parts.update(structure_parts(hip, posed))
    return parts


def structure_parts(hip, posed) -> dict[str, dict]:
    """The other soft tissue of both sides as export parts ``<id>_<side>``: the fan muscles
    (the moving side's in its pose, the other's at neutral) and the bursa and nerve, each posed
    with its bone; the iliotibial tract is part of ``tensor_fasciae_latae_<side>``."""
    out = {}
    for s in SIDES:
        n, pose = hip.neighbourhoods[s], posed.pose if s == posed.side else Pose()
        surfaces = {sid: m for sid, m in n.surfaces(pose).items() if sid != "gluteus_medius"}
        meshes = {sid: (x.vertices, x.faces) for sid, x in surfaces.items()}
        meshes.update({sid: (r.posed(posed.femur[s]), r.faces) for sid, r in n.rigid.items()})
        tract = meshes.pop("iliotibial_tract", None)
        if tract is not None:
            v, f = meshes["tensor_fasciae_latae"]
            meshes["tensor_fasciae_latae"] = (
                np.concatenate([v, tract[0]]),
                np.concatenate([f, tract[1] + len(v)]),
            )
        for sid, (v, f) in meshes.items():
            name = f"{sid}_{s}"
            look = part_look(hip.style, name)
            out[name] = {
                "vertices": v,
                "faces": f,
                "color": look["colour"],
                "opacity": look["opacity"],
                "roughness": look["roughness"],
            }
    return out


def attachment_landmarks(parts: dict[str, dict]) -> dict[str, np.ndarray]:
    """Landmarks ((3,) float, mm) of the parts with ``attachments``: the midpoint by arc length of
    each attachment line, named ``{part}_{attachment}`` (``gluteus_medius_right_origin``)."""
    return {
        f"{name}_{key}": geometry.resample_polyline(line, 3)[1]
        for name, p in parts.items()
        for key, line in p.get("attachments", {}).items()
    }


def glb_scene(parts: dict[str, dict], scale: float = 0.001, extras: dict | None = None) -> bytes:
    """The parts (:func:`posed_parts`) as GLB bytes, scaled by ``scale`` (mm to m).

    One node and mesh per part, named by the part, with one material named by the part. A
    muscle with part ids is split into one primitive per part (a triangle goes to the lowest
    part id of its corners, so that the borders run along a fibre), each with its own material
    ``{part}_{part name}`` (``gluteus_medius_right_anterior``): materials are shown by every
    glTF reader (Blender gives the object one material slot per part), where ``COLOR_0``
    is used or ignored depending on the reader and its version. The muscle vertices also
    carry their part id as the attribute ``_PART``. The landmarks
    (:func:`attachment_landmarks`) are empties: nodes with only a translation.
    """
    materials, meshes = [], []
    for name, p in parts.items():
        vertices = p["vertices"] * scale
        normals = point_normals(p["vertices"], p["faces"])
        looks = [(name, p["color"], p["faces"])]
        attributes = {}
        if "part" in p:
            face_part = p["part"][p["faces"]].min(axis=1)  # whole quads: straight part borders
            looks = [
                (f"{name}_{pname}", p["part_colors"][k], p["faces"][face_part == k])
                for k, pname in enumerate(p["part_names"])
                if np.any(face_part == k)
            ]
            attributes["_PART"] = p["part"].astype(np.float32)
        primitives = []
        for mat_name, colour, faces in looks:
            primitives.append((faces, len(materials)))
            materials.append(gltf.Material(mat_name, rgb(colour), p["opacity"], p["roughness"]))
        meshes.append(gltf.MeshNode(name, vertices, normals, tuple(primitives), attributes))
    empties = {k: v * scale for k, v in attachment_landmarks(parts).items()}
    return gltf.glb_bytes(meshes, materials, empties, extras)


def source_line(shape=None) -> str:
    """Where the geometry comes from: ``export_source`` of ``annotations/texts.json`` filled in with
    the atlas instance (``shape``, a :class:`viewer.shape.Shape`; the mean if None) and the atlas
    package, version and licence of ``meshes/provenance.json``."""
    src = data.read_json(data.MESH_DIR / "provenance.json")["source"]
    licence = src["licence"].split()[0]  # "MPL-2.0 (text in ...)" -> "MPL-2.0"
    template = data.annotation("texts")["export_source"]
    return template.format(
        shape=instance_name(shape), package=src["package"], version=src["version"], licence=licence
    )


def instance_name(shape=None) -> str:
    """The atlas instance in words (ASCII): ``"mean shape"`` or ``"shape mode 5 -2 SD"``."""
    return "mean shape" if shape is None or shape.is_mean else f"shape {shape.describe(ascii=True)}"


def export_scene(
    scene: HipScene,
    out: Path,
    pose: Pose,
    side: str = "right",
    force: bool = False,
    lower_legs: bool = False,
) -> Path:
    """Posed geometry as glTF binary (``.glb``, metres) or one PLY per part in a folder (mm).

    A JSON sidecar lists the parts, units, frame, pose and landmarks (the attachment
    midpoints, :func:`attachment_landmarks`), and the shape when the scene's model is not the
    mean (``shape``: its mode weights in SD). Muscle vertices carry their part id (0
    anterior, 1 middle, 2 posterior): the PLY property ``part``, the glTF attribute
    ``_PART``. The GLB has a PBR material per part (:func:`glb_scene`) and the landmarks
    as empties; each PLY has RGBA vertex colours (:func:`ply_colors`). ``lower_legs``
    adds the tibia-fibulas and patellas.
    """
    import trimesh

    out = Path(out)
    parts = posed_parts(scene, pose, side, lower_legs)
    part_names = list(scene.hip.part_ids)
    meta = {
        "frame": "ISB pelvis frame: origin midway between the ASISs, X anterior, Y superior, Z right",
        "pose_deg": {"abduction": pose.abduction, "flexion": pose.flexion, "rotation": pose.rotation},
        "posed_side": side,
        "muscle_part_ids": dict(enumerate(part_names)),
        "parts": {
            k: {"vertices": len(v["vertices"]), "triangles": len(v["faces"])} for k, v in parts.items()
        },
    }
    shape = scene.model.shape
    meta["source"] = source_line(shape)
    if not shape.is_mean:  # the mean's sidecar stays as it was
        meta["shape"] = {
            "model": "LLP26 statistical shape model, modes in standard deviations",
            "modes_sd": {str(i): sd for i, sd in enumerate(shape.sd, start=1)},
            "description": shape.describe(ascii=True),
        }

    landmarks = attachment_landmarks(parts)

    if out.suffix.lower() == ".glb":
        meta["units"] = "m"
        meta["landmarks"] = {k: [round(float(c) * 0.001, 7) for c in v] for k, v in landmarks.items()}
        glb = glb_scene(parts, 0.001)
        write_atomic(out, lambda tmp: tmp.write_bytes(glb), force)
        sidecar = out.with_suffix(".json")
        write_atomic(sidecar, lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), force)
        return out
    if out.suffix:
        raise ExportError(f"{out}: give a .glb file or a folder name for PLY files")
    check_output(out, force)  # the folder, as a file: not over an existing one without force
    out.mkdir(exist_ok=True)
    meta["units"] = "mm"
    meta["landmarks"] = {k: [round(float(c), 4) for c in v] for k, v in landmarks.items()}
    for name, p in parts.items():
        m = trimesh.Trimesh(p["vertices"], p["faces"], process=False)
        m.visual.vertex_colors = ply_colors(p)
        if "part" in p:
            m.vertex_attributes["part"] = p["part"].astype(np.int32)
        ply = m.export(file_type="ply", encoding="binary", include_attributes=True)
        write_atomic(out / f"{name}.ply", lambda tmp, d=ply: tmp.write_bytes(d), True)
    write_atomic(out / "scene.json", lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), True)
    return out


def ply_colors(part: dict) -> np.ndarray:
    """(n, 4) uint8 RGBA vertex colours of a part (:func:`posed_parts`): its colour, or a muscle's
    part colours, with its opacity as alpha."""
    n = len(part["vertices"])
    if "part" in part:
        rgb_n = np.array([rgb8(c) for c in part["part_colors"]])[part["part"]]
    else:
        rgb_n = np.tile(rgb8(part["color"]), (n, 1))
    alpha = np.full((n, 1), round(255 * part["opacity"]))
    return np.hstack([rgb_n, alpha]).astype(np.uint8)
