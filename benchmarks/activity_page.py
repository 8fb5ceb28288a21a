"""Exercises and walking in Chromium: the time to pose and draw one frame of each exercise and gait.

Opens the offline page (``gmed export-html``) from file:// in the system Chromium, and for each
exercise and gait variant scrubs ``--steps`` phases through ``window.gmed.setPhase``. It prints,
per activity, the median time the page spends posing a frame (``gmedStats.activityMs``: the
twin's matrices, both gluteus medius and their neighbours regenerated, normals) and the median
time from the call to the drawn frame (the render included; software WebGL on a machine
without a graphics card).

    python benchmarks/activity_page.py [--steps 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"]

SCRUB = """async ([steps]) => {
  const pose = [], drawn = [];
  for (let k = 0; k <= steps; k++) {
    const t0 = performance.now();
    await window.gmed.setPhase(k / steps);
    drawn.push(performance.now() - t0);
    pose.push(window.gmedStats.activityMs);
  }
  return { pose, drawn };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from viewer.app.standalone import export_html
    from viewer.mechanics import exercises
    from viewer.mechanics.gait import VARIANTS

    with tempfile.TemporaryDirectory() as d, sync_playwright() as pw:
        page_file = export_html(Path(d) / "gmed.html")
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector(".gmed-ready", timeout=120_000)
        page.evaluate("window.gmed.ready")
        print(f"{'activity':<28} {'pose ms (median)':>17} {'call to drawn ms (median)':>26}")
        runs = [("setExercise", e) for e in exercises.ids()] + [("setGait", v) for v in VARIANTS]
        for call, name in runs:
            page.evaluate(f"window.gmed.{call}({name!r})")
            got = page.evaluate(SCRUB, [args.steps])
            pose, drawn = statistics.median(got["pose"]), statistics.median(got["drawn"])
            print(f"{name:<28} {pose:>17.1f} {drawn:>26.1f}")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
