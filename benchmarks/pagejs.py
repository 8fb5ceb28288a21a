"""In-page measures: the page's own pose code timed in Chromium, and the offline page from file://."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from revision import tree_env

#: ``export`` at a line start, as viewer/app/hipview.py drops it when it joins the modules
EXPORT = re.compile(r"^export (?=(?:async\s+)?function\b|const\b|let\b|class\b)", re.MULTILINE)
#: the page's pose code (viewer/app/js): poseModel.write is what frames.js runs per pose
POSE_MODULES = ("util.js", "muscleModel.js", "poseModel.js")

#: the view's data model in the page (the Bokeh model holding scene_data)
FIND_MODEL = """(() => {
  for (const d of Bokeh.documents) for (const m of d.all_models)
    if (m.scene_data !== undefined && m.lod !== undefined) return m;
  throw new Error("no HipView model in the page");
})()"""

#: ``poses`` random poses through poseModel.write for each side, ``repeat`` timed passes
TIME_POSES = """(async () => {
  const lib = (() => { %(src)s
    return { newPoseModel, U32 }; })();
  const hip = %(model)s, sd = hip.scene_data, range = hip.contract.pose_range;
  const n = %(poses)d, repeat = %(repeat)d, sides = Object.keys(sd.sides);
  let seed = 12345;  // Park-Miller: the same poses every run
  const rnd = () => (seed = (seed * 16807) %% 2147483647) / 2147483647;
  const angle = (j) => range[j][0] + rnd() * (range[j][1] - range[j][0]);
  const base = [];
  for (let i = 0; i < n; i++) {
    base.push({ abduction: angle("abduction"), flexion: angle("flexion"), rotation: angle("rotation") });
  }
  const models = {}, targets = {}, poses = {};
  const block = (k) => ({ points: new Float32Array(k), normals: new Float32Array(k) });
  for (const side of sides) {
    const pm = lib.newPoseModel();
    pm.setScene(sd);
    const muscle = sd.sides[side].muscle;
    pm.setTopology({ muscleTris: lib.U32(muscle.tris), ribbonTris: lib.U32(muscle.ribbon_tris) });
    models[side] = pm;
    targets[side] = { muscle: block(sd.layout.muscle), ribbon: block(sd.layout.ribbon) };
    poses[side] = base.map((p) => ({ side, ...p }));
  }
  const pass = (which, readout) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      for (const side of which) models[side].write(poses[side][i], targets[side], readout);
    }
    return (performance.now() - t0) / n;
  };
  pass(sides, true);  // warm-up: the muscle models built, the code compiled
  const out = { one: [], one_readout: [], both: [], both_readout: [] };
  for (let r = 0; r < repeat; r++) {
    out.one.push(pass([sides[0]], false));
    out.one_readout.push(pass([sides[0]], true));
    out.both.push(pass(sides, false));
    out.both_readout.push(pass(sides, true));
  }
  return out;
})()"""

#: gmedStats.poseMs after each of ``poses`` gmed.setPose calls per side (each drawn)
SET_POSES = """async ({ poses }) => {
  const range = (%(model)s).contract.pose_range, out = {};
  const at = (j, x) => range[j][0] + x * (range[j][1] - range[j][0]);
  for (const side of ["right", "left"]) {
    out[side] = [];
    for (let i = 0; i < poses; i++) {
      const x = ((i * 0.618034) %% 1);
      const pose = { side, abduction: at("abduction", x), flexion: at("flexion", 1 - x) };
      await window.gmed.setPose({ ...pose, rotation: at("rotation", x) });
      out[side].push(window.gmedStats.poseMs);
    }
  }
  return out;
}"""


def pose_source(tree: Path) -> str:
    """The page's pose modules of ``tree`` joined as view.js's bundle joins them (no exports)."""
    js = tree / "viewer" / "app" / "js"
    return EXPORT.sub("", "\n".join((js / name).read_text(encoding="utf-8") for name in POSE_MODULES))


def time_poses(page, tree: Path, poses: int = 200, repeat: int = 5) -> dict:
    """ms per pose of the page's own code (poseModel.write: femur matrix, surface, ribbons and
    normals, with or without the read-out), one side and both sides; median of ``repeat``."""
    expr = TIME_POSES % {"src": pose_source(tree), "model": FIND_MODEL, "poses": poses, "repeat": repeat}
    out = page.evaluate(expr)
    return {k: statistics.median(v) for k, v in out.items()}


def pose_ms_via_api(page, poses: int = 40) -> dict:
    """gmedStats.poseMs (frames.show: the pose computed into the drawn buffers and the light
    meshes; the read-out too before it waited for the frame) over ``poses`` window.gmed.setPose
    calls per side; the first of each side (its muscle model is built then) left out."""
    out = page.evaluate(SET_POSES % {"model": FIND_MODEL}, {"poses": poses})
    ms = [x for side in out.values() for x in side[1:] if x is not None]
    return {"median": statistics.median(ms), "p95": sorted(ms)[int(0.95 * (len(ms) - 1))], "max": max(ms)}


def set_lod(page, value: str) -> None:
    """HipView.lod in the page ("auto", "off", "always"), as Python would set it."""
    page.evaluate(f"{FIND_MODEL}.lod = {json.dumps(value)}")


def export_page(tree: Path, out: Path, cache_dir: Path, timeout: float = 900) -> float:
    """``gmed export-html out`` with the code of ``tree``; its size in MB."""
    env = {**os.environ, **tree_env(tree, cache_dir)}
    subprocess.run(
        [sys.executable, "-m", "viewer.cli", "export-html", str(out)],
        cwd=tree,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
    )
    return out.stat().st_size / 2**20


def open_offline(browser, path: Path) -> dict:
    """Open ``path`` from file:// in a fresh offline context, every network request blocked:
    seconds from the navigation to its first frame and to full detail, and blocked requests."""
    context = browser.new_context(offline=True, viewport={"width": 1600, "height": 900})
    blocked = []

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(https?|wss?)://"), block)
    try:
        page = context.new_page()
        wall0 = time.time()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.gmedStats && window.gmedStats.fullDetailAt > 0", timeout=120_000)
        first, full = page.evaluate(
            "[gmedStats.firstRenderAt, gmedStats.fullDetailAt].map((t) => performance.timeOrigin + t)"
        )
        return {"first_s": first / 1000 - wall0, "full_s": full / 1000 - wall0, "blocked": len(blocked)}
    finally:
        context.close()
