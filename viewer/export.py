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

from viewer import contract, data
from viewer.anatomy import SIDES, Pose
from viewer.presentation import rgb
from viewer.scene import HipScene, SceneOptions

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
        plotter.camera.view_angle = float(camera.get("view_angle", contract.view_angle()))
        plotter.reset_camera_clipping_range()


def _add_labels(plotter: pv.Plotter, scene: HipScene, opts: SceneOptions, height: int, scale: float) -> None:
    """Labels whose font grows with the image, so they stay legible in print."""
    theme = scene.style["themes"][opts.theme]
    size = max(12, round(22 * scale * height / 1080))
    pres = scene.present(opts)
    plotter.add_point_labels(
        pres.label_points,
        list(pres.label_texts),
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
    label_scale: float = 1.0,
) -> np.ndarray:
    """Render the scene off-screen; returns an (h, w, 3 or 4) uint8 image.

    ``label_scale`` enlarges the labels for pictures printed small (handouts).
    """
    w, h = check_size(size)
    plotter = pv.Plotter(off_screen=True, window_size=(w, h))
    try:
        scene.populate(plotter, opts)
        if "labels" in opts.layers:
            _add_labels(plotter, scene, opts, h, label_scale)
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
        rgba = [*(round(255 * c) for c in rgb(p["color"])), 255]
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
        glb = gscene.export(file_type="glb")
        write_atomic(out, lambda tmp: tmp.write_bytes(glb), force)
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
        ply = m.export(file_type="ply", encoding="binary", include_attributes=True)
        write_atomic(out / f"{name}.ply", lambda tmp, d=ply: tmp.write_bytes(d), True)
    write_atomic(out / "scene.json", lambda tmp: tmp.write_text(json.dumps(meta, indent=2)), True)
    return out


#: Paper sizes in inches (width, height), portrait.
PAPER = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}


def handout(
    scene: HipScene,
    out: Path,
    side: str = "right",
    angles: tuple[float, float, float] = (0.0, 20.0, 40.0),
    paper: str = "a4",
    force: bool = False,
) -> Path:
    """A one-page handout (PDF with a text layer, or PNG at 300 dpi).

    Three lateral views at ``angles`` of abduction with labels, a small posterior
    view, the facts from ``annotations/texts.json``, the length and moment-arm
    table for the poses shown, and the source and licence line of the bones.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import rcParams

    out = Path(out)
    if out.suffix.lower() not in (".pdf", ".png"):
        raise ExportError(f"{out}: the handout must be .pdf or .png")
    if paper not in PAPER:
        raise ExportError(f"unknown paper {paper!r}; choose from {', '.join(PAPER)}")
    check_output(out, force)
    texts = data.annotation("texts")
    muscle = scene.muscles[side]
    layers = frozenset({"bones", "muscle", "fibres", "footprints", "labels"})
    views = [
        _crop(
            render_image(
                scene,
                SceneOptions(pose=Pose(a), side=side, view="lateral", theme="print", layers=layers),
                size=(1400, 1600),
                label_scale=1.5,
            )
        )
        for a in angles
    ]
    posterior = SceneOptions(
        pose=Pose(angles[-1]), side=side, view="posterior", theme="print", layers=layers - {"labels"}
    )
    back = _crop(render_image(scene, posterior, size=(1400, 1100)))
    rows = []
    for a in angles:
        lengths, arms = muscle.lengths(Pose(a)), muscle.moment_arms(Pose(a))
        rows.append(
            [f"{a:g}°"]
            + [f"{lengths[p]:.0f} / {arms[p]:.0f}" for p in ("anterior", "middle", "posterior", "whole")]
        )

    rcParams["pdf.fonttype"] = 42  # real text in the PDF, selectable and searchable
    w, h = PAPER[paper]
    fig = plt.figure(figsize=(w, h), dpi=300)
    fig.text(0.06, 0.965, texts["title"], fontsize=22, weight="bold", va="top")
    fig.text(
        0.06, 0.935, f"{texts['subtitle']} ({side} side, lateral view)", fontsize=11, va="top", style="italic"
    )
    for i, (a, img) in enumerate(zip(angles, views, strict=True)):
        ax = fig.add_axes((0.04 + i * 0.31, 0.60, 0.30, 0.29))
        ax.imshow(img)
        ax.set_axis_off()
        ax.set_title(f"{a:g}° abduction", fontsize=11)
    ax = fig.add_axes((0.62, 0.33, 0.34, 0.24))
    ax.imshow(back)
    ax.set_axis_off()
    ax.set_title(f"Posterior view, {angles[-1]:g}° abduction", fontsize=9)
    y = 0.575
    line = 8 * 1.25 / 72 / h  # one line of 8 pt text, as a fraction of the page height
    for s in texts["sections"]:
        fig.text(0.06, y, s["heading"], fontsize=9, weight="bold", va="top")
        body = _wrap(s["text"], 78)
        fig.text(0.06, y - 1.3 * line, body, fontsize=8, va="top", linespacing=1.25)
        y -= (2.1 + body.count("\n") + 0.8) * line
    tab = fig.add_axes((0.06, 0.055, 0.88, 0.11))
    tab.set_axis_off()
    table = tab.table(
        cellText=rows,
        colLabels=["Abduction", "Anterior", "Middle", "Posterior", "Whole muscle"],
        loc="center",
        cellLoc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.4)
    fig.text(
        0.06, 0.17,
        "Muscle length along the fibres / abduction moment arm about the hip joint centre (mm), "
        "computed from the 3D geometry",
        fontsize=8.5, va="bottom", style="italic",
    )  # fmt: skip
    fig.text(0.06, 0.018, _wrap("Sources: " + "; ".join(texts["sources"]), 150), fontsize=6.5, va="bottom")

    def write(tmp: Path) -> None:
        fig.savefig(tmp, format=out.suffix.lower()[1:], dpi=300)

    try:
        return write_atomic(out, write, force)
    finally:
        plt.close(fig)


def _crop(img: np.ndarray, margin: int = 12) -> np.ndarray:
    """Trim the white border around a rendered picture."""
    ink = (img[..., :3] < 245).any(axis=-1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return img
    r0, r1 = max(0, rows[0] - margin), min(img.shape[0], rows[-1] + margin)
    c0, c1 = max(0, cols[0] - margin), min(img.shape[1], cols[-1] + margin)
    return img[r0:r1, c0:c1]


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
