"""A small glTF 2.0 binary (GLB) writer: named meshes with PBR materials, and named empties."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field

import numpy as np

_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_FLOAT, _UNSIGNED_INT = 5126, 5125
_TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4"}


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Linear-light values ((..., 3) float, 0..1) of sRGB colours ((..., 3) float, 0..1).

    glTF's ``baseColorFactor`` is linear; the app's colours (``annotations/style.json``) are sRGB.
    """
    c = np.asarray(rgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


@dataclass(frozen=True)
class Material:
    """A glTF metallic-roughness material.

    Attributes
    ----------
    name : str
    rgb : (3,) float
        sRGB colour in 0..1, as the app draws it.
    opacity : float
        1 is opaque (``alphaMode`` OPAQUE); below 1 the material blends (``alphaMode`` BLEND).
    roughness : float
        0 (mirror) .. 1 (matt); the metallic factor is 0.
    """

    name: str
    rgb: tuple[float, float, float]
    opacity: float = 1.0
    roughness: float = 0.7

    def to_json(self) -> dict:
        """The material as a glTF ``materials`` entry."""
        linear = [round(float(c), 6) for c in srgb_to_linear(self.rgb)]
        out = {
            "name": self.name,
            "pbrMetallicRoughness": {
                "baseColorFactor": [*linear, round(float(self.opacity), 6)],
                "metallicFactor": 0.0,
                "roughnessFactor": round(float(self.roughness), 6),
            },
        }
        if self.opacity < 1:
            out["alphaMode"] = "BLEND"
        return out


@dataclass(frozen=True)
class MeshNode:
    """One named node with one mesh of one or more triangle primitives sharing its vertices.

    Attributes
    ----------
    name : str
        Name of the node and of its mesh.
    positions : (n, 3) float
        Vertices in the file's unit.
    normals : (n, 3) float
        Unit vertex normals.
    primitives : tuple of ((f, 3) int, int)
        Triangles and the index of their material in the file's material list.
    attributes : dict of str to (n,) float
        Application-specific vertex attributes (names start with ``_``).
    """

    name: str
    positions: np.ndarray
    normals: np.ndarray
    primitives: tuple[tuple[np.ndarray, int], ...]
    attributes: dict[str, np.ndarray] = field(default_factory=dict)


class _Buffer:
    """The binary chunk being built, with its buffer views and accessors."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.size = 0
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def add(self, array: np.ndarray, target: int, bounds: bool = False) -> int:
        """Append an array ((n,) or (n, k)) as a view and an accessor; return the accessor index."""
        integer = target == _ELEMENT_ARRAY_BUFFER
        a = np.ascontiguousarray(array, dtype=np.uint32 if integer else np.float32)
        raw = a.tobytes()
        self.views.append({"buffer": 0, "byteOffset": self.size, "byteLength": len(raw), "target": target})
        self.chunks.append(raw + b"\0" * (-len(raw) % 4))  # every view starts on 4 bytes
        self.size += len(raw) + (-len(raw) % 4)
        acc = {
            "bufferView": len(self.views) - 1,
            "componentType": _UNSIGNED_INT if integer else _FLOAT,
            "count": int(a.size if integer else len(a)),
            "type": "SCALAR" if integer else _TYPES[1 if a.ndim == 1 else a.shape[1]],
        }
        if bounds:
            two = a.reshape(len(a), -1)
            acc["min"] = [float(v) for v in two.min(axis=0)]
            acc["max"] = [float(v) for v in two.max(axis=0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1


def glb_bytes(
    meshes: list[MeshNode],
    materials: list[Material],
    empties: dict[str, np.ndarray] | None = None,
    extras: dict | None = None,
) -> bytes:
    """A GLB file: one scene whose root nodes are the meshes, then the empties.

    Parameters
    ----------
    meshes : list of MeshNode
    materials : list of Material
        Referred to by index from the primitives.
    empties : dict of str to (3,) float, optional
        Named nodes with only a translation (landmarks), in the file's unit.
    extras : dict, optional
        Written as the scene's ``extras``.

    Returns
    -------
    bytes
    """
    buf = _Buffer()
    gl_meshes, nodes = [], []
    for m in meshes:
        attributes = {
            "POSITION": buf.add(m.positions, _ARRAY_BUFFER, bounds=True),
            "NORMAL": buf.add(unit_rows(m.normals), _ARRAY_BUFFER),
        }
        for key, values in m.attributes.items():
            attributes[key] = buf.add(values, _ARRAY_BUFFER)
        prims = [
            {"attributes": attributes, "indices": buf.add(f.ravel(), _ELEMENT_ARRAY_BUFFER), "material": k}
            for f, k in m.primitives
        ]
        nodes.append({"name": m.name, "mesh": len(gl_meshes)})
        gl_meshes.append({"name": m.name, "primitives": prims})
    for name, point in (empties or {}).items():
        nodes.append({"name": name, "translation": [float(v) for v in point]})
    scene = {"name": "scene", "nodes": list(range(len(nodes)))}
    if extras:
        scene["extras"] = extras
    doc = {
        "asset": {"version": "2.0", "generator": "gmed-viewer"},
        "scene": 0,
        "scenes": [scene],
        "nodes": nodes,
        "meshes": gl_meshes,
        "materials": [mat.to_json() for mat in materials],
        "accessors": buf.accessors,
        "bufferViews": buf.views,
        "buffers": [{"byteLength": buf.size}],
    }
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary = b"".join(buf.chunks)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(text), b"JSON"),
            text,
            struct.pack("<I4s", len(binary), b"BIN\0"),
            binary,
        ]
    )


def unit_rows(v: np.ndarray) -> np.ndarray:
    """Rows of ``v`` ((n, 3) float) scaled to unit length in float32; zero rows become +y."""
    a = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(a, axis=1, keepdims=True)
    bad = ~np.isfinite(n[:, 0]) | (n[:, 0] < 1e-12)
    a = np.where(bad[:, None], [0.0, 1.0, 0.0], a / np.where(bad[:, None], 1.0, n))
    out = a.astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)
