"""Abduction animations: one scene moved frame by frame, written as a GIF or an MP4."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.anatomy import Pose
from viewer.export.files import ExportError, check_output, check_size, write_atomic
from viewer.scene import HipScene, SceneOptions


def abduction_poses(opts: SceneOptions, start: float, stop: float, frames: int) -> list[Pose]:
    """``frames`` abduction angles from ``start`` to ``stop`` (degrees) and back, without repeating
    either end, so the animation loops smoothly: ``2 * frames - 2`` poses."""
    angles = np.linspace(start, stop, frames)
    angles = np.concatenate([angles, angles[-2:0:-1]])
    return [Pose(float(a), opts.pose.flexion, opts.pose.rotation) for a in angles]  # validates


def animate(
    scene: HipScene,
    out: Path,
    opts: SceneOptions,
    start: float = -15.0,
    stop: float = 45.0,
    frames: int = 36,
    fps: int = 12,
    size: tuple[int, int] = (800, 600),
    force: bool = False,
) -> Path:
    """Write the abduction animation as a looping GIF or an MP4 (there and back).

    One scene is drawn once and moved to each pose (the femur's matrix, the muscle's and
    the fibres' points); labels are left out.
    """
    w, h = check_size(size)
    out = Path(out)
    gif = out.suffix.lower() == ".gif"
    if not gif and out.suffix.lower() != ".mp4":
        raise ExportError(f"{out}: the animation must be .gif or .mp4")
    check_output(out, force)  # before rendering, not after
    poses = abduction_poses(opts, start, stop, frames)
    first = replace(opts, layers=opts.layers - {"labels"}, pose=poses[0])
    images = []
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        actors = scene.populate(plotter, first)
        for i, pose in enumerate(poses):  # one scene, moved frame by frame
            if i:
                scene.update_pose(actors, opts.side, pose)
            plotter.render()
            images.append(np.asarray(plotter.screenshot(return_img=True)))
    finally:
        plotter.close()

    def write(tmp: Path) -> None:
        import imageio.v3 as iio

        if gif:
            iio.imwrite(tmp, np.stack(images), extension=".gif", duration=1000 / fps, loop=0)
        else:
            iio.imwrite(tmp, np.stack(images), extension=".mp4", fps=fps, codec="libx264")

    return write_atomic(out, write, force)
