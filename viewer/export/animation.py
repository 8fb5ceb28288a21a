"""Abduction animations: one scene moved frame by frame, a GIF (one shared palette) or an MP4."""

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


class GifFrames:
    """Frames of a GIF, each mapped onto one shared palette as soon as it is rendered.

    The palette (256 colours, median cut) is made from the first frame, which shows every
    colour of the animation: the same bones, muscle and background throughout. Mapping a
    frame onto it takes a few milliseconds, where a palette of its own per frame (imageio's
    default) takes about 60 ms; the file is also smaller, with one colour table.
    """

    def __init__(self):
        self._frames = []

    def add(self, image: np.ndarray) -> None:
        """Add an (h, w, 3) uint8 frame."""
        from PIL import Image

        im = Image.fromarray(image)
        if self._frames:
            im = im.quantize(palette=self._frames[0], dither=Image.Dither.NONE)
        else:
            im = im.quantize(256)
        self._frames.append(im)

    def write(self, path: Path, fps: float, comment: str | None = None) -> None:
        """Write the looping GIF, ``fps`` frames per second, with ``comment`` (ASCII) as its comment
        extension (none by default)."""
        first, *rest = self._frames
        extra = {"comment": comment.encode("ascii")} if comment else {}
        first.save(
            path, format="GIF", save_all=True, append_images=rest, duration=1000 / fps, loop=0, **extra
        )


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
    comment: str | None = None,
) -> Path:
    """Write the abduction animation as a looping GIF or an MP4 (there and back).

    One scene is drawn once and moved to each pose (the femur's matrix, the muscle's and
    the fibres' points); labels are left out. GIF frames share one palette; ``comment``
    (ASCII) is the GIF's comment or the MP4's ``comment`` metadata.
    """
    w, h = check_size(size)
    out = Path(out)
    gif = out.suffix.lower() == ".gif"
    if not gif and out.suffix.lower() != ".mp4":
        raise ExportError(f"{out}: the animation must be .gif or .mp4")
    check_output(out, force)  # before rendering, not after
    poses = abduction_poses(opts, start, stop, frames)
    first = replace(opts, layers=opts.layers - {"labels"}, pose=poses[0])
    encoder = GifFrames() if gif else None
    images = []
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        actors = scene.populate(plotter, first)
        for i, pose in enumerate(poses):  # one scene, moved frame by frame
            if i:
                scene.update_pose(actors, opts.side, pose)
            plotter.render()
            image = np.asarray(plotter.screenshot(return_img=True))
            if encoder is not None:
                encoder.add(image)
            else:
                images.append(image)
    finally:
        plotter.close()

    def write(tmp: Path) -> None:
        if encoder is not None:
            encoder.write(tmp, fps, comment)
        else:
            write_mp4(tmp, images, fps, comment)

    return write_atomic(out, write, force)


def weakening(lo: float = 10.0, frames: int = 30) -> list[float]:
    """Strengths (%) of the weakening sequence: 100 down to ``lo`` in ``frames`` steps and back up,
    without repeating either end, so that it loops: ``2 * frames - 2`` values."""
    down = np.linspace(100.0, lo, frames)
    return [float(s) for s in np.concatenate([down, down[-2:0:-1]])]


def animate_stance(
    stance_scene,
    out: Path,
    side: str = "right",
    lean_deg: float = 0.0,
    frames: int = 30,
    fps: int = 12,
    size: tuple[int, int] = (800, 600),
    theme: str = "light",
    view: str | None = None,
    force: bool = False,
    comment: str | None = None,
) -> Path:
    """Write the weakening sequence of single-leg stance (strength 100 -> 10 -> 100 %) as a looping
    GIF or an MP4, with one camera that frames every frame (``stance_scene``: a
    :class:`viewer.stance_scene.StanceScene`); ``comment`` (ASCII) is the GIF's comment."""
    from viewer.mechanics.stance import StanceInput

    out, size = _check_animation(out, size, force)
    inputs = [StanceInput(side=side, strength_pct=s, lean_deg=lean_deg) for s in weakening(frames=frames)]
    return _write_frames(stance_scene.frames(inputs, size, theme, view), out, fps, force, comment)


