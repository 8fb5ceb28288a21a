"""The only module that knows file paths: load and validate meshes and annotations."""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from viewer.landmarks import AtlasMap

if TYPE_CHECKING:
    import trimesh

#: The package's own folder (``viewer/``), wherever it is installed.
PACKAGE_DIR = Path(str(importlib.resources.files("viewer")))


def _data_root() -> Path:
    """The folder that holds ``meshes/`` and ``annotations/``.

    A wheel ships them inside the package (``viewer/meshes``, ``viewer/annotations``; see
    ``[tool.setuptools.package-dir]`` in pyproject.toml); a source checkout or an editable
    install keeps them at the top of the project, beside ``viewer/``.
    """
    if (PACKAGE_DIR / "annotations").is_dir():
        return PACKAGE_DIR
    return PACKAGE_DIR.parent


ROOT = _data_root()
MESH_DIR = ROOT / "meshes"
ANNOTATION_DIR = ROOT / "annotations"
SCHEMA_DIR = ANNOTATION_DIR / "schema"

#: Longest extent a bone mesh may have, in mm (a file in metres or inches is refused; the
#: patella, the smallest bone, is about 41 mm).
MESH_SIZE_MM = (30.0, 1000.0)

#: Bone ids of the hip, each stored as ``meshes/<id>.ply``.
BONES = ("hip_right", "hip_left", "sacrum", "femur_right", "femur_left")
#: Bone ids of the lower legs (the ``lower_legs`` layer), stored the same way.
LEG_BONES = ("tibia_fibula_right", "tibia_fibula_left", "patella_right", "patella_left")
#: Every bone with a mesh.
ALL_BONES = BONES + LEG_BONES


class DataError(Exception):
    """A data file is missing, unreadable or invalid; the message names the file."""


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def read_json(path: Path) -> object:
    """Parse a JSON file, raising DataError that names the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{_rel(path)}: file is missing") from None
    except OSError as exc:
        raise DataError(f"{_rel(path)}: cannot be read ({exc.strerror})") from None

    def no_constant(name):
        raise DataError(f"{_rel(path)}: {name} is not a number JSON allows; write a finite value")

    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise DataError(f"{_rel(path)}: not valid JSON at line {exc.lineno}: {exc.msg}") from None


def load_validated(path: Path, schema_name: str) -> dict:
    """Load a JSON file and validate it against ``annotations/schema/<schema_name>``.

    A file validated before, unchanged (size and modification time), with its schema unchanged,
    is not validated again: the caller gets a copy of it.

    Raises
    ------
    DataError
        Naming the file, the field path (e.g. ``landmarks[3].atlas_node``)
        and the problem.
    """
    import jsonschema  # imported here: a server started from the cache does not need it

    key = _stat_key(Path(path), SCHEMA_DIR / schema_name)
    if key is not None and key in _validated:  # the same files as validated before: a copy
        return copy.deepcopy(_validated[key])
    data = read_json(path)
    schema = read_json(SCHEMA_DIR / schema_name)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems in this file)" if len(errors) > 1 else ""
        message = " ".join(first.message.split())  # one line, whatever the value looked like
        if len(message) > 200:
            message = message[:200] + "..."
        raise DataError(f"{_rel(path)}: {_field(first.absolute_path)}: {message}{more}")
    if key is not None:
        _validated[key] = copy.deepcopy(data)
    return data


#: (file and schema, each path, size and modification time) -> the file's validated data
_validated: dict = {}


def _stat_key(*paths: Path) -> tuple | None:
    try:
        return tuple((str(p), (st := p.stat()).st_size, st.st_mtime_ns) for p in paths)
    except OSError:
        return None  # read_json names the problem


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def mesh_path(bone: str, lod: bool = False) -> Path:
    """Path of a bone's mesh file (``lod``: the light version drawn while the view moves)."""
    if bone not in ALL_BONES:
        raise DataError(f"unknown bone {bone!r}; known bones: {', '.join(ALL_BONES)}")
    return MESH_DIR / ("lod" if lod else "") / f"{bone}.ply"


