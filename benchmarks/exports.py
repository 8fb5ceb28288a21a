"""Time the off-screen exports: 1920x1080 and 3840x2160 screenshots, a GIF, the handout.

Run: python benchmarks/exports.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from viewer.anatomy import Pose
from viewer.export import animate, handout, render_png
from viewer.scene import LAYERS, HipScene, SceneOptions


def main() -> None:
    t0 = time.perf_counter()
    scene = HipScene()
    print(f"scene set-up                 : {time.perf_counter() - t0:6.2f} s")
    opts = SceneOptions(pose=Pose(20), view="lateral", layers=frozenset(LAYERS))
    for size in ((1920, 1080), (3840, 2160)):
        t = time.perf_counter()
        png = render_png(scene, opts, size)
        dt = time.perf_counter() - t
        print(f"screenshot {size[0]}x{size[1]} with labels: {dt:6.2f} s, {len(png) / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        out = animate(scene, Path(d) / "abd.gif", SceneOptions(), frames=30, fps=20, size=(800, 600))
        dt = time.perf_counter() - t
        print(f"GIF 800x600, 58 frames       : {dt:6.2f} s, {out.stat().st_size / 1e6:.2f} MB")
        t = time.perf_counter()
        pdf = handout(scene, Path(d) / "handout.pdf")
        dt = time.perf_counter() - t
        print(f"handout A4 PDF               : {dt:6.2f} s, {pdf.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
