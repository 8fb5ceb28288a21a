"""What a picture of the hip shows, in numpy: colours, cameras, labels, fibre ribbons, footprints, layers.

The one pass of a picture: ``viewer.posed.pose_hip`` computes the hip in one pose
once (femur matrices, muscle surfaces, fibre ribbons, label anchors, read-out),
:func:`present` turns it into what is drawn (:class:`Presentation`: meshes with
their colours and matrices, labels, camera), and ``viewer.scene`` (PyVista actors)
or ``viewer.app.payload`` (the browser's buffers) draw that. No rendering library
is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from viewer import contract, data, framing, label_anchors
from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscles import MuscleSurface
from viewer.options import SceneOptions

if TYPE_CHECKING:
    from viewer.posed import Hip, PosedHip


# ---------------------------------------------------------------------- colours
def rgb(colour: str) -> tuple[float, float, float]:
    """A colour of ``annotations/style.json`` ('#rrggbb') as (r, g, b) floats in 0..1."""
    from matplotlib.colors import to_rgb  # imported here: the app starts without matplotlib

    return to_rgb(colour)


def rgb8(colour: str) -> np.ndarray:
    """A colour ('#rrggbb') as (3,) uint8 in 0..255."""
    return np.array([round(255 * c) for c in rgb(colour)], dtype=np.uint8)


def part_rgb(style: dict, part_ids: list[str] | tuple[str, ...]) -> np.ndarray:
    """(parts, 3) uint8 colour of each muscle part, in part order, from ``style["muscle_parts"]``."""
    return np.array([rgb8(style["muscle_parts"][p]) for p in part_ids], dtype=np.uint8)


def part_look(style: dict, name: str) -> dict:
    """Colour ('#rrggbb'), opacity and roughness of a soft-tissue part of an exported scene.

    ``name`` is an export part name (``gluteus_maximus_right``); its entry in ``style["parts"]``
    is keyed by the name without its side (``gluteus_maximus``).
    """
    kind = name.removesuffix("_right").removesuffix("_left")
    if kind not in style["parts"]:
        raise data.DataError(f"annotations/style.json: parts has no entry {kind!r} (for the part {name!r})")
    return style["parts"][kind]


# ---------------------------------------------------------------------- cameras
@cache
def views() -> dict[str, dict]:
    """Camera presets of ``annotations/views.json`` by id (the default checked by the contract)."""
    return contract.view_presets()


def frame_points(model: HipModel, side: str) -> np.ndarray:
    """The region every view preset frames ((n, 3) float, mm): the pelvis (both hip bones and
    the sacrum) and the side's femur down to ``frame.femur_mm`` (``annotations/views.json``)
    below the hip joint centre, at neutral."""
    below = contract.view_frame()["femur_mm"]
    femur = model.bones[f"femur_{side}"].vertices
    femur = femur[femur[:, 1] >= model.hip_centre(side)[1] - below]
    return np.concatenate([model.bones[b].vertices for b in ("hip_right", "hip_left", "sacrum")] + [femur])


def view_fit(view: str, side: str, points: np.ndarray) -> dict:
    """How a preset frames ``points`` ((n, 3) float, mm; :func:`frame_points`) for one side
    (:func:`viewer.framing.view_fit`); the left side mirrors the preset across the mid-sagittal
    plane (z)."""
    presets = views()
    if view not in presets:
        raise ValueError(f"unknown view {view!r}; views: {', '.join(presets)}")
    v = presets[view]
    mirror = np.array([1.0, 1.0, 1.0 if side == "right" else -1.0])
    direction = np.asarray(v["direction"], dtype=float) * mirror
    up = np.asarray(v["up"], dtype=float) * mirror
    return framing.view_fit(points, direction, up, contract.view_angle(), contract.view_frame()["margin"])


def camera(
    view: str, side: str, points: np.ndarray, aspect: float = 16 / 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera position (mm), focal point (mm) and view-up of a preset for one side.

    Parameters
    ----------
    view : str
        A view id of ``annotations/views.json``.
    side : {"right", "left"}
        The left side mirrors the preset across the mid-sagittal plane (z).
    points : (n, 3) float
        The region framed (:func:`frame_points`), mm.
    aspect : float
        Width / height of the picture.

    Returns
    -------
    position, focal, up : (3,) float
    """
    return framing.fitted_camera(view_fit(view, side, points), aspect)


