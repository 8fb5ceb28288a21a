"""Build the bone meshes in ``meshes/`` from the LLP26 atlas (``python -m viewer.build_meshes``)."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import json
import shutil
from pathlib import Path

import numpy as np

from viewer import atlas, data, geometry, landmarks

#: The build's parameters, as data (``annotations/atlas_build.json``, its notes say what each is).
CONFIG = data.annotation("atlas_build")
PACKAGE, PACKAGE_VERSION = CONFIG["source"]["package"], CONFIG["source"]["version"]
PELVIS_FILES = tuple(CONFIG["source"]["pelvis_files"])
FEMUR_FILES = tuple(CONFIG["source"]["femur_files"])
#: Atlas element ranges of the three closed pelvis components.
PELVIS_PARTS = {bone: range(a, b + 1) for bone, (a, b) in CONFIG["pelvis_parts"].items()}
#: Articular conformity about the hip joint centre (mm): the socket is made at
#: least SOCKET_RADIUS and the femoral head at most HEAD_RADIUS, which leaves a
#: joint space of at least their difference at every hip pose.
SOCKET_RADIUS = CONFIG["socket_radius_mm"]
HEAD_RADIUS = CONFIG["head_radius_mm"]
#: Atlas elements of the femoral head.
HEAD_ELEMENTS = list(range(CONFIG["femoral_head_elements"][0], CONFIG["femoral_head_elements"][1] + 1))
PELVIS_DIVISIONS = CONFIG["divisions"]["pelvis"]
FEMUR_DIVISIONS = CONFIG["divisions"]["femur"]
LOD_DIVISIONS = CONFIG["lod_divisions"]


def atlas_dir() -> Path:
    """Folder of the atlas meshes inside the installed, pinned package."""
    version = importlib.metadata.version(PACKAGE)
    if version != PACKAGE_VERSION:
        raise SystemExit(f"{PACKAGE} {version} is installed; the meshes are built from {PACKAGE_VERSION}")
    return Path(str(importlib.resources.files("musculoskeletal.models") / "atlas_meshes"))


def orient_outward(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Make the winding of a closed mesh consistent with outward normals.

    Returns the (f, 3) int faces, flipped where needed.
    """
    import trimesh

    mesh = trimesh.Trimesh(vertices, faces, process=False)
    trimesh.repair.fix_winding(mesh)
    if mesh.volume < 0:
        mesh.invert()
    return np.asarray(mesh.faces)


def conform_socket(
    vertices: np.ndarray, centre_definition: dict, atlas_map: landmarks.AtlasMap
) -> tuple[np.ndarray, np.ndarray]:
    """Make the acetabulum at least SOCKET_RADIUS around its own fitted centre.

    Conforming moves the surface the centre is fitted to, so repeat until the
    centre fitted on the conformed socket is the one it was conformed about.

    Returns
    -------
    vertices : (n, 3) float
    centre : (3,) float
        The hip joint centre, as the landmark definition resolves it on the
        returned vertices.
    """
    centre = landmarks.resolve(centre_definition, vertices, atlas_map)
    for _ in range(100):
        conformed = geometry.radial_clamp(vertices, centre, SOCKET_RADIUS, keep="outside")
        refit = landmarks.resolve(centre_definition, conformed, atlas_map)
        if np.linalg.norm(refit - centre) < 1e-3:
            return conformed, refit
        centre = refit
    raise RuntimeError("hip joint centre did not converge while conforming the socket")


