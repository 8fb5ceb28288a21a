"""PyVista actors of the hip, drawn from a presentation (``viewer.presentation``) and moved per pose."""

from __future__ import annotations

import ctypes.util
import os

import numpy as np
import pyvista as pv

from viewer import contract, presentation
from viewer.anatomy import HipModel, Pose
from viewer.options import LAYERS, SceneOptions  # noqa: F401  (re-exported)
from viewer.posed import Hip, PosedHip, pose_hip
from viewer.presentation import Item, Presentation, Tube


def headless_gl() -> None:
    """With no display, ask VTK for its EGL window at once (where libEGL exists).

    VTK otherwise tries X first and prints a "bad X server connection" warning before it
    falls back, which reads like an error to someone who just asked for a screenshot.
    A choice already made in ``VTK_DEFAULT_OPENGL_WINDOW`` is kept.
    """
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ and ctypes.util.find_library("EGL"):
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"


headless_gl()


def polydata(vertices: np.ndarray, faces: np.ndarray) -> pv.PolyData:
    """A PyVista surface from (n, 3) float vertices and (f, 3) int triangles."""
    return pv.PolyData.from_regular_faces(np.asarray(vertices, dtype=float), np.asarray(faces))


def tube(t: Tube) -> pv.PolyData:
    """A capped tube along a spline through ``t.path``."""
    return pv.Spline(t.path, t.samples).tube(radius=t.radius, n_sides=t.sides, capping=True)


