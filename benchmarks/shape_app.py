"""Time a new shape in the app: the server's build (Python) and gmed.setShape in Chromium.

Run: python benchmarks/shape_app.py [--repeat 3] [--browser]

Python (the app's build worker, ``viewer.app.shape_section._build``): a shape never built
before, each repeat a different one (modes 1-5 at varied SD): bones re-seated with the knee,
muscles of both sides, the page's payload (meshes, muscle, stance and exercise models) and
the shape's measures. Then a shape built before (kept for every session, ``SHAPED_KEPT``).
Printed: median ms, and the payload's size (MB of binary buffers).

--browser: the same through a real server and /usr/bin/chromium (software WebGL):
``await gmed.setShape(...)`` from the call until the shape is drawn (the promise resolves
after the frame), for new shapes and for a kept one, and the websocket bytes received; then
the Mode 1 slider dragged with the mouse: from each move to the frame after the shape's
preview bones arrived (``viewer.app.shape_preview``, ``js/shapePreview.js``).
Targets (issue #16): a new shape in <= 100 ms in Python, a slider drag shown in <= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time


def shapes(n: int, offset: float):
    from viewer.shape import Shape

    return [Shape(tuple(round(((i + j) % 5 - 2) * 0.6 + offset, 2) for j in range(5))) for i in range(n)]


def payload_mb(static: dict) -> float:
    def size(x) -> int:
        if isinstance(x, bytes):
            return len(x)
        if isinstance(x, dict):
            return sum(size(v) for v in x.values())
        if isinstance(x, list):
            return sum(size(v) for v in x)
        return 0

    return size(static) / 1e6


def python_side(repeat: int) -> None:
    from viewer.app.payload import shaped_scene, shared_scene
    from viewer.app.shape_section import _build
    from viewer.shape import Shape

    shared_scene().static  # noqa: B018  (the mean, built at the server's start)
    _build(Shape(), "right")
    new, kept = [], []
    for shape in shapes(repeat, 0.1):
        t0 = time.perf_counter()
        _build(shape, "right")
        new.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _build(shape, "right")
        kept.append(time.perf_counter() - t0)
    mb = payload_mb(shaped_scene(shapes(1, 0.1)[0]).static)
    print(f"Python, median of {repeat} (ms):")
    print(f"  new shape: bones, knee, muscles, payload, measures  {1000 * statistics.median(new):8.1f}")
    print(f"  a kept shape again                                  {1000 * statistics.median(kept):8.1f}")
    print(f"  payload of a shape (binary buffers)                 {mb:8.1f} MB")


def browser_side(repeat: int) -> None:
    import tempfile
    from pathlib import Path

    from gmedserver import GmedServer
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags.append("--no-first-run")
    with tempfile.TemporaryDirectory() as d:
        server = GmedServer(log_dir=Path(d)).wait_up(timeout=120)
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
                page = b.new_page(viewport={"width": 1600, "height": 900})
                received: list[int] = []
                page.on("websocket", lambda ws: ws.on("framereceived", lambda x: received.append(len(x))))
                page.goto(server.url)
                page.wait_for_selector(".gmed-ready", timeout=120_000)
                page.evaluate("window.gmed.ready")
                time.sleep(8)  # the server builds the mean's full scene after the first frame

                def ask(shape) -> tuple[float, int]:
                    weights = {f"mode{i}": x for i, x in enumerate(shape.sd, start=1)}
                    before = sum(received)
                    t0 = time.perf_counter()
                    page.evaluate(f"window.gmed.setShape({weights})")
                    return time.perf_counter() - t0, sum(received) - before

                new = [ask(s) for s in shapes(repeat, 0.2)]
                kept = [ask(s) for s in shapes(repeat, 0.2)]
                page.evaluate("window.gmed.setShape({mode1: 0, mode2: 0, mode3: 0, mode4: 0, mode5: 0})")
                drags = drag(page, 4 * repeat)
                b.close()
        finally:
            server.stop()
    print(f"Chromium (software WebGL), median of {repeat}: gmed.setShape -> drawn")
    print(f"  new shape     {1000 * statistics.median(t for t, _ in new):8.1f} ms")
    print(f"  a kept shape  {1000 * statistics.median(t for t, _ in kept):8.1f} ms")
    print(f"  received per shape {statistics.median(n for _, n in new) / 1e6:6.1f} MB (websocket)")
    print(f"Chromium: Mode 1 slider dragged by 8 px steps -> the preview bones drawn, median of {len(drags)}")
    total = [d[0] for d in drags]
    print(f"  {statistics.median(total):8.1f} ms (page clock; max {max(total):.1f})")
    print(f"    of which: move -> preview received {statistics.median(d[1] for d in drags):8.1f} ms")
    print(f"              preview actors made      {statistics.median(d[2] for d in drags):8.1f} ms")


def drag(page, steps: int) -> list[float]:
    """Move the Mode 1 slider's handle (mouse held) step by step; ms from each move to the
    frame after the preview of its shape arrived (gmedStats.shapePreview.at, page clock)."""
    from gmedserver import grab_slider

    x, y = grab_slider(page, "Mode 1 (SD)")
    out = []
    for k in range(1, steps + 1):
        t0 = page.evaluate("performance.now()")
        page.mouse.move(x + 8 * k, y)
        page.wait_for_function(f"(window.gmedStats.shapePreview || {{}}).at > {t0}", timeout=30_000)
        t1 = page.evaluate("new Promise((r) => requestAnimationFrame(() => r(performance.now())))")
        made = page.evaluate("window.gmedStats.shapePreview")
        out.append((t1 - t0, made["at"] - made["ms"] - t0, made["ms"]))
        time.sleep(0.3)
    page.mouse.up()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also through a server and Chromium")
    args = parser.parse_args()
    python_side(args.repeat)
    if args.browser:
        browser_side(args.repeat)


if __name__ == "__main__":
    main()
