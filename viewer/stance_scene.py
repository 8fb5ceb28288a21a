"""PyVista pictures of single-leg stance: bones, muscles, force arrows, floor and centre of mass."""

from __future__ import annotations

import textwrap

import numpy as np
import pyvista as pv

from viewer.export.files import check_size
from viewer.scene import HipScene
from viewer.stance_presentation import (
    Arrow,
    StancePresentation,
    frontal_camera,
    label_font_px,
    present_stance,
)


def arrow_mesh(a: Arrow, shaft_mm: float) -> pv.PolyData:
    """An arrow of ``a.vector``'s length from ``a.start``: shaft and tip of fixed sizes in mm."""
    length = float(np.linalg.norm(a.vector))
    tip = min(0.45, 6 * shaft_mm / length)
    return pv.Arrow(
        start=a.start,
        direction=a.vector,
        scale=length,
        tip_length=tip,
        tip_radius=2.6 * shaft_mm / length,
        shaft_radius=shaft_mm / length,
        tip_resolution=24,
        shaft_resolution=16,
    )


class StanceScene:
    """Single-leg stance drawn with PyVista for the exports (built once).

    Parameters
    ----------
    scene : HipScene, optional
        The hip scene whose model, muscles and bone meshes are shared.
    """

    def __init__(self, scene: HipScene | None = None):
        from viewer.mechanics.stance import stance_model

        self.scene = scene if scene is not None else HipScene()
        self.hip = self.scene.hip
        self.model = stance_model(self.hip)

    def present(
        self,
        inp,
        theme: str = "light",
        view: str | None = None,
        aspect: float = 16 / 9,
        label_scale: float = 1.0,
    ):
        """Solve ``inp`` (a ``StanceInput``) and present it; returns (result, presentation)."""
        result = self.model.solve(inp)
        return result, present_stance(self.hip, result, theme, view, aspect, label_scale)

    def draw(self, plotter: pv.Plotter, pres: StancePresentation) -> dict[str, pv.Actor]:
        """Add everything of a stance presentation to a plotter and aim its camera; returns the actors."""
        actors = self.scene.draw(plotter, pres.base)
        plotter.enable_parallel_projection()
        plotter.camera.parallel_scale = pres.parallel_scale
        for a in pres.arrows:
            actors[f"arrow_{a.name}"] = plotter.add_mesh(
                arrow_mesh(a, pres.shaft_mm), color=a.colour, smooth_shading=True, name=f"arrow_{a.name}"
            )
        (x0, y0, z0), (x1, y1, z1) = pres.floor
        actors["floor"] = plotter.add_mesh(
            pv.Box(bounds=(x0, x1, y0, y1, z0, z1)), color=pres.floor_colour, name="floor"
        )
        actors["com"] = plotter.add_mesh(
            pv.Sphere(radius=pres.com_radius_mm, center=pres.com), color=pres.com_colour, name="com"
        )
        plumb = pv.Line(*pres.plumb).tube(radius=0.25 * pres.shaft_mm, n_sides=8)
        actors["plumb"] = plotter.add_mesh(plumb, color=pres.com_colour, opacity=0.6, name="plumb")
        trunk = pv.Line(*pres.trunk).tube(radius=1.2 * pres.shaft_mm, n_sides=12)
        actors["trunk"] = plotter.add_mesh(trunk, color=pres.floor_colour, name="trunk")
        return actors

    def add_labels(
        self,
        plotter: pv.Plotter,
        pres: StancePresentation,
        height: int,
        scale: float = 1.0,
        legend: bool = True,
    ) -> None:
        """The arrows' labels and (``legend``) the legend; fonts grow with the image (``height`` px)."""
        size = label_font_px(height, scale)
        for a in pres.arrows:
            plotter.add_point_labels(
                a.label_point[None],
                [a.label],
                font_size=size,
                text_color=a.colour,
                shape_color=pres.base.background,
                shape_opacity=0.8,
                show_points=False,
                justification_horizontal="left" if a.on_right else "right",
                always_visible=True,
                name=f"label_{a.name}",
            )
        if legend:
            plotter.add_text(
                textwrap.fill(pres.legend, 100),
                position="lower_left",
                font_size=max(7, round(size * 0.55)),
                color=pres.base.text,
            )

    def render(
        self,
        inp,
        size: tuple[int, int] = (1920, 1080),
        theme: str = "light",
        view: str | None = None,
        camera: dict | None = None,
        transparent: bool = False,
        label_scale: float = 1.0,
        legend: bool = True,
    ) -> np.ndarray:
        """Render one stance off-screen; returns an (h, w, 3 or 4) uint8 image."""
        from viewer.export.render import apply_camera

        w, h = check_size(size)
        _, pres = self.present(inp, theme, view, aspect=w / h, label_scale=label_scale)
        plotter = pv.Plotter(off_screen=True, window_size=(w, h))
        try:
            self.draw(plotter, pres)
            self.add_labels(plotter, pres, h, label_scale, legend)
            apply_camera(plotter, camera)
            return np.asarray(plotter.screenshot(transparent_background=transparent, return_img=True))
        finally:
            plotter.close()

    def frames(
        self, inputs: list, size: tuple[int, int], theme: str = "light", view: str | None = None
    ) -> list[np.ndarray]:
        """Render a sequence of stances with one camera that frames them all; (h, w, 3) uint8 each."""
        w, h = check_size(size)
        shown = [self.present(inp, theme, view, aspect=w / h)[1] for inp in inputs]
        lo = np.min([p.bounds[0] for p in shown], axis=0)
        hi = np.max([p.bounds[1] for p in shown], axis=0)
        first = shown[0]
        direction = first.base.camera[0] - first.base.camera[1]
        position, focal, up, scale = frontal_camera(
            lo, hi, direction, first.base.view_angle, w / h, first.margin
        )
        images = []
        plotter = pv.Plotter(off_screen=True, window_size=(w, h))
        try:
            for pres in shown:
                plotter.clear_actors()
                self.draw(plotter, pres)
                self.add_labels(plotter, pres, h)
                plotter.camera_position = [tuple(position), tuple(focal), tuple(up)]
                plotter.camera.parallel_scale = scale
                plotter.reset_camera_clipping_range()
                images.append(np.asarray(plotter.screenshot(return_img=True)))
        finally:
            plotter.close()
        return images
