"""Run the view's JS modules (viewer/app/js/) under Node.js: for test_js, test_twin and benchmarks/twin."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from viewer import twin

NODE = "/usr/bin/node"
JS_DIR = Path(__file__).resolve().parent.parent / "viewer" / "app" / "js"
#: what the JS twin needs, in bundle order (hipview.JS_MODULES puts util.js first)
TWIN_MODULES = ("util.js", "muscleModel.js")


def find_node() -> str | None:
    """Path of ``node`` (on PATH, else /usr/bin/node), or None."""
    return shutil.which("node") or (NODE if Path(NODE).exists() else None)


def require_node() -> str:
    """Path of ``node``; the test fails, naming what is missing, without it (never skipped)."""
    found = find_node()
    if not found:
        pytest.fail(
            "node (v18+) is needed to run the view's JS modules: not found on PATH or at /usr/bin/node"
        )
    return found


def modules(*names: str) -> str:
    """Some of the view's files as one module, exports kept (the harness follows them)."""
    return "\n".join((JS_DIR / n).read_text(encoding="utf-8") for n in names)


def run(node: str, tmp_path: Path, source: str, **data) -> dict:
    """Run ``source`` as an ES module; ``data`` (bytes or JSON values) is in ``DATA`` (bytes
    as a Node Buffer); what the module writes with ``out(...)`` comes back as JSON."""
    inputs = {}
    for key, value in data.items():
        if isinstance(value, bytes):
            (tmp_path / f"{key}.bin").write_bytes(value)
            inputs[key] = {"bin": str(tmp_path / f"{key}.bin")}
        else:
            inputs[key] = {"json": value}
    harness = (
        'import { readFileSync as __read } from "node:fs";\n'
        f"const __inputs = {json.dumps(inputs)};\n"
        "const DATA = Object.fromEntries(Object.entries(__inputs).map(([k, v]) => "
        "[k, v.bin ? __read(v.bin) : v.json]));\n"
        "const out = (v) => console.log(JSON.stringify(v, (k, x) => "
        "(ArrayBuffer.isView(x) ? Array.from(x) : x)));\n"
    )
    script = tmp_path / "test.mjs"
    script.write_text(harness + source, encoding="utf-8")
    done = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- the muscle twin
#: Reads a config (argv[2]): twin data per side (bytes as {"$bin": path}), poses, what to do.
#: Writes each side's results as float64 files into cfg.out and prints timings (ms per pose).
TWIN_HARNESS = r"""
import { readFileSync, writeFileSync } from "node:fs";
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const load = (x) => Array.isArray(x) ? x.map(load)
  : x && typeof x === "object" ? (x.$bin ? readFileSync(x.$bin)
    : Object.fromEntries(Object.entries(x).map(([k, v]) => [k, load(v)]))) : x;
const models = cfg.twins.map((t) => newMuscleModel(load(t)));
const poses = cfg.poses.map(([abduction, flexion, rotation]) => ({ abduction, flexion, rotation }));
const JOINTS = ["abduction", "flexion", "rotation"];
const n = poses.length;
if (cfg.write) {
  models.forEach((m, s) => {
    const np = m.parts.length + 1, nvert = 2 * m.nu * m.nv * 3, nrib = m.rows.length * m.nv * 6;
    const res = { matrix: new Float64Array(n * 16), vertices: new Float64Array(n * nvert),
                  ribbons: new Float64Array(n * nrib), turn: new Float64Array(n),
                  readout: new Float64Array(cfg.readout ? n * 4 * np : 0) };
    poses.forEach((p, i) => {
      m.femurMatrix(p, res.matrix.subarray(16 * i, 16 * (i + 1)));
      const surf = m.surface(p, res.vertices.subarray(nvert * i, nvert * (i + 1)));
      res.turn[i] = surf.turn;
      m.ribbons(surf.superficial, res.ribbons.subarray(nrib * i, nrib * (i + 1)));
      if (cfg.readout) {
        const r = m.readout(p);
        const rows = [r.by_part.length_mm, ...JOINTS.map((j) => r.by_part.moment_arm_mm[j])];
        const ids = [...m.parts, "whole"];
        rows.forEach((row, q) => ids.forEach((id, k) => { res.readout[(4 * i + q) * np + k] = row[id]; }));
        if (r.length_mm !== r.by_part.length_mm.whole) throw new Error("length_mm is not by_part whole");
        for (const j of JOINTS) {
          if (r.moment_arm_mm[j] !== r.by_part.moment_arm_mm[j].whole) throw new Error(`${j} is not whole`);
        }
      }
    });
    for (const [key, a] of Object.entries(res)) writeFileSync(`${cfg.out}/${s}.${key}.bin`, a);
  });
}
const timing = {};
if (cfg.repeat > 0) {
  const bufs = models.map((m) => ({
    v: new Float64Array(2 * m.nu * m.nv * 3),
    r: new Float64Array(m.rows.length * m.nv * 6),
    f: new Float64Array(16),
  }));
  const one = (s, p, readout) => {
    const m = models[s], b = bufs[s];
    m.femurMatrix(p, b.f);
    m.ribbons(m.surface(p, b.v).superficial, b.r);
    if (readout) m.readout(p);
  };
  const time = (sides, readout) => {
    for (const p of poses.slice(0, 20)) for (const s of sides) one(s, p, readout); // warm up
    const t0 = performance.now();
    for (let k = 0; k < cfg.repeat; k++) for (const p of poses) for (const s of sides) one(s, p, readout);
    return (performance.now() - t0) / (cfg.repeat * n);
  };
  const all = models.map((_, s) => s);
  timing.one_side = time([0], false);
  timing.one_side_readout = time([0], true);
  timing.both_sides = time(all, false);
  timing.both_sides_readout = time(all, true);
}
console.log(JSON.stringify(timing));
"""


