"""Precompute the LLP26 shape modes on our bone meshes (``python -m viewer.build_shape_modes``).

The LLP26 statistical shape model (``shape_models/LLP26_rigid.pc`` in the pinned atlas package, a
gias2 ``PrincipalComponents`` pickle) holds the mean and 26 principal modes over the 3225 atlas
nodes (pelvis 1946, left femur 634, patella 74, tibia-fibula 571; coordinates stored as all x,
then all y, then all z). An instance with mode weights ``b_i`` (in standard deviations) is
``mean + sum_i b_i * sigma_i * mode_i`` with ``sigma_i = sqrt(variance_i)`` (gias2's
``getWeightsBySD``).

``viewer.build_meshes`` evaluates the nodes into triangle meshes, which is linear in them, then
places the bones rigidly and conforms the articular surfaces. So each mode has a fixed
displacement field on our vertices: this script evaluates the first :data:`MODES` modes exactly
as the mean was evaluated and rotates each field by the rotation that placed the mean bone
(pelvis frame, mirror for the right side, seating). Stored (``meshes/shape_modes.npz``):

- ``field_<bone>`` (MODES, n, 3) float32: ``sigma_i * D_i`` in mm per SD, in the frame of the
  stored mesh ``meshes/<bone>.ply``, for the left femur, tibia-fibula, patella and the three
  pelvis bones;
- ``mirror_<bone>`` (3, 3) float64 for each right leg bone: the field of the right bone is the
  left bone's field times its transpose (the right bones are the mirrored left ones, seated
  with their own rotation);
- ``lod_<bone>`` (m,) int32: the vertex of the full mesh at each vertex of ``meshes/lod/<bone>.ply``
  (the light meshes' vertices are atlas grid points that the full meshes also have, so their
  fields are the full fields at these vertices);
- ``linear_<bone>`` (n, 3) float64 and ``linear_index_<bone>`` (n,) int32: the vertices that the
  articular conformity moved (acetabulum, femoral head), before it, so ``viewer.shape`` can
  conform each instance afresh;
- ``sigma`` (MODES,), ``variance_explained`` (MODES,) float64.

The checks it prints and records: the package's mean equals the nodes the meshes were built
from; the right-side model (``LLP26_right_mirrored_from_left_rigid.pc``) has the same modes on the
pelvis and the mirror image of ours on the femur.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import pickle
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from viewer import atlas, build_meshes, data, geometry, landmarks

#: How many modes are kept (the first ones, by variance).
MODES = 5
#: The shape model files inside the atlas package.
MODEL_FILE = "LLP26_rigid.pc"
MIRRORED_FILE = "LLP26_right_mirrored_from_left_rigid.pc"
#: Node ranges of each finite-element mesh in the shape model's node order.
NODE_BLOCKS = {
    "pelvis": (0, 1946),
    "femur": (1946, 2580),
    "patella": (2580, 2654),
    "tibia_fibula": (2654, 3225),
}
#: Vertices moved by more than this (mm) by the conformity are recorded as conformed.
MOVED = 1e-12


class _NumpyOnly(pickle.Unpickler):
    """Unpickle a gias2 PCA dict: numpy arrays only, nothing else is constructed."""

    ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
        }
    )

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing {module}.{name} in a shape model file")
        if name == "_reconstruct":
            from numpy.core.multiarray import _reconstruct  # numpy 2 keeps this alias

            return _reconstruct
        return {"ndarray": np.ndarray, "dtype": np.dtype}[name]


def model_path(name: str = MODEL_FILE) -> Path:
    """A shape model file of the pinned atlas package (checks the version like the mesh build)."""
    build_meshes.atlas_dir()
    return Path(str(importlib.resources.files("musculoskeletal.models") / "shape_models" / name))


def load_model(path: Path) -> dict:
    """``mean`` (3N,), ``modes`` (3N, k), ``weights`` (k,) variances of a gias2 ``.pc`` file."""
    with open(path, "rb") as f:
        raw = _NumpyOnly(f).load()
    return {k: np.asarray(raw[k], dtype=float) for k in ("mean", "modes", "weights")}


def node_array(flat: np.ndarray) -> np.ndarray:
    """(N, 3) nodes from the model's (3N,) layout (all x, then all y, then all z)."""
    return np.asarray(flat).reshape(3, -1).T