def load_bone_mesh(bone: str, path: Path | None = None, lod: bool = False) -> trimesh.Trimesh:
    """Load a bone mesh with trimesh, checking it is complete and closed.

    Raises
    ------
    DataError
        If the file is missing, truncated, corrupted or not a closed surface.
    """
    import trimesh  # imported here: it takes a second, and the app starts without it

    path = Path(path) if path is not None else mesh_path(bone, lod)
    if not path.is_file():
        raise DataError(f"{_rel(path)}: mesh file is missing (run `python -m viewer.build_meshes`)")
    try:
        mesh = trimesh.load(path, file_type="ply", process=False, force="mesh")
    except Exception as exc:  # trimesh raises many kinds on corrupt input
        raise DataError(f"{_rel(path)}: cannot be read as a PLY mesh ({exc})") from None
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise DataError(f"{_rel(path)}: contains no triangles")
    if mesh.faces.max() >= len(mesh.vertices) or not np.isfinite(mesh.vertices).all():
        raise DataError(f"{_rel(path)}: corrupted (bad vertex indices or coordinates)")
    if not mesh.is_watertight:
        raise DataError(f"{_rel(path)}: mesh is not a closed manifold surface (truncated or corrupted)")
    size = float(np.ptp(mesh.vertices, axis=0).max())
    if not MESH_SIZE_MM[0] <= size <= MESH_SIZE_MM[1]:
        hint = " (metres? meshes are in millimetres)" if size < MESH_SIZE_MM[1] / 1000 else ""
        raise DataError(
            f"{_rel(path)}: the bone is {size:.3g} units long; a bone is "
            f"{MESH_SIZE_MM[0]:g}-{MESH_SIZE_MM[1]:g} mm{hint}"
        )
    return mesh


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fingerprint() -> str:
    """Hex SHA-256 over everything derived data is made from: meshes, annotations, code.

    A cache keyed by it is stale as soon as any mesh, annotation or module changes.
    """
    h = hashlib.sha256()
    files = [
        *(
            ("meshes", p)
            for p in [*MESH_DIR.rglob("*.ply"), *MESH_DIR.glob("*.json"), *MESH_DIR.glob("*.npz")]
        ),
        *(("annotations", p) for p in ANNOTATION_DIR.rglob("*.json")),
        *(("viewer", p) for p in PACKAGE_DIR.rglob("*.py")),
        *(("viewer", p) for p in PACKAGE_DIR.rglob("*.js")),
    ]
    base = {"meshes": MESH_DIR, "annotations": ANNOTATION_DIR, "viewer": PACKAGE_DIR}
    for top, path in sorted(files, key=lambda f: (f[0], str(f[1]))):
        h.update(f"{top}/{path.relative_to(base[top]).as_posix()}".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(np.__version__.encode())
    return h.hexdigest()


def verify_checksums() -> None:
    """Compare every mesh with the checksum recorded in ``meshes/provenance.json``."""
    prov = read_json(MESH_DIR / "provenance.json")
    for name, entry in prov["files"].items():
        path = MESH_DIR / name
        if not path.is_file():
            raise DataError(f"{_rel(path)}: file is missing")
        if sha256(path) != entry["sha256"]:
            raise DataError(f"{_rel(path)}: checksum differs from meshes/provenance.json")


@cache
def atlas_maps() -> dict[str, AtlasMap]:
    """Per-bone maps from atlas nodes and elements to mesh vertices."""
    raw = load_validated(MESH_DIR / "atlas_map.json", "atlas_map.schema.json")
    return {
        bone: AtlasMap(
            node_vertex={int(k): int(v) for k, v in m["node_vertex"].items()},
            element_nodes={int(k): list(v) for k, v in m["element_nodes"].items()},
        )
        for bone, m in raw["bones"].items()
    }


@cache
def shape_modes() -> dict[str, np.ndarray]:
    """The shape-mode fields of ``meshes/shape_modes.npz`` (``viewer.build_shape_modes``), by name."""
    path = MESH_DIR / "shape_modes.npz"
    if not path.is_file():
        raise DataError(f"{_rel(path)}: file is missing (run `python -m viewer.build_shape_modes`)")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as exc:  # zipfile and numpy raise many kinds on a corrupt file
        raise DataError(f"{_rel(path)}: cannot be read ({exc})") from None


def landmark_definitions(path: Path | None = None) -> dict[str, dict]:
    """Landmark definitions from ``annotations/landmarks.json``, keyed by id."""
    path = Path(path) if path is not None else ANNOTATION_DIR / "landmarks.json"
    data = load_validated(path, "landmarks.schema.json")
    out: dict[str, dict] = {}
    for i, item in enumerate(data["landmarks"]):
        if item["id"] in out:
            raise DataError(f"{_rel(path)}: landmarks[{i}].id: duplicate id {item['id']!r}")
        out[item["id"]] = item
    return out


def annotation(name: str, path: Path | None = None) -> dict:
    """Load ``annotations/<name>.json`` validated by ``schema/<name>.schema.json``."""
    path = Path(path) if path is not None else ANNOTATION_DIR / f"{name}.json"
    return load_validated(path, f"{name}.schema.json")


#: The procedural muscles, deep to superficial: one file each in ``annotations/muscles/``.
MUSCLES = ("gluteus_minimus", "gluteus_medius", "tensor_fasciae_latae", "gluteus_maximus")


def muscle(name: str, path: Path | None = None) -> dict:
    """Load ``annotations/muscles/<name>.json`` validated by ``schema/muscle.schema.json``."""
    path = Path(path) if path is not None else ANNOTATION_DIR / "muscles" / f"{name}.json"
    params = load_validated(path, "muscle.schema.json")
    if params["id"] != path.stem:
        raise DataError(f"{_rel(path)}: id: {params['id']!r} is not the file's name {path.stem!r}")
    return params
