"""Off-screen exports: PNG screenshots rendered by PyVista from the same scene state."""

from __future__ import annotations

import numpy as np
import pyvista as pv

from viewer.scene import HipScene, SceneOptions

MAX_SIZE = (3840, 2160)


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Validate an output size (width, height) in pixels."""
    w, h = (int(v) for v in size)
    if not (64 <= w <= MAX_SIZE[0] and 64 <= h <= MAX_SIZE[1]):
        raise ValueError(f"size {w}x{h} is outside 64x64..{MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return w, h


def render_png(
    scene: HipScene,
    opts: SceneOptions,
    size: tuple[int, int] = (1920, 1080),
    camera: dict | None = None,
    transparent: bool = False,
) -> bytes:
    """Render the scene off-screen and return PNG bytes.

    Parameters
    ----------
    scene : HipScene
    opts : SceneOptions
    size : (int, int)
        Width and height in pixels, up to 3840 x 2160.
    camera : dict, optional
        ``position``, ``focal_point``, ``view_up`` and ``view_angle`` (as the
        browser reports them); the view preset of ``opts`` otherwise.
    transparent : bool
    """
    import io

    from PIL import Image

    w, h = check_size(size)
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        scene.populate(plotter, opts)
        if camera:
            plotter.camera_position = [
                tuple(camera["position"]),
                tuple(camera["focal_point"]),
                tuple(camera["view_up"]),
            ]
            plotter.camera.view_angle = float(camera.get("view_angle", 30.0))
            plotter.reset_camera_clipping_range()
        img = plotter.screenshot(transparent_background=transparent, return_img=True)
    finally:
        plotter.close()
    out = io.BytesIO()
    Image.fromarray(np.asarray(img)).save(out, format="PNG")
    return out.getvalue()
