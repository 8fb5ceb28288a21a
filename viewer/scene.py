"""PyVista scene of the hip: bone, muscle, fibre and footprint meshes, colours and cameras."""

from __future__ import annotations

import numpy as np
import pyvista as pv

from viewer import contract, data
from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscle import GluteusMedius, MuscleSurface
from viewer.options import LAYERS, SceneOptions  # noqa: F401  (re-exported)


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' -> (r, g, b) floats in 0..1."""
    c = colour.lstrip("#")
    return tuple(int(c[i : i + 2], 16) / 255.0 for i in (0, 2, 4))


def polydata(vertices: np.ndarray, faces: np.ndarray) -> pv.PolyData:
    """A PyVista surface from (n, 3) float vertices and (f, 3) int triangles."""
    return pv.PolyData.from_regular_faces(np.asarray(vertices, dtype=float), np.asarray(faces))


class HipScene:
    """Scene geometry built from the anatomy model, shared by exports and the app.

    Parameters
    ----------
    model : HipModel, optional
    """

    def __init__(self, model: HipModel | None = None):
        self.model = model if model is not None else HipModel()
        self.muscles = {side: GluteusMedius(self.model, side) for side in SIDES}
        self.style = data.annotation("style")
        views = data.annotation("views")
        self.views = {v["id"]: v for v in views["views"]}
        self.default_view = views["default"]
        if self.default_view not in self.views:
            raise data.DataError(
                f"annotations/views.json: default: {self.default_view!r} is not one of the view ids"
            )
        self.labels = data.annotation("labels")["labels"]
        self._bones = {
            name: polydata(b.vertices, b.faces).compute_normals(
                auto_orient_normals=False, consistent_normals=False, split_vertices=False
            )
            for name, b in self.model.bones.items()
        }

    # ------------------------------------------------------------------ geometry
    def bone(self, name: str) -> pv.PolyData:
        """Neutral bone surface with point normals (posed by the actor's matrix)."""
        return self._bones[name]

    def muscle(self, side: str, pose: Pose, surface: MuscleSurface | None = None) -> pv.PolyData:
        """Muscle surface with point normals and per-point ``part``, ``fibre_v`` and ``rgb`` arrays.

        ``surface`` is the muscle already regenerated for ``pose``, if the caller has it.
        """
        s = surface or self.muscles[side].surface(pose)
        mesh = polydata(s.vertices, s.faces)
        mesh.point_data["part"] = s.part.astype(np.int32)
        mesh.point_data["fibre_v"] = s.fibre_v
        mesh.point_data["rgb"] = self.part_rgb[s.part]
        mesh.point_data["Normals"] = _point_normals(s.vertices, s.faces)
        return mesh

    @property
    def part_rgb(self) -> np.ndarray:
        """(parts, 3) uint8 colour of each muscle part, in part order."""
        parts = self.muscles["right"].parts
        return np.array(
            [[round(255 * c) for c in hex_rgb(self.style["muscle_parts"][p["id"]])] for p in parts],
            dtype=np.uint8,
        )

    def fibre_rows(self, side: str) -> np.ndarray:
        """Indices of the fibres drawn as fibre lines."""
        m = self.muscles[side]
        k = m.params["resolution"]["fibre_lines"]
        return np.unique(np.linspace(0, m.nu - 1, k).round().astype(int))

    def fibre_ribbon_points(self, side: str, superficial: np.ndarray) -> np.ndarray:
        """Points ((k * nv * 2, 3) float) of narrow ribbons along the drawn fibres.

        Ribbons, not lines: WebGL draws lines one pixel wide, too thin for a
        projector. Each ribbon lies 0.4 mm over the outer surface and is
        ``fibre_width_mm`` wide across the fan.
        """
        rows = self.fibre_rows(side)
        normal = _sheet_normals(superficial)[rows]
        across = np.gradient(superficial, axis=0)[rows]
        across /= np.linalg.norm(across, axis=-1, keepdims=True)
        centre = superficial[rows] + 0.4 * normal
        half = 0.5 * self.style["fibre_width_mm"] * across
        return np.stack([centre - half, centre + half], axis=2).reshape(-1, 3)

    def fibre_ribbon_faces(self, side: str) -> np.ndarray:
        """Triangles ((f, 3) int) of the fibre ribbons, matching :meth:`fibre_ribbon_points`."""
        nv = self.muscles[side].nv
        k = len(self.fibre_rows(side))
        j = np.arange(nv - 1)
        one = np.concatenate(
            [np.column_stack([2 * j, 2 * j + 1, 2 * j + 3]), np.column_stack([2 * j, 2 * j + 3, 2 * j + 2])]
        )
        return np.concatenate([one + 2 * nv * i for i in range(k)])

    def fibres(self, side: str, pose: Pose, surface: MuscleSurface | None = None) -> pv.PolyData:
        """Fibre ribbons drawn on the muscle's outer surface, origin to insertion."""
        s = surface or self.muscles[side].surface(pose)
        return polydata(self.fibre_ribbon_points(side, s.superficial), self.fibre_ribbon_faces(side))

    def footprints(self, side: str, light: bool = False) -> dict[str, pv.PolyData]:
        """Origin and insertion footprints at neutral, as tubes along the attachment edges.

        The origin is fixed to the pelvis; the insertion moves with the femur's matrix.
        ``light``: about a third of the triangles (fewer samples and sides), for the browser's
        level of detail while the view moves.
        """
        s = self.muscles[side].surface(Pose())
        n_origin, n_insertion, sides = (40, 15, 6) if light else (80, 30, 10)
        edges = {"origin": (s.origin_edge, n_origin), "insertion": (s.insertion_edge, n_insertion)}
        tube = {"radius": 1.8, "n_sides": sides, "capping": True}
        return {name: pv.Spline(edge, n).tube(**tube) for name, (edge, n) in edges.items()}

    def camera(self, view: str, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Camera position, focal point and view-up for a preset."""
        if view not in self.views:
            raise ValueError(f"unknown view {view!r}; views: {', '.join(self.views)}")
        v = self.views[view]
        mirror = np.array([1.0, 1.0, 1.0 if side == "right" else -1.0])
        focal = self.model.hip_centre(side) + np.array([0.0, v["lift_mm"], 0.0])
        direction = np.asarray(v["direction"], dtype=float) * mirror
        direction /= np.linalg.norm(direction)
        return focal + v["distance_mm"] * direction, focal, np.asarray(v["up"], dtype=float) * mirror

    def label_specs(self, side: str) -> list[dict]:
        """Labels of ``annotations/labels.json`` with their anchors for one animated side.

        Each has ``attach``: ``muscle`` (a superficial vertex index, followed as the muscle
        changes), ``femur`` (a point at neutral, moved with the femur) or ``pelvis``, plus
        the outward ``normal`` there, used to tell whether the anchor faces the viewer.
        """
        m = self.muscles[side]
        out = []
        for lab in self.labels:
            anchor = lab["anchor"]
            if anchor.startswith("muscle:"):
                part = anchor.split(":")[1]
                v = lab.get("along", 0.45)
                p = next(p for p in m.parts if p["id"] == part)
                iu = int(np.argmin(np.abs(m.u - 0.5 * (p["from_u"] + p["to_u"]))))
                iv = int(np.argmin(np.abs(m.v - v)))
                # a vertex of the superficial sheet, followed frame by frame
                entry = {"attach": "muscle", "vertex": m.nu * m.nv + iu * m.nv + iv}
            else:
                key = anchor if anchor in self.model.definitions else f"{anchor}_{side}"
                if key not in self.model.definitions:
                    raise data.DataError(
                        f"annotations/labels.json: label {lab['id']!r}: unknown anchor {anchor!r}"
                    )
                d = self.model.definitions[key]
                pts = np.atleast_2d(self.model.landmark(key))
                # a point landmark itself; on a curve or region its most lateral point (outer lip)
                point = pts[np.argmax(pts[:, 2] * (1 if side == "right" else -1))]
                bone = self.model.bones[d["bone"]]
                normal = _vertex_normal(bone.vertices, bone.faces, point)
                entry = {
                    "attach": "femur" if d["bone"] == f"femur_{side}" else "pelvis",
                    "point": point.tolist(),
                    "normal": normal.tolist(),
                }
            out.append({"id": lab["id"], "text": lab["text"], "emphasis": bool(lab.get("emphasis")), **entry})
        return out

    def label_points(self, side: str, pose: Pose) -> list[tuple[str, np.ndarray, bool]]:
        """(text, posed 3D anchor, emphasis) of every label, for off-screen renders."""
        s = self.muscles[side].surface(pose)
        tf = self.model.femur_transform(side, pose)
        out = []
        for spec in self.label_specs(side):
            if spec["attach"] == "muscle":
                p = s.vertices[spec["vertex"]]
            elif spec["attach"] == "femur":
                p = tf[:3, :3] @ np.asarray(spec["point"]) + tf[:3, 3]
            else:
                p = np.asarray(spec["point"])
            out.append((spec["text"], p, spec["emphasis"]))
        return out

    # ------------------------------------------------------------------ rendering
    def populate(self, plotter: pv.Plotter, opts: SceneOptions) -> dict[str, pv.Actor]:
        """Add the scene's actors for ``opts`` to a plotter; returns them by name."""
        actors: dict[str, pv.Actor] = {}
        theme = self.style["themes"][opts.theme]
        plotter.set_background(theme["background"])
        sides = [opts.side] + ([o for o in SIDES if o != opts.side] if "other_side" in opts.layers else [])
        bone_colour = hex_rgb(self.style["bone"])
        if "bones" in opts.layers:
            for name in ("sacrum", *(f"hip_{s}" for s in sides), *(f"femur_{s}" for s in sides)):
                actor = plotter.add_mesh(
                    self.bone(name), color=bone_colour, smooth_shading=True, specular=0.15, name=name
                )
                if name == f"femur_{opts.side}":
                    actor.user_matrix = self.model.femur_transform(opts.side, opts.pose)
                actors[name] = actor
        for side in sides:
            pose = opts.pose if side == opts.side else Pose()
            surface = self.muscles[side].surface(pose)  # once per side, for muscle and fibres
            if "muscle" in opts.layers:
                actors[f"muscle_{side}"] = plotter.add_mesh(
                    self.muscle(side, pose, surface),
                    scalars="rgb",
                    rgb=True,
                    smooth_shading=True,
                    specular=0.25,
                    opacity=opts.muscle_opacity,
                    show_scalar_bar=False,
                    name=f"muscle_{side}",
                )
            if "fibres" in opts.layers:
                actors[f"fibres_{side}"] = plotter.add_mesh(
                    self.fibres(side, pose, surface),
                    color=hex_rgb(self.style["fibre"]),
                    smooth_shading=True,
                    name=f"fibres_{side}",
                )
            if "footprints" in opts.layers:
                for key, mesh in self.footprints(side).items():
                    actor = plotter.add_mesh(
                        mesh, color=hex_rgb(self.style[f"{key}_footprint"]), name=f"{key}_{side}"
                    )
                    if key == "insertion":  # fixed to the femur
                        actor.user_matrix = self.model.femur_transform(side, pose)
                    actors[f"{key}_{side}"] = actor
        position, focal, up = self.camera(opts.view or self.default_view, opts.side)
        plotter.camera_position = [tuple(position), tuple(focal), tuple(up)]
        plotter.camera.view_angle = contract.view_angle()
        plotter.reset_camera_clipping_range()
        return actors

    def update_pose(self, actors: dict[str, pv.Actor], side: str, pose: Pose) -> None:
        """Move the animated side of a populated scene to ``pose`` in place.

        Only what the pose changes is touched: the femur's and the insertion's
        matrices, and the points of the muscle and its fibres.
        """
        matrix = self.model.femur_transform(side, pose)
        for key in (f"femur_{side}", f"insertion_{side}"):
            if key in actors:
                actors[key].user_matrix = matrix
        s = self.muscles[side].surface(pose)
        if f"muscle_{side}" in actors:
            mesh = actors[f"muscle_{side}"].mapper.dataset
            mesh.points = s.vertices
            mesh.point_data["Normals"] = _point_normals(s.vertices, s.faces)
        if f"fibres_{side}" in actors:
            actors[f"fibres_{side}"].mapper.dataset.points = self.fibre_ribbon_points(side, s.superficial)


def _point_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals ((n, 3) float)."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(n, faces[:, k], fn)
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def _sheet_normals(grid: np.ndarray) -> np.ndarray:
    """Unit normals ((nu, nv, 3) float) of a grid sheet, turned to its superficial side."""
    n = np.cross(np.gradient(grid, axis=0), np.gradient(grid, axis=1))
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    centre = grid.reshape(-1, 3).mean(axis=0)
    # the outer side of the superficial sheet faces away from the bone under it
    if np.einsum("uvk,uvk->", n, grid - centre) < 0:
        n = -n
    return n


def _vertex_normal(vertices: np.ndarray, faces: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Outward normal of the surface near ``point`` (area-weighted over nearby triangles)."""
    tri = vertices[faces]
    centres = tri.mean(axis=1)
    near = np.linalg.norm(centres - point, axis=1) < 6.0
    n = np.cross(tri[near, 1] - tri[near, 0], tri[near, 2] - tri[near, 0]).sum(axis=0)
    return n / np.linalg.norm(n)