def _write_presentations(
    scene: HipScene, shown: list, out: Path, size: tuple[int, int], fps: int, force: bool, comment: str | None
) -> Path:
    """Draw the first presentation, move it to each of ``shown`` (the bones' matrices, the
    muscles' points, normals and opacity: the same items in every frame) and write the frames
    as a looping GIF or an MP4."""
    w, h = size
    images = []
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        actors = scene.draw(plotter, shown[0])
        for pres in shown:  # one scene, moved frame by frame
            for item in pres.items:
                actor = actors[item.name]
                if item.kind == "bone":
                    actor.user_matrix = item.matrix
                elif item.kind in ("muscle", "structure") and item.vertices is not None:
                    mesh = actor.mapper.dataset
                    mesh.points = item.vertices
                    mesh.point_data["Normals"] = item.normals
                    actor.prop.opacity = item.opacity
            plotter.render()
            images.append(np.asarray(plotter.screenshot(return_img=True)))
    finally:
        plotter.close()
    return _write_frames(images, out, fps, force, comment)


def _write_frames(images: list[np.ndarray], out: Path, fps: int, force: bool, comment: str | None) -> Path:
    """Write (h, w, 3) uint8 frames atomically as a looping GIF (one shared palette, ``comment``
    as its comment) or an MP4 (H.264, ``comment`` in its metadata), by ``out``'s suffix."""

    def write(tmp: Path) -> None:
        if out.suffix.lower() == ".gif":
            encoder = GifFrames()
            for image in images:
                encoder.add(image)
            encoder.write(tmp, fps, comment)
        else:
            write_mp4(tmp, images, fps, comment)

    return write_atomic(out, write, force)


def write_mp4(path: Path, images: list[np.ndarray], fps: float, comment: str | None = None) -> None:
    """(h, w, 3) uint8 frames as an H.264 MP4 at ``path``, with ``comment`` (such as the
    shape) as the file's ``comment`` metadata, which players and ``ffprobe`` show."""
    import imageio.v3 as iio

    extra = {"output_params": ["-metadata", f"comment={comment}"]} if comment else {}
    iio.imwrite(path, np.stack(images), extension=".mp4", fps=fps, codec="libx264", **extra)


def _check_animation(out: Path, size: tuple[int, int], force: bool) -> tuple[Path, tuple[int, int]]:
    size = check_size(size)
    out = Path(out)
    if out.suffix.lower() not in (".gif", ".mp4"):
        raise ExportError(f"{out}: the animation must be .gif or .mp4")
    check_output(out, force)  # before rendering, not after
    return out, size


def animate_exercise(
    scene: HipScene,
    ex,
    out: Path,
    side: str = "right",
    frames: int = 30,
    fps: int = 12,
    size: tuple[int, int] = (800, 600),
    theme: str = "light",
    view: str | None = None,
    force: bool = False,
    comment: str | None = None,
) -> Path:
    """Write one repetition of an exercise (``ex``: a :class:`viewer.mechanics.exercises.Exercise`)
    worked by the ``side`` leg as a looping GIF or an MP4: ``frames`` poses through its key
    frames (:meth:`~viewer.mechanics.exercises.Exercise.timeline`, the last, which repeats the
    first, left out), in the room, with one floor and one camera
    (:func:`viewer.exercise_presentation.present_sequence`)."""
    from viewer.exercise_presentation import present_sequence

    out, (w, h) = _check_animation(out, size, force)
    poses = ex.timeline(frames + 1)[:-1]
    shown = present_sequence(scene.hip, ex, poses, side, theme, view, w / h)
    return _write_presentations(scene, shown, out, (w, h), fps, force, comment)


def animate_gait(
    scene: HipScene,
    gait,
    out: Path,
    frames: int = 30,
    fps: int = 20,
    size: tuple[int, int] = (800, 600),
    theme: str = "light",
    force: bool = False,
    comment: str | None = None,
) -> Path:
    """Write one gait cycle (``gait``: a :class:`viewer.mechanics.gait.Gait`) in ``frames``
    frames as a looping GIF or an MP4, seen from behind, each gluteus medius lit while it is
    active (:func:`viewer.gait_presentation.present_gait`)."""
    from viewer.gait_presentation import present_gait

    out, (w, h) = _check_animation(out, size, force)
    shown = present_gait(scene.hip, gait.frames(frames), theme, w / h)
    return _write_presentations(scene, shown, out, (w, h), fps, force, comment)
