"""The Stance mode in headless Chromium: the weakening playback's frame rate, the page's time per stance."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pagejs
from playwright.sync_api import sync_playwright
from revision import HERE

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

METHOD = """\
Run: python benchmarks/stance.py [--seconds 6] [--stances 60] [--size 1600x900]

The offline page (`gmed export-html` of this tree) opened from file:// in /usr/bin/chromium
--headless --disable-gpu (software WebGL), one page, switched to Stance mode by
window.gmed.setStance({mode: "stance"}).
  playback: the weakening (strength 100 % -> 10 % -> 100 %, started with the Play button
      after 2 s at rest) for --seconds s: renders/s and stances computed/s
      (gmedStats.renders, gmedStats.playFrames); "as shipped": light bones at a lower
      resolution while it plays (HipView.lod "auto"); "full": HipView.lod "off".
  per stance: gmedStats.stanceSolveMs (stanceModel.js solve: the equilibrium and its
      figures) and gmedStats.stanceMs (solve + both muscles regenerated with normals, the
      bones' matrices, floor, trunk and arrows) over --stances window.gmed.setStance calls
      (strength and lean varied), each drawn; median, p95 and max.
Target (issue #13): the weakening playback at >= 30 fps on this machine."""


def playback(page, seconds: float, lod: str) -> dict:
    pagejs.set_lod(page, lod)
    page.locator(".gmed-stance-controls .gmed-play").click()
    time.sleep(2.0)
    get = (
        "({r: gmedStats.renders, p: gmedStats.playFrames || 0, t: performance.now(), ms: gmedStats.stanceMs})"
    )
    a = page.evaluate(get)
    ms = []
    t_end = time.time() + seconds
    while time.time() < t_end:
        ms.append(page.evaluate("gmedStats.stanceMs"))
        time.sleep(0.1)
    b = page.evaluate(get)
    page.locator(".gmed-stance-controls .gmed-play").click()
    time.sleep(1.0)
    pagejs.set_lod(page, "auto")
    dt = (b["t"] - a["t"]) / 1000
    return {"fps": (b["r"] - a["r"]) / dt, "stances": (b["p"] - a["p"]) / dt, "ms": statistics.median(ms)}


def per_stance(page, n: int) -> dict:
    got = page.evaluate(
        """async (n) => {
      const solve = [], all = [];
      for (let i = 0; i < n; i++) {
        const x = (i * 0.618034) % 1;
        await window.gmed.setStance({ strength: 100 * x, lean: 30 * ((i * 0.381966) % 1) });
        solve.push(gmedStats.stanceSolveMs); all.push(gmedStats.stanceMs);
      }
      return { solve, all };
    }""",
        n,
    )

    def stats(v):
        v = sorted(v[1:])
        return {"median": statistics.median(v), "p95": v[int(0.95 * (len(v) - 1))], "max": v[-1]}

    return {k: stats(v) for k, v in got.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, epilog=METHOD, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--stances", type=int, default=60)
    ap.add_argument("--size", default="1600x900")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.split("x"))
    with tempfile.TemporaryDirectory() as d, sync_playwright() as p:
        html = Path(d) / "gmed.html"
        mb = pagejs.export_page(HERE, html, Path(d) / "cache")
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": w, "height": h})
        page.goto(html.as_uri())
        page.wait_for_function("window.gmedStats && window.gmedStats.fullDetailAt > 0", timeout=120_000)
        page.evaluate("window.gmed.setStance({mode: 'stance'})")
        time.sleep(1.0)
        shipped = playback(page, args.seconds, "auto")
        full = playback(page, args.seconds, "off")
        pose = per_stance(page, args.stances)
        browser.close()
    print(METHOD, end="\n\n")
    print(f"offline page: {mb:.1f} MB; view {w} x {h}")
    for name, r in (("as shipped (light while playing)", shipped), ("full detail (lod off)", full)):
        print(
            f"weakening playback, {name}: {r['fps']:.0f} fps, {r['stances']:.0f} stances/s, "
            f"{r['ms']:.1f} ms per stance"
        )
    for name, key in (
        ("stance solve (stanceModel.js)", "solve"),
        ("stance drawn (solve + muscles + scene)", "all"),
    ):
        s = pose[key]
        print(f"{name}: {s['median']:.2f} ms median, {s['p95']:.2f} p95, {s['max']:.2f} max")
    ok = shipped["fps"] >= 30
    print(f"target >= 30 fps: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
