"""Evaluate the LLP26 Lagrange finite-element meshes into triangle meshes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

#: Number of nodes of each basis used by the atlas.
BASIS_NODES = {
    "quad_L3_L3": 16,
    "quad_L4_L3": 20,
    "quad_L4_L4": 25,
    "simplex_L3_L3": 10,
    "simplex_L4_L4": 15,
}


@dataclass(frozen=True)
class Element:
    """One finite element: its basis name and its global node numbers."""

    number: int
    basis: str
    nodes: np.ndarray

    @property
    def is_quad(self) -> bool:
        return self.basis.startswith("quad")

    @property
    def orders(self) -> tuple[int, int]:
        """Polynomial order along xi1 and xi2 (equal for simplices)."""
        _, a, b = self.basis.split("_")
        return int(a[1:]), int(b[1:])


@dataclass(frozen=True)
class FEMesh:
    """A finite-element surface mesh: elements plus nodal coordinates.

    Attributes
    ----------
    name : str
        The atlas name of the geometric field.
    elements : list of Element
        Elements in atlas order (element ``i`` has ``number == i``).
    nodes : (m, 3) float
        Nodal coordinates in millimetres, atlas frame.
    """

    name: str
    elements: list[Element]
    nodes: np.ndarray


def lagrange_1d(order: int, x: np.ndarray) -> np.ndarray:
    """Equally spaced 1D Lagrange basis of ``order`` evaluated at ``x``.

    Parameters
    ----------
    order : int
        Polynomial order (``order + 1`` nodes at ``0, 1/order, ..., 1``).
    x : (n,) float
        Element coordinates.

    Returns
    -------
    (order + 1, n) float
        Basis function values, one row per node.
    """
    x = np.asarray(x, dtype=float)
    knots = np.linspace(0.0, 1.0, order + 1)
    out = np.ones((order + 1, x.size))
    for i in range(order + 1):
        for j in range(order + 1):
            if i != j:
                out[i] *= (x - knots[j]) / (knots[i] - knots[j])
    return out


def quad_basis(orders: tuple[int, int], xi: np.ndarray) -> np.ndarray:
    """Tensor-product Lagrange basis on the unit square.

    Node order follows GIAS3/CMISS: ``xi1`` varies fastest.

    Parameters
    ----------
    orders : (2,) int
        Orders along ``xi1`` and ``xi2``.
    xi : (n, 2) float
        Element coordinates in ``[0, 1]^2``.

    Returns
    -------
    (n, (p + 1) * (q + 1)) float
    """
    xi = np.atleast_2d(xi)
    a = lagrange_1d(orders[0], xi[:, 0])
    b = lagrange_1d(orders[1], xi[:, 1])
    return (b[:, None, :] * a[None, :, :]).reshape(-1, xi.shape[0]).T


def simplex_basis(order: int, xi: np.ndarray) -> np.ndarray:
    """Lagrange basis on the unit triangle in area coordinates.

    With ``L1 = 1 - xi1 - xi2``, ``L2 = xi1`` and ``L3 = xi2``, nodes are
    ordered in rows of constant ``L3`` (from 0 to 1) and, within a row, by
    increasing ``L2`` -- the GIAS3 ordering.

    Parameters
    ----------
    order : int
    xi : (n, 2) float
        Area coordinates with ``xi1 + xi2 <= 1``.

    Returns
    -------
    (n, (order + 1) * (order + 2) / 2) float
    """
    xi = np.atleast_2d(xi)
    area = (1.0 - xi[:, 0] - xi[:, 1], xi[:, 0], xi[:, 1])

    def factor(lam: np.ndarray, m: int) -> np.ndarray:
        v = np.ones_like(lam)
        for s in range(m):
            v = v * (order * lam - s) / (s + 1)
        return v

    cols = []
    for j in range(order + 1):
        for i in range(order + 1 - j):
            cols.append(factor(area[0], order - i - j) * factor(area[1], i) * factor(area[2], j))
    return np.stack(cols, axis=1)


def element_basis(element: Element, xi: np.ndarray) -> np.ndarray:
    """Basis of ``element`` at element coordinates ``xi`` ((n, 2) float)."""
    if element.is_quad:
        return quad_basis(element.orders, xi)
    return simplex_basis(element.orders[0], xi)


def evaluate(mesh: FEMesh, element: int, xi: np.ndarray) -> np.ndarray:
    """Evaluate points of one element.

    Parameters
    ----------
    mesh : FEMesh
    element : int
        Element number.
    xi : (n, 2) float
        Element coordinates.

    Returns
    -------
    (n, 3) float
        Points in millimetres, atlas frame.
    """
    el = mesh.elements[element]
    return element_basis(el, xi) @ mesh.nodes[el.nodes]


def read_fe_mesh(mesh_file: Path, ens_file: Path, geof_file: Path) -> FEMesh:
    """Read a GIAS3 JSON finite-element mesh (``.mesh``, ``.ens``, ``.geof``).

    Shared nodes are numbered element by element, in element order: a local
    node receives the next global number unless the ``connectivity`` table
    already tied it to a node of an earlier element. The ``.geof`` field
    parameters follow that numbering.
    """
    topo = json.loads(Path(mesh_file).read_text())
    basis_names = json.loads(Path(ens_file).read_text())["basis"]
    field = json.loads(Path(geof_file).read_text())["field_parameters"]
    nodes = np.array(
        [[float(field[key][f"dim {d}"]) for d in range(3)] for key in sorted(field)],
        dtype=float,
    )
    connectivity = topo["connectivity"]
    numbers: dict[tuple[int, int], int] = {}
    next_number = 0
    elements = []
    for e in range(int(topo["element_counter"])):
        basis = basis_names[topo["elements"][str(e)].split()[1]]
        ids = []
        for local in range(BASIS_NODES[basis]):
            if (e, local) not in numbers:
                numbers[(e, local)] = next_number
                for other in connectivity.get(f"{e}_{local}", "").split():
                    oe, on = other.split("_")
                    numbers[(int(oe), int(on))] = next_number
                next_number += 1
            ids.append(numbers[(e, local)])
        elements.append(Element(e, basis, np.array(ids, dtype=np.int64)))
    if next_number != len(nodes):
        raise ValueError(
            f"{mesh_file}: topology numbers {next_number} nodes but {geof_file} has {len(nodes)}"
        )
    return FEMesh(name=Path(geof_file).stem, elements=elements, nodes=nodes)


def element_grid(element: Element, divisions: int) -> tuple[np.ndarray, np.ndarray]:
    """Element coordinates and triangles of a regular subdivision.

    Parameters
    ----------
    element : Element
    divisions : int
        Intervals per element edge. A multiple of the element orders puts
        every element node on a grid point.

    Returns
    -------
    xi : (n, 2) float
    faces : (f, 3) int
        Triangles indexing ``xi``, wound counter-clockwise in ``(xi1, xi2)``.
    """
    d = divisions
    t = np.linspace(0.0, 1.0, d + 1)
    if element.is_quad:
        x1, x2 = np.meshgrid(t, t)  # x1 varies fastest along a row
        xi = np.column_stack([x1.ravel(), x2.ravel()])
        i, j = np.meshgrid(np.arange(d), np.arange(d))
        a = (j * (d + 1) + i).ravel()
        b, c, e = a + 1, a + d + 1, a + d + 2
        faces = np.concatenate([np.column_stack([a, b, e]), np.column_stack([a, e, c])])
        return xi, faces
    rows = []
    index = {}
    for j in range(d + 1):
        for i in range(d + 1 - j):
            index[(i, j)] = len(rows)
            rows.append((t[i], t[j]))
    faces = []
    for j in range(d):
        for i in range(d - j):
            faces.append((index[(i, j)], index[(i + 1, j)], index[(i, j + 1)]))
            if i + j + 2 <= d:
                faces.append((index[(i + 1, j)], index[(i + 1, j + 1)], index[(i, j + 1)]))
    return np.array(rows), np.array(faces, dtype=np.int64)


def triangulate(
    mesh: FEMesh, divisions: int, elements: list[int] | None = None, weld_tol: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, dict[int, int], np.ndarray]:
    """Evaluate elements on a regular grid and weld them into one triangle mesh.

    Parameters
    ----------
    mesh : FEMesh
    divisions : int
        Intervals per element edge.
    elements : list of int, optional
        Element numbers to include (all by default).
    weld_tol : float
        Points closer than this (mm) become one vertex.

    Returns
    -------
    vertices : (n, 3) float
    faces : (f, 3) int
        Degenerate triangles (from collapsed element edges) are removed.
        Winding follows each element's ``xi`` orientation and is not yet
        made consistent.
    node_vertex : dict
        Atlas node number -> vertex index, for every node of the included
        elements (nodes sit on grid points when ``divisions`` is a multiple
        of the element orders).
    face_element : (f,) int
        Atlas element number of each triangle.
    """
    if elements is None:
        elements = list(range(len(mesh.elements)))
    points, faces, face_element, node_points = [], [], [], {}
    offset = 0
    for e in elements:
        el = mesh.elements[e]
        xi, tri = element_grid(el, divisions)
        points.append(evaluate(mesh, e, xi))
        faces.append(tri + offset)
        face_element.append(np.full(len(tri), e))
        # locate this element's nodes on the grid
        node_xi = element_nodes_xi(el)
        grid = np.rint(xi * divisions).astype(int)
        lookup = {tuple(g): k for k, g in enumerate(grid)}
        for node, nx in zip(el.nodes, node_xi, strict=True):
            key = tuple(np.rint(nx * divisions).astype(int))
            if key in lookup and int(node) not in node_points:
                node_points[int(node)] = offset + lookup[key]
        offset += len(xi)
    points = np.concatenate(points)
    faces = np.concatenate(faces)
    # weld coincident points: every point maps to the lowest index in its cluster
    n = len(points)
    pairs = cKDTree(points).query_pairs(weld_tol, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, cluster = connected_components(graph, directed=False)
    lowest = np.full(cluster.max() + 1, n)
    np.minimum.at(lowest, cluster, np.arange(n))
    roots = lowest[cluster]
    keep, inverse = np.unique(roots, return_inverse=True)
    vertices = points[keep]
    faces = inverse[faces]
    good = (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])
    node_vertex = {n: int(inverse[p]) for n, p in node_points.items()}
    return vertices, faces[good], node_vertex, np.concatenate(face_element)[good]


def element_nodes_xi(element: Element) -> np.ndarray:
    """Element coordinates of the element's nodes ((k, 2) float), in node order."""
    p, q = element.orders
    if element.is_quad:
        a, b = np.meshgrid(np.linspace(0, 1, p + 1), np.linspace(0, 1, q + 1))
        return np.column_stack([a.ravel(), b.ravel()])
    return np.array([(i / p, j / p) for j in range(p + 1) for i in range(p + 1 - j)])