def _files(value, folder: Path, name: str):
    """Twin data with bytes written to files and replaced by {"$bin": path}."""
    if isinstance(value, dict):
        return {k: _files(v, folder, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, bytes):
        path = folder / f"{name}.bin"
        path.write_bytes(value)
        return {"$bin": str(path)}
    return value


def run_twin(
    node: str,
    folder: Path,
    twins: list[dict],
    poses: list[tuple[float, float, float]],
    binary: bool = True,
    readout: bool = True,
    write: bool = True,
    repeat: int = 0,
) -> tuple[list[dict], dict]:
    """The JS twin (muscleModel.js) under node, for some sides and poses.

    Parameters
    ----------
    twins : list of dict
        ``viewer.twin.twin_data`` of each side.
    poses : list of (abduction, flexion, rotation), degrees
    binary : bool
        Send the arrays as bytes (:func:`viewer.twin.as_binary`), else as JSON lists.
    readout : bool
        Also compute the read-out of every pose.
    write : bool
        Return the results; with ``repeat`` > 0 the poses are also timed that many times.

    Returns
    -------
    results : list of dict
        Per side: ``matrix`` (n, 16) column-major, ``vertices`` (n, 2 nu nv, 3),
        ``ribbons`` (n, k nv 2, 3), ``turn`` (n,), and ``readout`` (n, 4, parts + 1): lengths,
        then the moment arms about abduction, flexion and rotation, by part and whole (mm).
    timing : dict
        ms per pose: ``one_side`` (femur matrix, surface and ribbons), ``one_side_readout``,
        ``both_sides``, ``both_sides_readout``; empty unless ``repeat`` > 0.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sent = [
        _files(twin.as_binary(t), folder, f"twin{s}") if binary else twin.as_json(t)
        for s, t in enumerate(twins)
    ]
    cfg = {
        "twins": sent,
        "poses": [[float(x) for x in p] for p in poses],
        "readout": readout,
        "write": write,
        "repeat": repeat,
        "out": str(folder),
    }
    (folder / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    script = folder / "twin.mjs"
    script.write_text(modules(*TWIN_MODULES) + TWIN_HARNESS, encoding="utf-8")
    done = subprocess.run(
        [node, str(script), str(folder / "config.json")], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    results = []
    if write:
        n = len(poses)
        for s, t in enumerate(twins):
            read = lambda key, s=s: np.fromfile(folder / f"{s}.{key}.bin", "<f8")  # noqa: E731
            results.append(
                {
                    "matrix": read("matrix").reshape(n, 16),
                    "vertices": read("vertices").reshape(n, -1, 3),
                    "ribbons": read("ribbons").reshape(n, -1, 3),
                    "turn": read("turn"),
                    "readout": read("readout").reshape(n, 4, len(t["parts"]) + 1) if readout else None,
                }
            )
    return results, timing
