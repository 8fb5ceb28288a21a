"""Off-screen exports: PNG screenshots, GIF/MP4 animations and posed geometry (glTF, PLY)."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.anatomy import SIDES, Pose
from viewer.scene import HipScene, SceneOptions, hex_rgb

MAX_SIZE = (3840, 2160)


class ExportError(Exception):
    """An output that cannot be written as asked (exists, missing folder, bad size)."""


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Validate an output size (width, height) in pixels."""
    w, h = (int(v) for v in size)
    if not (64 <= w <= MAX_SIZE[0] and 64 <= h <= MAX_SIZE[1]):
        raise ValueError(f"size {w}x{h} is outside 64x64..{MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return w, h


def check_output(path: Path, force: bool) -> Path:
    """Refuse to overwrite without ``force``; the folder must exist and be writable."""
    path = Path(path)
    if path.exists() and not force:
        raise ExportError(f"{path} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ExportError(f"folder {path.parent} is not writable")
    return path


def write_atomic(path: Path, write: Callable[[Path], None], force: bool = False) -> Path:
    """Write through ``write(tmp_path)`` into a temporary file beside ``path``, then rename.

    Nothing is left behind if writing fails, and an existing file is replaced
    only with ``force``.
    """
    path = check_output(path, force)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _apply_camera(plotter: pv.Plotter, camera: dict | None) -> None:
    if camera:
        plotter.camera_position = [
            tuple(camera["position"]),
            tuple(camera["focal_point"]),
            tuple(camera["view_up"]),
        ]
        plotter.camera.view_angle = float(camera.get("view_angle", 30.0))
        plotter.reset_camera_clipping_range()


def _add_labels(plotter: pv.Plotter, scene: HipScene, opts: SceneOptions, height: int) -> None:
    """Labels whose font grows with the image, so they stay legible in print."""
    theme = scene.style["themes"][opts.theme]
    size = max(12, round(22 * height / 1080))
    items = scene.label_points(opts.side, opts.pose)
    plotter.add_point_labels(
        np.array([p for _, p, _ in items]),
        [t for t, _, _ in items],
        font_size=size,
        point_size=max(6, size // 3),
        point_color=theme["text"],
        text_color=theme["text"],
        shape_color=theme["background"],
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
) -> np.ndarray:
    """Render the scene off-screen; returns an (h, w, 3 or 4) uint8 image."""
    w, h = check_size(size)
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        scene.populate(plotter, opts)
        if "labels" in opts.layers:
            _add_labels(plotter, scene, opts, h)
        _apply_camera(plotter, camera)
        return np.asarray(plotter.screenshot(transparent_background=transparent, return_img=True))
    finally:
        plotter.close()


def render_png(
    scene: HipScene,
    opts: SceneOptions,
    size: tuple[int, int] = (1920, 1080),
    camera: dict | None = None,
    transparent: bool = False,
) -> bytes:
    """Render the scene off-screen and return PNG bytes (see :func:`render_image`)."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(render_image(scene, opts, size, camera, transparent)).save(out, format="PNG")
    return out.getvalue()


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
    """Write the abduction animation as a looping GIF or an MP4 (there and back)."""
    import imageio.v3 as iio

    w, h = check_size(size)
    out = Path(out)
    if out.suffix.lower() not in (".gif", ".mp4"):
        raise ExportError(f"{out}: the animation must be .gif or .mp4")
    angles = np.linspace(start, stop, frames)
    angles = np.concatenate([angles, angles[-2:0:-1]])  # forth and back: loops smoothly
    poses = [Pose(float(a), opts.pose.flexion, opts.pose.rotation) for a in angles]  # validates
    images = []
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        first = SceneOptions(**{**opts.__dict__, "layers": opts.layers - {"labels"}, "pose": poses[0]})
        actors = scene.populate(plotter, first)
        for pose in poses:  # one scene, moved frame by frame
            scene.update_pose(actors, opts.side, pose)
            plotter.render()
            images.append(np.asarray(plotter.screenshot(return_img=True)))
    finally:
        plotter.close()

    def write(tmp: Path) -> None:
        if out.suffix.lower() == ".gif":
            iio.imwrite(tmp, np.stack(images), extension=".gif", duration=1000 / fps, loop=0)
        else:
            iio.imwrite(tmp, np.stack(images), extension=".mp4", fps=fps, codec="libx264")

    return write_atomic(out, write, force)


#: Part names in exported scenes.
EXPORT_NAMES = {
    "hip_right": "hip_bone_right",
    "hip_left": "hip_bone_left",
    "sacrum": "sacrum",
    "femur_right": "femur_right",
    "femur_left": "femur_left",
}


def posed_parts(scene: HipScene, pose: Pose, side: str) -> dict[str, dict]:
    """Posed geometry per exported part: vertices (mm), faces, colour and muscle part ids."""
    parts = {}
    for bone, name in EXPORT_NAMES.items():
        posed = Pose() if bone.startswith("femur") and not bone.endswith(side) else pose
        parts[name] = {
            "vertices": scene.model.posed_vertices(bone, posed),
            "faces": scene.model.bones[bone].faces,
            "color": scene.style["bone"],
        }
    for s in SIDES:
        m = scene.muscles[s].surface(pose if s == side else Pose())
        parts[f"gluteus_medius_{s}"] = {
            "vertices": m.vertices,
            "faces": m.faces,
            "color": scene.style["muscle_parts"]["middle"],
            "part": m.part,
        }
    return parts


def export_scene(scene: HipScene, out: Path, pose: Pose, side: str = "right", force: bool = False) -> Path:
    """Posed geometry as glTF binary (``.glb``, metres) or one PLY per part in a folder (mm).

    A JSON sidecar lists the parts, units, frame and pose. Muscle vertices carry
    their part id (0 anterior, 1 middle, 2 posterior): the PLY property ``part``,
    the glTF attribute ``_PART``.
    """
    import trimesh

    out = Path(out)
    parts = posed_parts(scene, pose, side)
    part_names = [p["id"] for p in scene.muscles["right"].parts]
    meta = {
        "frame": "ISB pelvis frame: origin midway between the ASISs, X anterior, Y superior, Z right",
        "pose_deg": {"abduction": pose.abduction, "flexion": pose.flexion, "rotation": pose.rotation},
        "posed_side": side,
        "muscle_part_ids": dict(enumerate(part_names)),
        "parts": {
            k: {"vertices": len(v["vertices"]), "triangles": len(v["faces"])} for k, v in parts.items()
        },
        "source": "bones: LLP26 mean atlas, musculoskeletal-models 0.2.4 (MPL-2.0); muscle: gmed-viewer",
    }

    def mesh(p, scale):
        m = trimesh.Trimesh(p["vertices"] * scale, p["faces"], process=False)
        rgba = [*(round(255 * c) for c in hex_rgb(p["color"])), 255]
        m.visual.vertex_colors = np.tile(rgba, (len(m.vertices), 1))
        return m

    if out.suffix.lower() == ".glb":
        meta["units"] = "m"
        gscene = trimesh.Scene()
        for name, p in parts.items():
            m = mesh(p, 0.001)
            if "part" in p:
                m.vertex_attributes["_PART"] = p["part"].astype(np.float32)
            gscene.add_geometry(m, node_name=name, geom_name=name)
        data = gscene.export(file_type="glb")
        write_atomic(out, lambda tmp: tmp.write_bytes(data), force)
        sidecar = out.with_suffix(".json")
        write_atomic(sidecar, lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), force)
        return out
    if out.suffix:
        raise ExportError(f"{out}: give a .glb file or a folder name for PLY files")
    if out.exists() and not force:
        raise ExportError(f"{out} exists; use --force to overwrite it")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist")
    out.mkdir(exist_ok=True)
    meta["units"] = "mm"
    for name, p in parts.items():
        m = mesh(p, 1.0)
        if "part" in p:
            m.vertex_attributes["part"] = p["part"].astype(np.int32)
        data = m.export(file_type="ply", encoding="binary", include_attributes=True)
        write_atomic(out / f"{name}.ply", lambda tmp, d=data: tmp.write_bytes(d), True)
    write_atomic(out / "scene.json", lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), True)
    return out