def _block(nodes: np.ndarray, name: str) -> np.ndarray:
    a, b = NODE_BLOCKS[name]
    return nodes[a:b]


def _evaluate(fe: atlas.FEMesh, nodes: np.ndarray, divisions: int, elements=None) -> np.ndarray:
    """Vertices of ``fe`` with other node values (same welding as the mean's)."""
    return atlas.triangulate(atlas.FEMesh(fe.name, fe.elements, nodes), divisions, elements)[0]


def _fields(fe: atlas.FEMesh, node_modes: list[np.ndarray], divisions: int, elements=None) -> np.ndarray:
    """(MODES, n, 3) vertex displacement per mode, atlas frame: evaluation is linear in the nodes."""
    base = _evaluate(fe, fe.nodes, divisions, elements)
    return np.stack([_evaluate(fe, fe.nodes + d, divisions, elements) - base for d in node_modes])


def _lod_index(full: np.ndarray, lod: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """The full mesh vertex at each light mesh vertex (they coincide: both are atlas grid points)."""
    dist, index = cKDTree(full).query(lod)
    if dist.max() > tol:
        raise RuntimeError(f"a light vertex is {dist.max():.3g} mm from every full vertex")
    return index.astype(np.int32)


def mirrored_check(model: dict, mirrored: dict) -> dict:
    """How far the right-side model file is from the mirror image of ours.

    Pelvis: largest difference of the first MODES modes. Femur: the right femur of the file is
    the left one reflected and moved rigidly, with its nodes renumbered; the reflection is
    found on the means (nearest nodes after a reflected Kabsch fit) and each mode's femur
    field, reflected, is compared with the file's (largest difference in mm per SD).
    """
    a = _block(node_array(model["mean"]), "femur")
    b = _block(node_array(mirrored["mean"]), "femur")
    c = a * np.array([-1.0, 1.0, 1.0])
    tree = cKDTree(b)
    rot, t = np.eye(3), np.zeros(3)
    for _ in range(60):
        _, idx = tree.query(c @ rot.T + t)
        p, q = c - c.mean(0), b[idx] - b[idx].mean(0)
        u, _, vt = np.linalg.svd(p.T @ q)
        d = np.diag([1.0, 1.0, np.sign(np.linalg.det(vt.T @ u.T))])
        rot = vt.T @ d @ u.T
        t = b[idx].mean(0) - rot @ c.mean(0)
    dist, idx = tree.query(c @ rot.T + t)
    reflect = rot @ np.diag([-1.0, 1.0, 1.0])
    out = {"femur_mean_mm": float(dist.max()), "pelvis_mode_max_mm": [], "femur_mode_max_mm": []}
    for i in range(MODES):
        s_ours, s_theirs = np.sqrt(model["weights"][i]), np.sqrt(mirrored["weights"][i])
        m1, m2 = node_array(model["modes"][:, i]), node_array(mirrored["modes"][:, i])
        out["pelvis_mode_max_mm"].append(
            float(np.abs(s_ours * _block(m1, "pelvis") - s_theirs * _block(m2, "pelvis")).max())
        )
        ours = s_ours * _block(m1, "femur") @ reflect.T
        out["femur_mode_max_mm"].append(float(np.abs(ours - s_theirs * _block(m2, "femur")[idx]).max()))
    return out


def build(out_dir: Path) -> dict:
    """Evaluate the modes on the meshes in ``out_dir`` (built by ``viewer.build_meshes``), write
    ``shape_modes.npz`` there and add it to its ``provenance.json``; returns a summary."""
    cfg = build_meshes
    src = cfg.atlas_dir()
    path = model_path()
    model = load_model(path)
    nodes = node_array(model["mean"])
    fes = {
        "pelvis": atlas.read_fe_mesh(*(src / f for f in cfg.PELVIS_FILES)),
        "femur": atlas.read_fe_mesh(*(src / f for f in cfg.FEMUR_FILES)),
        "patella": atlas.read_fe_mesh(*(src / f for f in cfg.PATELLA_FILES)),
        "tibia_fibula": atlas.read_fe_mesh(*(src / f for f in cfg.TIBIA_FIBULA_FILES)),
    }
    mean_error = max(float(np.abs(_block(nodes, k) - fe.nodes).max()) for k, fe in fes.items())
    if mean_error > 1e-9:
        raise RuntimeError(f"the shape model's mean is {mean_error:.3g} mm from the atlas meshes")
    sigma = np.sqrt(model["weights"][:MODES])
    explained = model["weights"][:MODES] / model["weights"].sum()
    node_modes = {
        k: [sigma[i] * _block(node_array(model["modes"][:, i]), k) for i in range(MODES)] for k in fes
    }

    defs = data.landmark_definitions()
    n = fes["pelvis"].nodes
    frame = geometry.isb_pelvis_frame(
        *(n[defs[k]["atlas_node"]] for k in ("asis_right", "asis_left", "psis_right", "psis_left"))
    )
    to_pelvis = geometry.invert(frame)
    rot = to_pelvis[:3, :3]
    maps = data.atlas_maps()
    stored = {b: np.asarray(data.load_bone_mesh(b, out_dir / f"{b}.ply").vertices) for b in data.ALL_BONES}
    stored_lod = {
        b: np.asarray(data.load_bone_mesh(b, out_dir / "lod" / f"{b}.ply").vertices) for b in data.ALL_BONES
    }
    arrays: dict[str, np.ndarray] = {"sigma": sigma, "variance_explained": explained}
    linear: dict[str, np.ndarray] = {}  # each stored mesh before the conformity
    for bone, elements in cfg.PELVIS_PARTS.items():
        f = _fields(fes["pelvis"], node_modes["pelvis"], cfg.PELVIS_DIVISIONS, list(elements))
        arrays[f"field_{bone}"] = (f @ rot.T).astype(np.float32)
        linear[bone] = geometry.apply(
            to_pelvis, _evaluate(fes["pelvis"], n, cfg.PELVIS_DIVISIONS, list(elements))
        )
        lod = geometry.apply(
            to_pelvis, _evaluate(fes["pelvis"], n, cfg.LOD_DIVISIONS["pelvis"], list(elements))
        )
        arrays[f"lod_{bone}"] = _lod_index(linear[bone], lod)
    femur_fe = fes["femur"]
    fv = geometry.apply(to_pelvis, _evaluate(femur_fe, femur_fe.nodes, cfg.FEMUR_DIVISIONS))
    femur_field = _fields(femur_fe, node_modes["femur"], cfg.FEMUR_DIVISIONS) @ rot.T
    for kind, fe, div in (
        ("femur", femur_fe, cfg.FEMUR_DIVISIONS),
        ("tibia_fibula", fes["tibia_fibula"], cfg.DIVISIONS["tibia_fibula"]),
        ("patella", fes["patella"], cfg.DIVISIONS["patella"]),
    ):
        index = _lod_index(_evaluate(fe, fe.nodes, div), _evaluate(fe, fe.nodes, cfg.LOD_DIVISIONS[kind]))
        arrays[f"lod_{kind}_left"] = arrays[f"lod_{kind}_right"] = index
    leg_fields = {
        leg: _fields(fes[leg], node_modes[leg], cfg.DIVISIONS[leg]) @ rot.T
        for leg in ("tibia_fibula", "patella")
    }
    leg_linear = {
        leg: geometry.apply(to_pelvis, _evaluate(fes[leg], fes[leg].nodes, cfg.DIVISIONS[leg]))
        for leg in ("tibia_fibula", "patella")
    }
    seats: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        v = fv.copy()
        if side == "right":
            v[:, 2] *= -1.0
        fmap = maps[f"femur_{side}"]
        femur_frame = landmarks.femur_frame(defs, v, fmap, side)
        _, hjc = build_meshes.conform_socket(
            linear[f"hip_{side}"], defs[f"hip_centre_{side}"], maps[f"hip_{side}"]
        )
        seats[side] = geometry.transform(None, hjc) @ geometry.invert(femur_frame)
        linear[f"femur_{side}"] = geometry.apply(seats[side], v)
        for leg, lv in leg_linear.items():
            lv = lv.copy()
            if side == "right":
                lv[:, 2] *= -1.0
            # the knee seating moved it along one axis: take that translation from the stored mesh
            placed = geometry.apply(seats[side], lv)
            shift = (stored[f"{leg}_{side}"] - placed).mean(axis=0)
            linear[f"{leg}_{side}"] = placed + shift
    mirror = np.diag([1.0, 1.0, -1.0])
    for kind, field in (("femur", femur_field), *leg_fields.items()):
        left = seats["left"][:3, :3]
        arrays[f"field_{kind}_left"] = (field @ left.T).astype(np.float32)
        # right field = seat_right . Mz . F = (seat_right . Mz . seat_left^T) . left field
        arrays[f"mirror_{kind}_right"] = seats["right"][:3, :3] @ mirror @ left.T
    summary: dict = {"max_conformity_mm": {}, "linear_vs_stored_mm": {}, "lod_vs_full_mm": {}}
    for bone in data.ALL_BONES:
        moved = np.linalg.norm(stored[bone] - linear[bone], axis=1)
        keep = np.nonzero(moved > MOVED)[0]
        if bone.startswith(("hip", "femur")):
            arrays[f"linear_index_{bone}"] = keep.astype(np.int32)
            arrays[f"linear_{bone}"] = linear[bone][keep]
            summary["max_conformity_mm"][bone] = round(float(moved.max()), 4)
            rest = np.setdiff1d(np.arange(len(moved)), keep)
            summary["linear_vs_stored_mm"][bone] = float(moved[rest].max())
        else:
            summary["linear_vs_stored_mm"][bone] = float(moved.max())
        lod_gap = np.abs(linear[bone][arrays[f"lod_{bone}"]] - stored_lod[bone])
        summary["lod_vs_full_mm"][bone] = round(float(lod_gap.max()), 4)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "shape_modes.npz"
    np.savez_compressed(out, **arrays)
    mirrored = load_model(model_path(MIRRORED_FILE))
    check = mirrored_check(model, mirrored)
    summary.update(
        {
            "variance_explained_pct": [round(100 * float(x), 2) for x in explained],
            "sigma_mm": [round(float(s), 3) for s in sigma],
            "mean_vs_atlas_mm": mean_error,
            "mirrored_model": check,
            "bytes": out.stat().st_size,
        }
    )
    _record(out_dir, out, path, summary)
    return summary


def _record(out_dir: Path, out: Path, source: Path, summary: dict) -> None:
    """Add ``shape_modes.npz`` and its source to ``provenance.json``."""
    prov_path = out_dir / "provenance.json"
    prov = json.loads(prov_path.read_text())
    prov["files"]["shape_modes.npz"] = {"sha256": data.sha256(out)}
    prov["shape_modes"] = {
        "file": "shape_modes.npz",
        "source": {
            "package": build_meshes.PACKAGE,
            "version": build_meshes.PACKAGE_VERSION,
            "file": f"shape_models/{MODEL_FILE}",
            "sha256": data.sha256(source),
            "reference": "Zhang, Fernandez, Hislop-Jambrich, Besier, J Biomech 2016 (LLP26)",
        },
        "modes": MODES,
        "variance_explained_pct": summary["variance_explained_pct"],
        "sigma_mm": summary["sigma_mm"],
        "instance": (
            "mean + sum_i b_i * sigma_i * mode_i, b_i in standard deviations, sigma_i = sqrt(variance_i)"
        ),
        "frame": (
            "each field is in the frame of its stored mesh: the rotation that placed the mean bone "
            "(pelvis frame; mirror and seating for the legs) applied; viewer.shape re-seats each instance"
        ),
        "mirrored_model_check": {
            "file": f"shape_models/{MIRRORED_FILE}",
            **summary["mirrored_model"],
        },
        "regenerate": "pip install -e .[atlas] && python -m viewer.build_shape_modes",
    }
    prov_path.write_text(json.dumps(prov, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data.MESH_DIR, help="output folder")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out), indent=2))


if __name__ == "__main__":
    main()