def write_ply(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Write a binary little-endian PLY with double-precision vertices."""
    vd = np.dtype([("x", "<f8"), ("y", "<f8"), ("z", "<f8")])
    fd = np.dtype([("n", "u1"), ("v", "<i4", (3,))])
    va = np.zeros(len(vertices), vd)
    va["x"], va["y"], va["z"] = np.asarray(vertices, dtype=float).T
    fa = np.zeros(len(faces), fd)
    fa["n"] = 3
    fa["v"] = faces
    header = (
        "ply\nformat binary_little_endian 1.0\n"
        f"comment gmed-viewer: built by viewer.build_meshes from {PACKAGE} {PACKAGE_VERSION}\n"
        "comment units mm, ISB pelvis frame\n"
        f"element vertex {len(vertices)}\nproperty double x\nproperty double y\nproperty double z\n"
        f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n"
    )
    path.write_bytes(header.encode("ascii") + va.tobytes() + fa.tobytes())


def build(out_dir: Path) -> dict:
    """Evaluate the atlas, place every bone in the ISB pelvis frame and write the files.

    Returns a summary (triangle counts, joint centres, offsets) for the log.
    """
    src = atlas_dir()
    pelvis = atlas.read_fe_mesh(*(src / f for f in PELVIS_FILES))
    femur = atlas.read_fe_mesh(*(src / f for f in FEMUR_FILES))
    defs = data.landmark_definitions()
    n = pelvis.nodes
    frame = geometry.isb_pelvis_frame(
        *(n[defs[k]["atlas_node"]] for k in ("asis_right", "asis_left", "psis_right", "psis_left"))
    )
    to_pelvis = geometry.invert(frame)

    bones: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    lod: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    maps: dict[str, landmarks.AtlasMap] = {}
    for bone, elements in PELVIS_PARTS.items():
        v, f, node_vertex, _ = atlas.triangulate(pelvis, PELVIS_DIVISIONS, list(elements))
        v = geometry.apply(to_pelvis, v)
        bones[bone] = (v, orient_outward(v, f))
        maps[bone] = landmarks.AtlasMap(node_vertex, {e: pelvis.elements[e].nodes.tolist() for e in elements})
        lv, lf, _, _ = atlas.triangulate(pelvis, LOD_DIVISIONS["pelvis"], list(elements))
        lv = geometry.apply(to_pelvis, lv)
        lod[bone] = (lv, orient_outward(lv, lf))

    fv, ff, fnode, f_element = atlas.triangulate(femur, FEMUR_DIVISIONS)
    head_vertices = np.unique(ff[np.isin(f_element, HEAD_ELEMENTS)])
    fv = geometry.apply(to_pelvis, fv)
    lfv, lff, _, lf_element = atlas.triangulate(femur, LOD_DIVISIONS["femur"])
    lod_head = np.unique(lff[np.isin(lf_element, HEAD_ELEMENTS)])
    lfv = geometry.apply(to_pelvis, lfv)
    fmap = landmarks.AtlasMap(fnode, {e.number: e.nodes.tolist() for e in femur.elements})
    summary: dict = {"atlas_femur_offset_mm": {}}
    for side in ("left", "right"):
        v, f, lv, lf = fv.copy(), ff.copy(), lfv.copy(), lff.copy()
        if side == "right":  # mirror the left femur across the mid-sagittal plane z = 0
            v[:, 2] *= -1.0
            f = f[:, ::-1]
            lv[:, 2] *= -1.0
            lf = lf[:, ::-1]
        bone = f"femur_{side}"
        head = landmarks.resolve(defs[f"femoral_head_centre_{side}"], v, fmap)
        femur_frame = geometry.isb_femur_frame(
            head,
            landmarks.resolve(defs[f"epicondyle_lateral_{side}"], v, fmap),
            landmarks.resolve(defs[f"epicondyle_medial_{side}"], v, fmap),
            side,
        )
        hip, hip_map = bones[f"hip_{side}"], maps[f"hip_{side}"]
        hip_v, hjc = conform_socket(hip[0], defs[f"hip_centre_{side}"], hip_map)
        summary["atlas_femur_offset_mm"][side] = float(np.linalg.norm(head - hjc))
        # neutral: femur frame aligned with the pelvis frame, head centre on the joint centre
        seat = geometry.transform(None, hjc) @ geometry.invert(femur_frame)
        v = seated = geometry.apply(seat, v)
        v = v.copy()
        # the atlas head is not quite spherical and its socket dips inside the
        # fitted sphere: conform both so the head never enters the socket
        v[head_vertices] = geometry.radial_clamp(v[head_vertices], hjc, HEAD_RADIUS, keep="inside")
        summary.setdefault("conformity_max_shift_mm", {})[side] = {
            "socket": float(np.linalg.norm(hip_v - hip[0], axis=1).max()),
            "head": float(np.linalg.norm(v - seated, axis=1).max()),
        }
        bones[f"hip_{side}"] = (hip_v, hip[1])
        bones[bone] = (v, orient_outward(v, f))
        maps[bone] = fmap
        # the light meshes get the same placement and conformity
        lv = geometry.apply(seat, lv)
        lv[lod_head] = geometry.radial_clamp(lv[lod_head], hjc, HEAD_RADIUS, keep="inside")
        lod[bone] = (lv, orient_outward(lv, lf))
        hl = lod[f"hip_{side}"]
        lod[f"hip_{side}"] = (geometry.radial_clamp(hl[0], hjc, SOCKET_RADIUS, keep="outside"), hl[1])

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "lod").mkdir(exist_ok=True)
    files = {}
    for prefix, meshes in (("", bones), ("lod/", lod)):
        for bone, (v, f) in meshes.items():
            path = out_dir / f"{prefix}{bone}.ply"
            write_ply(path, v, f)
            files[f"{prefix}{bone}.ply"] = {
                "bone": bone,
                "vertices": len(v),
                "triangles": len(f),
                "sha256": data.sha256(path),
            }
    amap = {
        "description": "Atlas node -> vertex index and atlas element -> nodes, per bone (derived).",
        "bones": {
            bone: {
                "node_vertex": {str(k): v for k, v in sorted(m.node_vertex.items())},
                "element_nodes": {str(k): v for k, v in sorted(m.element_nodes.items())},
            }
            for bone, m in maps.items()
        },
    }
    (out_dir / "atlas_map.json").write_text(json.dumps(amap, separators=(",", ":")) + "\n")
    files["atlas_map.json"] = {"sha256": data.sha256(out_dir / "atlas_map.json")}
    licence = next(p for p in importlib.metadata.distribution(PACKAGE).files if p.name == "LICENSE")
    shutil.copyfile(licence.locate(), out_dir / "LICENSE-MPL-2.0.txt")
    provenance = {
        "name": "LLP26 mean lower-limb atlas: pelvis and femurs as triangle meshes",
        "source": {
            "package": PACKAGE,
            "version": PACKAGE_VERSION,
            "files": list(PELVIS_FILES + FEMUR_FILES),
            "authors": "Auckland Bioengineering Institute",
            "homepage": "https://pypi.org/project/musculoskeletal-models/",
            "licence": "MPL-2.0 (text in LICENSE-MPL-2.0.txt)",
        },
        "units": "mm",
        "frame": (
            "ISB pelvis frame (Wu et al. 2002): origin midway between the ASISs, "
            "X anterior, Y superior, Z to the right"
        ),
        "processing": [
            "Lagrange elements evaluated by viewer.atlas (own evaluator, checked against "
            "GIAS3 reference samples)",
            f"pelvis elements subdivided {PELVIS_DIVISIONS}x per edge, femur {FEMUR_DIVISIONS}x; "
            "points welded at 1e-6 mm",
            "pelvis split into hip_right (elements {}-{}), hip_left ({}-{}) and sacrum ({}-{})".format(
                *(e for b in ("hip_right", "hip_left", "sacrum") for e in CONFIG["pelvis_parts"][b])
            ),
            "winding made consistent with outward normals",
            "right femur = left femur mirrored across the mid-sagittal plane (z = 0)",
            f"articular surfaces conformed about the hip joint centre: acetabulum pushed out to at "
            f"least {SOCKET_RADIUS} mm, femoral head (elements {HEAD_ELEMENTS[0]}-{HEAD_ELEMENTS[-1]}) "
            f"pulled in to at most {HEAD_RADIUS} mm (smooth soft-min/max, width 0.5 mm), so the joint "
            "space never closes",
            f"light level of detail in lod/ (elements divided {LOD_DIVISIONS['pelvis']}x and "
            f"{LOD_DIVISIONS['femur']}x, same placement), drawn by the browser while the view moves",
            "each femur seated at neutral: ISB femur frame aligned with the pelvis frame, "
            "femoral head centre on the hip joint centre (annotations/landmarks.json)",
        ],
        "regenerate": "pip install -e .[dev] && python -m viewer.build_meshes",
        "files": files,
    }
    (out_dir / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    summary["triangles"] = {k: v["triangles"] for k, v in files.items() if "triangles" in v}
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=data.MESH_DIR, help="output folder")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out), indent=2))


if __name__ == "__main__":
    main()
