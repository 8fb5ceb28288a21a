"""Posed geometry files: the bones and muscles as glTF binary (metres) or PLY per part (mm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from viewer import data, geometry
from viewer.anatomy import SIDES, Pose
from viewer.export.files import ExportError, check_output, write_atomic
from viewer.posed import pose_hip
from viewer.presentation import rgb8

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
    """Posed geometry per exported part: vertices ((n, 3) float, mm), faces ((f, 3) int),
    colour ('#rrggbb') and, for the muscles, part ids ((n,) int).

    ``lower_legs``: the tibia-fibulas and patellas too, each with its femur (knee straight).
    """
    hip = scene.hip
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
            "color": hip.style["bone"],
        }
    for s in SIDES:
        m = posed.muscles[s]
        parts[f"gluteus_medius_{s}"] = {
            "vertices": m.vertices,
            "faces": m.faces,
            "color": hip.style["muscle_parts"]["middle"],
            "part": m.part,
        }
    return parts


def source_line() -> str:
    """Where the geometry comes from: ``export_source`` of ``annotations/texts.json`` filled in with
    the atlas package, version and licence of ``meshes/provenance.json``."""
    src = data.read_json(data.MESH_DIR / "provenance.json")["source"]
    licence = src["licence"].split()[0]  # "MPL-2.0 (text in ...)" -> "MPL-2.0"
    template = data.annotation("texts")["export_source"]
    return template.format(package=src["package"], version=src["version"], licence=licence)


def export_scene(
    scene: HipScene,
    out: Path,
    pose: Pose,
    side: str = "right",
    force: bool = False,
    lower_legs: bool = False,
) -> Path:
    """Posed geometry as glTF binary (``.glb``, metres) or one PLY per part in a folder (mm).

    A JSON sidecar lists the parts, units, frame and pose. Muscle vertices carry
    their part id (0 anterior, 1 middle, 2 posterior): the PLY property ``part``,
    the glTF attribute ``_PART``. ``lower_legs`` adds the tibia-fibulas and patellas.
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
        "source": source_line(),
    }

    def mesh(p, scale):
        m = trimesh.Trimesh(p["vertices"] * scale, p["faces"], process=False)
        rgba = [*rgb8(p["color"]).tolist(), 255]
        m.visual.vertex_colors = np.tile(rgba, (len(m.vertices), 1))
        return m

    if out.suffix.lower() == ".glb":
        meta["units"] = "m"
        gscene = trimesh.Scene()
        for name, p in parts.items():
            m = mesh(p, 0.001)
            if "part" in p:
                m.vertex_attributes["_PART"] = p["part"].astype(np.float32)
            gscene.add_geometry(m, node_name=name, geom_name=name)
        glb = gscene.export(file_type="glb")
        write_atomic(out, lambda tmp: tmp.write_bytes(glb), force)
        sidecar = out.with_suffix(".json")
        write_atomic(sidecar, lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), force)
        return out
    if out.suffix:
        raise ExportError(f"{out}: give a .glb file or a folder name for PLY files")
    check_output(out, force)  # the folder, as a file: not over an existing one without force
    out.mkdir(exist_ok=True)
    meta["units"] = "mm"
    for name, p in parts.items():
        m = mesh(p, 1.0)
        if "part" in p:
            m.vertex_attributes["part"] = p["part"].astype(np.int32)
        ply = m.export(file_type="ply", encoding="binary", include_attributes=True)
        write_atomic(out / f"{name}.ply", lambda tmp, d=ply: tmp.write_bytes(d), True)
    write_atomic(out / "scene.json", lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), True)
    return out