class HipScene:
    """The hip drawn with PyVista, shared by the exports and the app (built once).

    Parameters
    ----------
    model : HipModel, optional

    Attributes
    ----------
    hip : viewer.posed.Hip
        The model, both muscles, style and labels.
    views : dict
        Camera presets by id; ``default_view`` is the default one.
    """

    def __init__(self, model: HipModel | None = None):
        self.hip = Hip(model)
        self.model, self.muscles = self.hip.model, self.hip.muscles
        self.style, self.labels = self.hip.style, self.hip.labels
        self.views = presentation.views()
        self.default_view = contract.views()["default"]
        self._bones: dict[str, pv.PolyData] = {}
        self._tubes: dict[tuple, pv.PolyData] = {}

    # ------------------------------------------------------------------ meshes
    def bone(self, name: str) -> pv.PolyData:
        """Neutral bone surface with point normals (posed by the actor's matrix), made once."""
        if name not in self._bones:
            b = self.model.bones[name]
            self._bones[name] = polydata(b.vertices, b.faces).compute_normals(
                auto_orient_normals=False, consistent_normals=False, split_vertices=False
            )
        return self._bones[name]

    def footprints(self, side: str, light: bool = False) -> dict[str, pv.PolyData]:
        """Origin and insertion footprints at neutral, as tubes along the attachment edges.

        ``light``: the browser's level of detail while the view moves (fewer samples and sides).
        """
        tubes = presentation.footprint_tubes(self.hip.neutral[side], self.style, light)
        return {name: self._tube(f"{name}_{side}", t) for name, t in tubes.items()}

    def _tube(self, name: str, t: Tube) -> pv.PolyData:
        key = (name, t.samples, t.sides, t.radius)
        if key not in self._tubes:  # footprints are neutral: each tube is made once
            self._tubes[key] = tube(t)
        return self._tubes[key]

    def camera(
        self, view: str, side: str, aspect: float = 16 / 9
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Camera position, focal point and view-up for a preset, framed for an ``aspect`` picture."""
        return presentation.camera(view, side, self.hip.frame_points(side), aspect)

    def view_fit(self, view: str, side: str) -> dict:
        """How a preset frames the side for any aspect (:func:`viewer.presentation.view_fit`)."""
        return presentation.view_fit(view, side, self.hip.frame_points(side))

    def label_specs(self, side: str) -> list[dict]:
        """Labels with their anchors for one animated side (:meth:`viewer.posed.Hip.label_specs`)."""
        return self.hip.label_specs(side)

    # ------------------------------------------------------------------ one pass
    def posed(self, opts: SceneOptions, readout: bool = False) -> PosedHip:
        """The hip in ``opts.pose``, computed once for everything ``opts`` shows."""
        return pose_hip(
            self.hip,
            opts.side,
            opts.pose,
            other_side="other_side" in opts.layers,
            anchors="labels" in opts.layers,
            readout=readout,
        )

    def present(
        self, opts: SceneOptions, posed: PosedHip | None = None, aspect: float = 16 / 9
    ) -> Presentation:
        """What to draw for ``opts`` in an ``aspect`` picture, from ``posed`` (computed when not given)."""
        posed = posed if posed is not None else self.posed(opts)
        return presentation.present(self.hip, posed, opts, aspect)

    def populate(
        self, plotter: pv.Plotter, opts: SceneOptions, posed: PosedHip | None = None
    ) -> dict[str, pv.Actor]:
        """Add the scene's actors for ``opts`` to a plotter (no labels), framed for the plotter's
        window; returns them by name."""
        w, h = plotter.window_size
        return self.draw(plotter, self.present(opts, posed, w / h))

    def draw(self, plotter: pv.Plotter, pres: Presentation) -> dict[str, pv.Actor]:
        """Add the meshes of a presentation to a plotter and aim its camera; returns the actors."""
        plotter.set_background(pres.background)
        actors = {item.name: self._add(plotter, item) for item in pres.items}
        position, focal, up = pres.camera
        plotter.camera_position = [tuple(position), tuple(focal), tuple(up)]
        plotter.camera.view_angle = pres.view_angle
        plotter.reset_camera_clipping_range()
        return actors

    def _add(self, plotter: pv.Plotter, item: Item) -> pv.Actor:
        if item.kind == "bone":
            mesh = self.bone(item.name)
            actor = plotter.add_mesh(
                mesh, color=item.colour, smooth_shading=True, specular=item.specular, name=item.name
            )
        elif item.kind == "muscle":
            mesh = polydata(item.vertices, item.faces)
            mesh.point_data["rgb"] = item.point_rgb
            mesh.point_data["Normals"] = item.normals
            actor = plotter.add_mesh(
                mesh,
                scalars="rgb",
                rgb=True,
                smooth_shading=True,
                specular=item.specular,
                opacity=item.opacity,
                show_scalar_bar=False,
                name=item.name,
            )
        elif item.kind == "structure":
            mesh = polydata(item.vertices, item.faces)
            mesh.point_data["Normals"] = item.normals
            actor = plotter.add_mesh(
                mesh,
                color=item.colour,
                smooth_shading=True,
                specular=item.specular,
                opacity=item.opacity,
                name=item.name,
            )
        elif item.kind == "ribbon":
            mesh = polydata(item.vertices, item.faces)
            actor = plotter.add_mesh(mesh, color=item.colour, smooth_shading=True, name=item.name)
        else:
            actor = plotter.add_mesh(self._tube(item.name, item.tube), color=item.colour, name=item.name)
        if item.matrix is not None:
            actor.user_matrix = item.matrix
        return actor

    def update_pose(self, actors: dict[str, pv.Actor], side: str, pose: Pose) -> None:
        """Move the animated side of a populated scene to ``pose`` in place."""
        self.apply(actors, pose_hip(self.hip, side, pose, other_side=False))

    def apply(self, actors: dict[str, pv.Actor], posed: PosedHip) -> None:
        """Move the animated side of a populated scene to a posed hip, in place.

        Only what the pose changes is touched: the matrices of the femur, its lower leg
        and the insertion, and the points of the muscle and its fibres.
        """
        side = posed.side
        for key in (f"femur_{side}", f"tibia_fibula_{side}", f"patella_{side}", f"insertion_{side}"):
            if key in actors:
                actors[key].user_matrix = posed.femur[side]
        s = posed.muscles[side]
        if f"muscle_{side}" in actors:
            mesh = actors[f"muscle_{side}"].mapper.dataset
            mesh.points = s.vertices
            mesh.point_data["Normals"] = presentation.point_normals(s.vertices, s.faces)
        if f"fibres_{side}" in actors:
            actors[f"fibres_{side}"].mapper.dataset.points = posed.ribbons[side]
        n = self.hip.neighbourhoods[side]
        for sid, m in n.muscles.items():  # the other fan muscles
            if f"{sid}_{side}" in actors:
                v = m.surface(posed.pose)
                mesh = actors[f"{sid}_{side}"].mapper.dataset
                mesh.points = v.vertices
                mesh.point_data["Normals"] = presentation.point_normals(v.vertices, v.faces)
        for sid, r in n.rigid.items():
            if f"{sid}_{side}" in actors and r.follows == "femur":
                actors[f"{sid}_{side}"].user_matrix = posed.femur[side]
