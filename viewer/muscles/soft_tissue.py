"""The trochanteric bursa and the superior gluteal nerve: rigid soft tissue laid between the layers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viewer import geometry


@dataclass(frozen=True)
class Rigid:
    """A closed surface that moves with one bone.

    Attributes
    ----------
    id : str
        ``trochanteric_bursa`` or ``superior_gluteal_nerve``.
    vertices : (n, 3) float
        At neutral, mm, pelvis frame.
    faces : (f, 3) int
        Outward normals.
    follows : {"pelvis", "femur"}
        The bone whose matrix poses it.
    """

    id: str
    vertices: np.ndarray
    faces: np.ndarray
    follows: str

    def posed(self, femur: np.ndarray) -> np.ndarray:
        """Vertices ((n, 3) float, mm) for a pose, given the femur's (4, 4) matrix."""
        return geometry.apply(femur, self.vertices) if self.follows == "femur" else self.vertices


def _outward(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """``faces`` turned so that the enclosed volume is positive (normals outward)."""
    a, b, c = (vertices[faces[:, k]] for k in range(3))
    volume = np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0
    return faces if volume > 0 else np.ascontiguousarray(faces[:, ::-1])


def lens(
    centre: np.ndarray, radii: tuple[float, float], thickness: float, floor, s: float, rings=8, sectors=28
):
    """A flat lens (a bursa) lying on a surface.

    Parameters
    ----------
    centre : (2,) float
        (x, y) of its middle, mm, in the mirrored frame where +z is lateral.
    radii : (float, float)
        Half-widths along x and y, mm.
    thickness : float
        Its thickness at the middle, mm; it thins to 0 at the rim.
    floor : callable
        ``floor(x, y)`` -> height (mm) it lies on.
    s : float
        +1 right, -1 left (the mirror of z).

    Returns
    -------
    vertices : (n, 3) float
    faces : (f, 3) int
    """
    r = np.linspace(0.0, 1.0, rings + 1)[1:]
    a = np.linspace(0.0, 2 * np.pi, sectors, endpoint=False)
    rr, aa = np.meshgrid(r, a, indexing="ij")  # (rings, sectors)
    x = centre[0] + radii[0] * rr * np.cos(aa)
    y = centre[1] + radii[1] * rr * np.sin(aa)
    base = floor(x, y)
    dome = thickness * np.sqrt(np.clip(1.0 - rr**2, 0.0, 1.0))
    c_base = float(floor(np.array([centre[0]]), np.array([centre[1]]))[0])
    bottom = np.stack([x, y, base], axis=-1)
    top = np.stack([x, y, base + dome], axis=-1)
    # vertices: centre bottom, centre top, bottom rings 0..rings-2, top rings 0..rings-2, rim ring
    inner = rings - 1
    verts = [
        np.array([[centre[0], centre[1], c_base]]),
        np.array([[centre[0], centre[1], c_base + thickness]]),
    ]
    verts += [bottom[:inner].reshape(-1, 3), top[:inner].reshape(-1, 3), bottom[inner]]
    v = np.concatenate(verts) * np.array([1.0, 1.0, s])
    nb, nt, nr = 2, 2 + inner * sectors, 2 + 2 * inner * sectors

    def ring(first, k):  # vertex index of ring k of a sheet (k == inner: the shared rim)
        return (nr if k == inner else first + k * sectors) + np.arange(sectors)

    faces = []
    for first, apex in ((nb, 0), (nt, 1)):
        r0 = ring(first, 0)
        faces.append(np.column_stack([np.full(sectors, apex), r0, np.roll(r0, -1)]))
        for k in range(inner):
            p, q = ring(first, k), ring(first, k + 1)
            faces.append(np.column_stack([p, q, np.roll(q, -1)]))
            faces.append(np.column_stack([p, np.roll(q, -1), np.roll(p, -1)]))
    f = np.concatenate(faces)
    # the two sheets were built alike: turn the bottom one over
    n_bottom = len(f) // 2
    f[:n_bottom] = f[:n_bottom, ::-1]
    return v, _outward(v, f)


def tube(
    path: np.ndarray, radius: float, sides: int = 10, samples: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """A closed tube ((n, 3) float vertices, (f, 3) int faces) of ``radius`` mm along a (m, 3) path."""
    p = geometry.resample_polyline(np.asarray(path, dtype=float), samples)
    t = np.gradient(p, axis=0)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    ref = np.array([0.0, 1.0, 0.0]) if abs(t[0, 1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    n1 = np.empty_like(p)
    n = np.cross(t[0], ref)
    for i in range(len(p)):  # parallel transport: no twist
        n = n - t[i] * (n @ t[i])
        n /= np.linalg.norm(n)
        n1[i] = n
    n2 = np.cross(t, n1)
    a = np.linspace(0.0, 2 * np.pi, sides, endpoint=False)
    ring = p[:, None] + radius * (
        np.cos(a)[None, :, None] * n1[:, None] + np.sin(a)[None, :, None] * n2[:, None]
    )
    v = np.concatenate([ring.reshape(-1, 3), p[[0, -1]]])
    m = len(p)
    i, j = np.meshgrid(np.arange(m - 1), np.arange(sides), indexing="ij")
    a0 = (i * sides + j).ravel()
    a1 = (i * sides + (j + 1) % sides).ravel()
    b0, b1 = a0 + sides, a1 + sides
    f = [np.column_stack([a0, b0, b1]), np.column_stack([a0, b1, a1])]
    start, end = len(v) - 2, len(v) - 1
    js = np.arange(sides)
    f.append(np.column_stack([np.full(sides, start), (js + 1) % sides, js]))
    last = (m - 1) * sides
    f.append(np.column_stack([np.full(sides, end), last + js, last + (js + 1) % sides]))
    f = np.concatenate(f)
    return v, _outward(v, f)
