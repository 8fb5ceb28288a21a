"""Resolve landmark definitions (atlas nodes, curves, sphere fits) on bone meshes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viewer.geometry import fit_sphere_trimmed, isb_femur_frame


@dataclass(frozen=True)
class AtlasMap:
    """How one bone mesh relates to its atlas finite-element mesh.

    Attributes
    ----------
    node_vertex : dict
        Atlas node number -> vertex index in the bone mesh.
    element_nodes : dict
        Atlas element number -> its atlas node numbers.
    """

    node_vertex: dict[int, int]
    element_nodes: dict[int, list[int]]

    def vertices_of_nodes(self, nodes: list[int]) -> np.ndarray:
        """Vertex indices ((k,) int) of atlas nodes; raises KeyError for unknown nodes."""
        return np.array([self.node_vertex[int(n)] for n in nodes], dtype=np.int64)

    def vertices_of_elements(self, elements: list[int]) -> np.ndarray:
        """Unique vertex indices ((k,) int) of all nodes of the given elements."""
        nodes = sorted({n for e in elements for n in self.element_nodes[int(e)]})
        return self.vertices_of_nodes(nodes)


def resolve(definition: dict, vertices: np.ndarray, atlas_map: AtlasMap) -> np.ndarray:
    """Positions of a landmark on a bone mesh.

    Parameters
    ----------
    definition : dict
        One validated entry of ``annotations/landmarks.json``.
    vertices : (n, 3) float
        The bone's vertices, in whatever pose the caller has them.
    atlas_map : AtlasMap

    Returns
    -------
    (3,) float for ``point``, ``sphere_centre`` and ``midpoint`` landmarks (the mean of
    the ``atlas_nodes``, e.g. the knee centre between the epicondyles), (k, 3) float for
    ``curve`` and ``region`` landmarks.
    """
    kind = definition["kind"]
    if kind == "point":
        return vertices[atlas_map.node_vertex[definition["atlas_node"]]].copy()
    if kind == "midpoint":
        return vertices[atlas_map.vertices_of_nodes(definition["atlas_nodes"])].mean(axis=0)
    if kind in ("curve", "region"):
        return vertices[atlas_map.vertices_of_nodes(definition["atlas_nodes"])]
    if kind == "sphere_centre":
        pts = vertices[atlas_map.vertices_of_elements(definition["atlas_elements"])]
        centre, _, _ = fit_sphere_trimmed(pts, definition.get("keep_fraction", 1.0))
        return centre
    raise ValueError(f"unknown landmark kind {kind!r}")


def femur_frame(defs: dict, vertices: np.ndarray, atlas_map: AtlasMap, side: str) -> np.ndarray:
    """(4, 4) ISB femur frame of a femur mesh ((n, 3) float vertices): from its femoral head
    centre and epicondyles (``defs``: the landmark definitions), as the mesh build seats it."""
    return isb_femur_frame(
        *(
            resolve(defs[f"{k}_{side}"], vertices, atlas_map)
            for k in ("femoral_head_centre", "epicondyle_lateral", "epicondyle_medial")
        ),
        side,
    )
