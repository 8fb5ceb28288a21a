"""Build the bone meshes in ``meshes/`` from the LLP26 atlas (``python -m viewer.build_meshes``)."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import json
import shutil
from pathlib import Path

import numpy as np

from viewer import atlas, data, geometry, landmarks, shape
from viewer.knee import KNEE_FLEXION_RANGE, Surface, knee_clearance, knee_flexion_matrix
from viewer.knee import seat_at_knee as _seat_at_knee

#: The build's parameters, as data (``annotations/atlas_build.json``, its notes say what each is).
CONFIG = data.annotation("atlas_build")
PACKAGE, PACKAGE_VERSION = CONFIG["source"]["package"], CONFIG["source"]["version"]
PELVIS_FILES = tuple(CONFIG["source"]["pelvis_files"])
FEMUR_FILES = tuple(CONFIG["source"]["femur_files"])
TIBIA_FIBULA_FILES = tuple(CONFIG["source"]["tibia_fibula_files"])
PATELLA_FILES = tuple(CONFIG["source"]["patella_files"])
#: Atlas element ranges of the three closed pelvis components.
PELVIS_PARTS = {bone: range(a, b + 1) for bone, (a, b) in CONFIG["pelvis_parts"].items()}
#: Articular conformity about the hip joint centre (mm): the socket is made at
#: least SOCKET_RADIUS and the femoral head at most HEAD_RADIUS, which leaves a
#: joint space of at least their difference at every hip pose.
SOCKET_RADIUS = CONFIG["socket_radius_mm"]
HEAD_RADIUS = CONFIG["head_radius_mm"]
#: Atlas elements of the femoral head.
HEAD_ELEMENTS = list(range(CONFIG["femoral_head_elements"][0], CONFIG["femoral_head_elements"][1] + 1))
DIVISIONS = CONFIG["divisions"]
PELVIS_DIVISIONS = DIVISIONS["pelvis"]
FEMUR_DIVISIONS = DIVISIONS["femur"]
LOD_DIVISIONS = CONFIG["lod_divisions"]
#: Least gap (mm) left at the knee, femur to tibia-fibula and femur to patella, over the
#: flexion range sampled every KNEE_STEP degrees.
KNEE_JOINT_SPACE = CONFIG["knee"]["joint_space_mm"]
KNEE_STEP = CONFIG["knee"]["flexion_step_deg"]


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
    """Make the acetabulum at least SOCKET_RADIUS around its own fitted centre
    (:func:`viewer.shape.conform_socket`); returns the vertices and the hip joint centre."""
    return shape.conform_socket(vertices, centre_definition, atlas_map, SOCKET_RADIUS)


def seat_at_knee(
    moving: Surface, femur: Surface, knee: np.ndarray, direction: np.ndarray, flexions: list[np.ndarray]
) -> float:
    """Distance (mm) to move a lower-leg bone along ``direction`` to leave KNEE_JOINT_SPACE
    (:func:`viewer.knee.seat_at_knee`)."""
    return _seat_at_knee(moving, femur, knee, direction, flexions, KNEE_JOINT_SPACE)


def seat_lower_leg(
    side: str, seat: np.ndarray, bones: dict, lod: dict, maps: dict, legs: dict, angles
) -> dict:
    """Place one side's tibia-fibula and patella at its femur's knee (adds them to the dicts).

    They take the femur's own placement ``seat`` (so the atlas' knee relation holds), mirrored
    like the femur for the right side; then the tibia-fibula moves distally along the femoral
    axis and the patella anteriorly until each leaves KNEE_JOINT_SPACE to the femur at every
    knee flexion in ``angles``.

    Returns the shifts and gaps (mm) for the build summary.
    """
    defs = data.landmark_definitions()
    fv, ff = bones[f"femur_{side}"]
    lateral = landmarks.resolve(defs[f"epicondyle_lateral_{side}"], fv, maps[f"femur_{side}"])
    medial = landmarks.resolve(defs[f"epicondyle_medial_{side}"], fv, maps[f"femur_{side}"])
    knee = (lateral + medial) / 2.0
    flexions = [knee_flexion_matrix(lateral, medial, side, a) for a in angles]
    femur = Surface(fv, ff, knee)
    # at neutral the femur frame is the pelvis frame: distal is -Y, anterior +X
    directions = {"tibia_fibula": np.array([0.0, -1.0, 0.0]), "patella": np.array([1.0, 0.0, 0.0])}
    out: dict = {}
    for leg, (v, f, lv, lf, lmap) in legs.items():
        v, lv = v.copy(), lv.copy()
        if side == "right":  # mirror across the mid-sagittal plane, as the femur
            v[:, 2] *= -1.0
            lv[:, 2] *= -1.0
            f, lf = f[:, ::-1], lf[:, ::-1]
        v, lv = geometry.apply(seat, v), geometry.apply(seat, lv)
        f, lf = orient_outward(v, f), orient_outward(lv, lf)
        surface = Surface(v, f, knee)
        shift = seat_at_knee(surface, femur, knee, directions[leg], flexions)
        move = geometry.transform(None, shift * directions[leg])
        bones[f"{leg}_{side}"] = (geometry.apply(move, v), f)
        lod[f"{leg}_{side}"] = (geometry.apply(move, lv), lf)
        maps[f"{leg}_{side}"] = lmap
        out[leg] = {
            "shift_mm": round(shift, 3),
            "least_gap_mm": round(knee_clearance(surface, femur, knee, shift * directions[leg], flexions), 3),
        }
    tibia = Surface(*bones[f"tibia_fibula_{side}"], knee)
    out["tibia_femur_gap_at_extension_mm"] = round(
        knee_clearance(tibia, femur, knee, np.zeros(3), flexions[:1]), 3
    )
    out["patella_tibia_gap_mm"] = round(tibia.least_distance(bones[f"patella_{side}"][0]), 3)
    return out


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
    # the left tibia-fibula and patella, in the atlas' knee relation to the left femur
    legs = {}
    for leg, files in (("tibia_fibula", TIBIA_FIBULA_FILES), ("patella", PATELLA_FILES)):
        fe = atlas.read_fe_mesh(*(src / f for f in files))
        lv_, lf_, lnode, _ = atlas.triangulate(fe, DIVISIONS[leg])
        llv, llf, _, _ = atlas.triangulate(fe, LOD_DIVISIONS[leg])
        lmap = landmarks.AtlasMap(lnode, {e.number: e.nodes.tolist() for e in fe.elements})
        legs[leg] = (geometry.apply(to_pelvis, lv_), lf_, geometry.apply(to_pelvis, llv), llf, lmap)
    flexion_angles = np.arange(KNEE_FLEXION_RANGE[0], KNEE_FLEXION_RANGE[1] + 1e-9, KNEE_STEP)
    summary: dict = {"atlas_femur_offset_mm": {}, "knee": {}}
    for side in ("left", "right"):
        v, f, lv, lf = fv.copy(), ff.copy(), lfv.copy(), lff.copy()
        if side == "right":  # mirror the left femur across the mid-sagittal plane z = 0
            v[:, 2] *= -1.0
            f = f[:, ::-1]
            lv[:, 2] *= -1.0
            lf = lf[:, ::-1]
        bone = f"femur_{side}"
        head = landmarks.resolve(defs[f"femoral_head_centre_{side}"], v, fmap)
        femur_frame = landmarks.femur_frame(defs, v, fmap, side)
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
        summary["knee"][side] = seat_lower_leg(side, seat, bones, lod, maps, legs, flexion_angles)

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
        "name": "LLP26 mean lower-limb atlas: pelvis, femurs, tibia-fibulas and patellas as triangle meshes",
        "source": {
            "package": PACKAGE,
            "version": PACKAGE_VERSION,
            "files": list(PELVIS_FILES + FEMUR_FILES + TIBIA_FIBULA_FILES + PATELLA_FILES),
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
            f"tibia-fibula elements subdivided {DIVISIONS['tibia_fibula']}x, patella {DIVISIONS['patella']}x "
            f"(light: {LOD_DIVISIONS['tibia_fibula']}x, {LOD_DIVISIONS['patella']}x); right ones = left ones "
            "mirrored across the mid-sagittal plane, each placed with its femur's own seating transform "
            "(the atlas' knee relation)",
            "seated at the knee: tibia-fibula moved distally along the femoral axis by {tibia:.2f} mm and "
            "patella anteriorly by {patella:.2f} mm, so that each stays at least {space} mm from the femur "
            "at every knee flexion {lo:g}-{hi:g} deg (rotation about the transepicondylar axis, sampled "
            "every {step:g} deg); tibiofemoral gap at extension {ext:.2f} mm, "
            "patella to tibia {pt:.2f} mm".format(
                tibia=summary["knee"]["left"]["tibia_fibula"]["shift_mm"],
                patella=summary["knee"]["left"]["patella"]["shift_mm"],
                space=KNEE_JOINT_SPACE,
                lo=KNEE_FLEXION_RANGE[0],
                hi=KNEE_FLEXION_RANGE[1],
                step=KNEE_STEP,
                ext=summary["knee"]["left"]["tibia_femur_gap_at_extension_mm"],
                pt=summary["knee"]["left"]["patella_tibia_gap_mm"],
            ),
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
    summary = build(args.out)
    from viewer import build_shape_modes  # the shape-mode fields of these very meshes

    summary["shape_modes"] = build_shape_modes.build(args.out)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
