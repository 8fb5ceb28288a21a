"""Off-screen pictures of the hip: PNG screenshots with labels, rendered once per pose."""

from __future__ import annotations

import io

import numpy as np
import pyvista as pv

from viewer import contract
from viewer.export.files import check_size
from viewer.posed import PosedHip
from viewer.presentation import Presentation
from viewer.scene import HipScene, SceneOptions


def apply_camera(plotter: pv.Plotter, camera: dict | None) -> None:
    """Aim the plotter's camera (``position``, ``focal_point``, ``view_up``, mm; ``view_angle``)."""
    if camera:
        plotter.camera_position = [
            tuple(camera["position"]),
            tuple(camera["focal_point"]),
            tuple(camera["view_up"]),
        ]
        plotter.camera.view_angle = float(camera.get("view_angle", contract.view_angle()))
        plotter.reset_camera_clipping_range()


def add_labels(plotter: pv.Plotter, pres: Presentation, height: int, scale: float) -> None:
    """Labels whose font grows with the image (``height`` pixels), so they stay legible in print."""
    size = max(12, round(22 * scale * height / 1080))
    plotter.add_point_labels(
        pres.label_points,
        list(pres.label_texts),
        font_size=size,
        point_size=max(6, size // 3),
        point_color=pres.text,
        text_color=pres.text,
        shape_color=pres.background,
        shape_opacity=0.85,
        render_points_as_spheres=True,
        always_visible=True,
        name="labels",
    )


def render_image(
    scene: HipScene,
    opts: SceneOptions,
    size: tuple[int, int] = (1920, 1080),
    camera: dict | None = None,
    transparent: bool = False,
    label_scale: float = 1.0,
    posed: PosedHip | None = None,
) -> np.ndarray:
    """Render the scene off-screen; returns an (h, w, 3 or 4) uint8 image.

    The hip is posed once (``posed``, or computed from ``opts``), presented, then drawn.
    ``label_scale`` enlarges the labels for pictures printed small (handouts).
    """
    w, h = check_size(size)
    pres = scene.present(opts, posed)
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        scene.draw(plotter, pres)
        if "labels" in opts.layers:
            add_labels(plotter, pres, h, label_scale)
        apply_camera(plotter, camera)
        return np.asarray(plotter.screenshot(transparent_background=transparent, return_img=True))
    finally:
        plotter.close()


def png_bytes(image: np.ndarray) -> bytes:
    """PNG bytes of an (h, w, 3 or 4) uint8 image.

    zlib level 1: the same pixels, encoded in about half the time of the default level 6
    (0.05 s instead of 0.10 s at 1920x1080), for a file about a quarter larger.
    """
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render_png(
    scene: HipScene,
    opts: SceneOptions,
    size: tuple[int, int] = (1920, 1080),
    camera: dict | None = None,
    transparent: bool = False,
) -> bytes:
    """Render the scene off-screen and return PNG bytes (see :func:`render_image`)."""
    return png_bytes(render_image(scene, opts, size, camera, transparent))