# ---------------------------------------------------------------------- surfaces
def point_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals.

    Parameters
    ----------
    vertices : (n, 3) float
    faces : (f, 3) int

    Returns
    -------
    (n, 3) float
    """
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(n, faces[:, k], fn)
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def sheet_normals(grid: np.ndarray) -> np.ndarray:
    """Unit normals ((nu, nv, 3) float) of a grid sheet ((nu, nv, 3) float, mm), turned outward."""
    n = np.cross(np.gradient(grid, axis=0), np.gradient(grid, axis=1))
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    centre = grid.reshape(-1, 3).mean(axis=0)
    # the outer side of the superficial sheet faces away from the bone under it
    if np.einsum("uvk,uvk->", n, grid - centre) < 0:
        n = -n
    return n


# ---------------------------------------------------------------------- fibre ribbons
def fibre_rows(nu: int, count: int) -> np.ndarray:
    """Indices ((k,) int, k <= count) of the ``nu`` fibres drawn as fibre ribbons, evenly spread."""
    return np.unique(np.linspace(0, nu - 1, count).round().astype(int))


def ribbon_points(superficial: np.ndarray, rows: np.ndarray, width_mm: float, lift_mm: float) -> np.ndarray:
    """Points of narrow ribbons along the drawn fibres.

    Ribbons, not lines: WebGL draws lines one pixel wide, too thin for a projector.
    Each ribbon lies ``lift_mm`` over the outer surface and is ``width_mm`` wide
    across the fan.

    Parameters
    ----------
    superficial : (nu, nv, 3) float
        The muscle's outer sheet, mm.
    rows : (k,) int
        The fibres drawn (:func:`fibre_rows`).

    Returns
    -------
    (k * nv * 2, 3) float
        For each drawn fibre and sample, the two edges of its ribbon, mm.
    """
    normal = sheet_normals(superficial)[rows]
    across = np.gradient(superficial, axis=0)[rows]
    across /= np.linalg.norm(across, axis=-1, keepdims=True)
    centre = superficial[rows] + lift_mm * normal
    half = 0.5 * width_mm * across
    return np.stack([centre - half, centre + half], axis=2).reshape(-1, 3)


def ribbon_faces(nv: int, k: int, step: int = 1) -> np.ndarray:
    """Triangles ((f, 3) int) of ``k`` ribbons of ``nv`` samples (:func:`ribbon_points`).

    ``step=2`` joins every other sample: the light ribbons the browser draws while moving.
    """
    j = np.arange(0, nv - step, step)
    a, b = 2 * j, 2 * (j + step)
    one = np.concatenate([np.column_stack([a, a + 1, b + 1]), np.column_stack([a, b + 1, b])])
    return np.concatenate([one + 2 * nv * i for i in range(k)])


# ---------------------------------------------------------------------- footprints
@dataclass(frozen=True)
class Tube:
    """A tube along a path: an attachment footprint.

    Attributes
    ----------
    path : (m, 3) float
        Points the spline of the tube passes through, mm.
    samples : int
        Points of the spline.
    radius : float
        mm.
    sides : int
    """

    path: np.ndarray
    samples: int
    radius: float
    sides: int


def footprint_tubes(neutral: MuscleSurface, style: dict, light: bool = False) -> dict[str, Tube]:
    """The origin and insertion footprints at neutral as tubes along the attachment edges.

    The origin is fixed to the pelvis; the insertion moves with the femur's matrix.
    ``light``: fewer samples and sides (``style["footprint_tube"]["light"]``), for the
    browser's level of detail while the view moves.
    """
    tube = style["footprint_tube"]
    n = tube["light" if light else "full"]
    edges = {"origin": neutral.origin_edge, "insertion": neutral.insertion_edge}
    return {
        name: Tube(edge, n[f"{name}_samples"], float(tube["radius_mm"]), n["sides"])
        for name, edge in edges.items()
    }


# ---------------------------------------------------------------------- what is drawn
def sides_shown(side: str, layers: frozenset[str]) -> tuple[str, ...]:
    """The sides drawn: the moving one first, then the other if ``other_side`` is a layer."""
    return (side, *(s for s in SIDES if s != side and "other_side" in layers))


def bones_shown(side: str, layers: frozenset[str]) -> tuple[str, ...]:
    """Bone ids drawn, in drawing order (none without the ``bones`` layer)."""
    if "bones" not in layers:
        return ()
    sides = sides_shown(side, layers)
    return ("sacrum", *(f"hip_{s}" for s in sides), *(f"femur_{s}" for s in sides))


def legs_shown(side: str, layers: frozenset[str]) -> tuple[str, ...]:
    """Lower-leg bone ids drawn (``data.LEG_BONES``; none without the ``lower_legs`` layer).

    Each follows its femur with the knee straight; the other side's only with ``other_side``.
    """
    if "lower_legs" not in layers:
        return ()
    return tuple(f"{kind}_{s}" for s in sides_shown(side, layers) for kind in ("tibia_fibula", "patella"))


@dataclass(frozen=True)
class Item:
    """One mesh of a picture.

    Attributes
    ----------
    name : str
        Unique name, e.g. ``femur_right``, ``muscle_left``, ``fibres_right``, ``insertion_right``.
    kind : {"bone", "muscle", "ribbon", "tube", "structure"}
        A bone is the neutral mesh of ``name``; a tube is drawn along ``tube``.
    colour : (3,) float or None
        Flat colour in 0..1, or None for ``point_rgb``.
    matrix : (4, 4) float or None
        Placement of the neutral mesh (the femur and the insertion footprint).
    vertices : (n, 3) float or None
        mm (muscles and ribbons).
    faces : (f, 3) int or None
    normals : (n, 3) float or None
        Unit vertex normals of a muscle.
    point_rgb : (n, 3) uint8 or None
        Per-vertex colour of a muscle (its part colours).
    specular, opacity : float
    tube : Tube or None
    """

    name: str
    kind: str
    colour: tuple[float, float, float] | None = None
    matrix: np.ndarray | None = None
    vertices: np.ndarray | None = None
    faces: np.ndarray | None = None
    normals: np.ndarray | None = None
    point_rgb: np.ndarray | None = None
    specular: float = 0.0
    opacity: float = 1.0
    tube: Tube | None = None


@dataclass(frozen=True)
class Presentation:
    """Everything a picture shows, ready to draw.

    Attributes
    ----------
    background, text : str
        Theme colours ('#rrggbb').
    items : tuple of Item
        Meshes in drawing order.
    label_texts : tuple of str
    label_points : (labels, 3) float
        Anchors of the labels, mm (empty without the ``labels`` layer).
    camera : tuple of three (3,) float
        Position (mm), focal point (mm) and view-up.
    view_angle : float
        Vertical field of view, degrees.
    label_main : tuple of bool
        Which labels are emphasised (the muscle's name), per label.
    """

    background: str
    text: str
    items: tuple[Item, ...]
    label_texts: tuple[str, ...]
    label_points: np.ndarray
    camera: tuple[np.ndarray, np.ndarray, np.ndarray]
    view_angle: float
    label_main: tuple[bool, ...] = ()


def muscle_item(hip: Hip, side: str, surface: MuscleSurface, opacity: float = 1.0) -> Item:
    """The muscle of one side, coloured by part, with its vertex normals."""
    return Item(
        f"muscle_{side}",
        "muscle",
        vertices=surface.vertices,
        faces=surface.faces,
        normals=point_normals(surface.vertices, surface.faces),
        point_rgb=hip.part_rgb[surface.part],
        specular=hip.style["specular"]["muscle"],
        opacity=opacity,
    )


def structure_items(hip: Hip, posed: PosedHip, opts: SceneOptions) -> list[Item]:
    """The other soft tissue of the sides shown, each of its layer on (``contract.STRUCTURE_LAYERS``):
    the fan muscles (the moving side's in its pose, the other's at neutral) with their normals,
    and the bursa, tract and nerve at neutral with the femur's matrix when they follow it;
    named ``<id>_<side>``, coloured and translucent as ``parts`` (``opts.opacities`` first)."""
    items = []
    for s in sides_shown(posed.side, opts.layers):
        n = hip.neighbourhoods[s]
        pose = posed.pose if s == posed.side else Pose()
        surfaces: dict[str, MuscleSurface] = {}  # all of the side's at once, when one is drawn
        for sid, layer in contract.STRUCTURE_LAYERS.items():
            if sid == "gluteus_medius" or layer not in opts.layers:
                continue
            look = part_look(hip.style, contract.STRUCTURE_STYLE[sid])
            common = {"colour": rgb(look["colour"]), "specular": hip.style["specular"]["muscle"]}
            if sid in n.muscles:
                # the moving side's fans, posed once for their labels too (PosedHip.fans)
                surface = posed.fans.get(sid) if s == posed.side else None
                if surface is None:
                    surfaces = surfaces or n.surfaces(pose)
                    surface = surfaces[sid]
                v, f, matrix = surface.vertices, surface.faces, None
            else:
                r = n.rigid[sid]
                v, f = r.vertices, r.faces
                matrix = posed.femur[s] if r.follows == "femur" else None
            normals = point_normals(v, f)
            items.append(
                Item(
                    f"{sid}_{s}",
                    "structure",
                    matrix=matrix,
                    vertices=v,
                    faces=f,
                    normals=normals,
                    opacity=float(opts.opacities.get(layer, look["opacity"])),
                    **common,
                )
            )
    return items


def labels_shown(
    hip: Hip, posed: PosedHip, layers: frozenset[str]
) -> tuple[tuple[str, ...], np.ndarray, tuple[bool, ...]]:
    """The labels drawn with ``layers`` on (:func:`viewer.label_anchors.shown`): their texts,
    posed anchors ((labels, 3) float, mm; ``posed.anchors``, or derived from its muscle, femur
    and fans) and emphasis."""
    side = posed.side
    specs = hip.label_specs(side)
    keep = label_anchors.shown(specs, layers)
    anchors = posed.anchors
    if anchors is None:
        n = hip.neighbourhoods[side]
        fans = {
            sid: (posed.fans[sid] if sid in posed.fans else n.muscles[sid].surface(posed.pose)).vertices
            for sid in label_anchors.fans_labelled([s for s, k in zip(specs, keep, strict=True) if k])
        }
        anchors = label_anchors.label_anchors(specs, posed.muscles[side].vertices, posed.femur[side], fans)
    specs = [s for s, k in zip(specs, keep, strict=True) if k]
    return tuple(s["text"] for s in specs), anchors[keep], tuple(s["emphasis"] for s in specs)


def present(hip: Hip, posed: PosedHip, opts: SceneOptions, aspect: float = 16 / 9) -> Presentation:
    """What to draw of a posed hip for ``opts`` (layers, theme, view, muscle opacity).

    Parameters
    ----------
    hip : viewer.posed.Hip
        Style, label specs, part colours and the neutral muscles (footprints).
    posed : viewer.posed.PosedHip
        The hip in ``opts.pose``, with the other side if ``other_side`` is shown; its label
        anchors are used when present, else derived from its muscle and femur.
    opts : SceneOptions
    aspect : float
        Width / height of the picture, to frame the view preset (:func:`camera`).

    Returns
    -------
    Presentation
    """
    style, side = hip.style, posed.side
    items = [
        Item(
            name,
            "bone",
            colour=rgb(style["bone"]),
            # the moving femur and its lower leg (knee straight) move with the femur's matrix
            matrix=posed.femur[side] if name.endswith(f"_{side}") and not name.startswith("hip_") else None,
            specular=style["specular"]["bone"],
        )
        for name in (*bones_shown(side, opts.layers), *legs_shown(side, opts.layers))
    ]
    for s in sides_shown(side, opts.layers):
        surface = posed.muscles[s]
        if "muscle" in opts.layers:
            items.append(muscle_item(hip, s, surface, opts.muscle_opacity))
        if "fibres" in opts.layers:
            ribbons = posed.ribbons[s]
            items.append(
                Item(f"fibres_{s}", "ribbon", rgb(style["fibre"]), None, ribbons, hip.ribbon_faces(s))
            )
        if "footprints" in opts.layers:
            for key, tube in footprint_tubes(hip.neutral[s], style).items():
                matrix = posed.femur[s] if key == "insertion" else None  # fixed to the femur
                items.append(Item(f"{key}_{s}", "tube", rgb(style[f"{key}_footprint"]), matrix, tube=tube))
    items += structure_items(hip, posed, opts)
    if "labels" in opts.layers:
        texts, points, main = labels_shown(hip, posed, opts.layers)
    else:
        texts, points, main = (), np.empty((0, 3)), ()
    theme = contract.themes()[opts.theme]  # every theme of contract.THEMES, checked
    view = opts.view or contract.views()["default"]
    return Presentation(
        background=theme["background"],
        text=theme["text"],
        items=tuple(items),
        label_texts=texts,
        label_points=points,
        camera=camera(view, side, hip.frame_points(side), aspect),
        view_angle=contract.view_angle(),
        label_main=main,
    )
