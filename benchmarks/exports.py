"""Time the off-screen exports against a raw PyVista pipeline, in one run, and print the ratios.

(a) raw: the posed geometry exported to a GLB (``export_scene``), loaded with trimesh, one
``add_mesh`` per part, a first 1920x1080 render, then 58 frames at 800x600 (the camera turning)
encoded as a GIF with imageio's defaults; (b) ours: ``gmed screenshot`` at 1920x1080 and
3840x2160 with labels, the 58-frame abduction GIF (``animate`` with ``frames=30``) and the
handout. The machine is shared, so only the ratios ours/raw of one run are comparable.

Run: python benchmarks/exports.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from viewer.anatomy import Pose
from viewer.export import animate, export_scene, handout, render_png
from viewer.scene import LAYERS, HipScene, SceneOptions


def raw(scene: HipScene, folder: Path) -> dict[str, float]:
    """The raw pipeline: GLB -> trimesh -> one add_mesh per part; times in seconds."""
    import imageio.v3 as iio
    import pyvista as pv
    import trimesh

    out: dict[str, float] = {}
    t = time.perf_counter()
    glb = export_scene(scene, folder / "hip.glb", Pose(20))
    out["export-scene GLB"] = time.perf_counter() - t
    t = time.perf_counter()
    loaded = trimesh.load(glb)
    plotter = pv.Plotter(off_screen=True, window_size=(1920, 1080))
    for name, mesh in loaded.geometry.items():
        colour = mesh.visual.vertex_colors[0, :3] / 255.0
        plotter.add_mesh(pv.wrap(mesh), color=colour, smooth_shading=True, name=name)
    plotter.view_zy()
    out["set-up"] = time.perf_counter() - t
    try:
        t = time.perf_counter()
        plotter.screenshot(return_img=True)
        out["first 1920x1080 render"] = time.perf_counter() - t
        plotter.window_size = (800, 600)
        images = []
        t = time.perf_counter()
        for _ in range(58):
            plotter.camera.azimuth = plotter.camera.azimuth + 1.0
            plotter.render()
            images.append(np.asarray(plotter.screenshot(return_img=True)))
        out["58 frames 800x600"] = time.perf_counter() - t
    finally:
        plotter.close()
    t = time.perf_counter()
    iio.imwrite(folder / "raw.gif", np.stack(images), extension=".gif", duration=50, loop=0)
    out["GIF encoding"] = time.perf_counter() - t
    return out


def ours(scene: HipScene, folder: Path) -> dict[str, float]:
    """Our exports of a scene already built; times in seconds."""
    out: dict[str, float] = {}
    opts = SceneOptions(pose=Pose(20), view="lateral", layers=frozenset(LAYERS))
    for size in ((1920, 1080), (3840, 2160)):
        t = time.perf_counter()
        png = render_png(scene, opts, size)
        out[f"screenshot {size[0]}x{size[1]} with labels"] = time.perf_counter() - t
        print(f"  ({size[0]}x{size[1]} PNG: {len(png) / 1e6:.2f} MB)")
    t = time.perf_counter()
    gif = animate(scene, folder / "abd.gif", SceneOptions(), frames=30, fps=20, size=(800, 600))
    out["GIF 800x600, 58 frames"] = time.perf_counter() - t
    print(f"  (GIF: {gif.stat().st_size / 1e6:.2f} MB)")
    t = time.perf_counter()
    pdf = handout(scene, folder / "handout.pdf")
    out["handout A4 PDF"] = time.perf_counter() - t
    print(f"  (handout: {pdf.stat().st_size / 1e6:.2f} MB)")
    return out


def warm_up() -> None:
    """Open the off-screen GL context once, so that neither side pays for it."""
    import pyvista as pv

    plotter = pv.Plotter(off_screen=True, window_size=(64, 64))
    plotter.add_mesh(pv.Sphere())
    plotter.screenshot(return_img=True)
    plotter.close()


def main() -> None:
    warm_up()
    t0 = time.perf_counter()
    scene = HipScene()
    print(f"scene set-up (HipScene())           : {time.perf_counter() - t0:6.2f} s")
    with tempfile.TemporaryDirectory() as d:
        print("raw pipeline")
        r = raw(scene, Path(d))
        for k, v in r.items():
            print(f"  {k:34s}: {v:6.2f} s")
        print("ours")
        o = ours(scene, Path(d))
        for k, v in o.items():
            print(f"  {k:34s}: {v:6.2f} s")
    raw_gif = r["58 frames 800x600"] + r["GIF encoding"]
    shot = o["screenshot 1920x1080 with labels"]
    print("ratios ours/raw (target <= 1.3)")
    print(f"  screenshot 1920x1080 / first render: {shot / r['first 1920x1080 render']:6.2f}")
    print(f"  GIF / (58 frames + encoding)       : {o['GIF 800x600, 58 frames'] / raw_gif:6.2f}")


if __name__ == "__main__":
    main()
