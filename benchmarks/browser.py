"""The app in headless Chromium (software WebGL), side by side with an older revision (--compare)."""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pagejs
from gmedserver import GmedServer
from playwright.sync_api import sync_playwright
from revision import HERE, short, tree_env, worktree

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
NAN = float("nan")
PLAY = "\u25b6 Play / pause"

METHOD = """\
Run: python benchmarks/browser.py [--compare REV] [--starts 3] [--steps 20] [--seconds 5]

Every number comes from /usr/bin/chromium --headless --disable-gpu (software WebGL), one
page at a time, the server on loopback. With --compare REV the same is measured for a
throw-away git worktree of REV (its own server, start-up cache and offline page) first.
  start: server launch -> the page's first frame (performance.timeOrigin +
      gmedStats.firstRenderAt) and its first full-detail frame (fullDetailAt); the first
      start with an empty start-up cache, then --starts - 1 with it filled (median).
  arrow key -> pose on screen: gmedStats.keyToFrameMs (the page's clock), --steps steps
      0.4 s apart, at flexion 0 and at flexion 20 (a link ?flexion=20; before issue #15 the
      server drew every pose at a flexion without a precomputed sweep).
  bytes per step: websocket frames received from / sent to the server during each step
      and its rest (since #15 the page sends its pose once input rests 250 ms).
  playback: --seconds s of playback (started with the Play button, after 2 s): renders/s,
      poses computed/s (gmedStats.playFrames, #15 only), and whether the light meshes were
      drawn at any poll (gmedStats.lod, every 0.25 s); "auto" is the page as shipped, "full"
      has HipView.lod set to "off" in the page (full-detail meshes throughout).
  pose in the page (#15 only): a) gmedStats.poseMs (frames.show) over window.gmed.setPose
      calls, 40 per side, each drawn (without the read-out since it follows the frame's
      drawing, issue #14); b) the page's own pose code (util.js, muscleModel.js,
      poseModel.js of the tree, loaded into the page) timed directly: poseModel.write of 200
      random poses (femur matrix, surface, ribbons and normals, read-out optional), one
      side and both sides, median of 5 passes, ms per pose.
  offline page: `gmed export-html` of the tree: size; opened from file:// in an offline
      context with every http(s)/ws request blocked (counted): navigation -> first frame
      and full detail, first and second opening.
Targets (issue #15): playback >= 30 fps with full-detail meshes; the pose of both sides
<= 4 ms in Chromium."""


def machine_speed() -> float:
    """Seconds to import Panel in a fresh interpreter: a yardstick for this shared machine,
    whose speed varies (1.1-1.3 s when quiet, 2.5-2.9 s seen when busy)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import panel"], check=True)
    return time.perf_counter() - t0


def launch(browser, tree: Path, cache_dir: Path, query: str = ""):
    """Start ``gmed serve`` from ``tree`` and open its page; return (server, page, received,
    sent, t_first, t_full): seconds from the server's launch to the page's first frame and
    its first full-detail frame (the page's clock). Frames are counted once it is drawn."""
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    wall0 = time.time()
    server = GmedServer(cwd=tree, env=tree_env(tree, cache_dir))
    try:
        server.wait_up(timeout=90, poll=0.02)
        received: list[int] = []
        sent: list[int] = []
        sockets = []
        page.on("websocket", lambda ws: sockets.append(ws))
        page.goto(server.url + query)
        page.wait_for_function("window.gmedStats && window.gmedStats.fullDetailAt > 0", timeout=90_000)
        first_ms, full_ms = page.evaluate(
            "[gmedStats.firstRenderAt, gmedStats.fullDetailAt].map((t) => performance.timeOrigin + t)"
        )
        for ws in sockets:  # from here on (a listener during the start slows the page)
            ws.on("framereceived", lambda f: received.append(len(f)))
            ws.on("framesent", lambda f: sent.append(len(f)))
        return server, page, received, sent, first_ms / 1000 - wall0, full_ms / 1000 - wall0
    except BaseException:
        server.stop()  # no server left behind to skew the next run
        raise


def steps(page, received: list, sent: list, n: int, rest: float = 0.4) -> dict:
    """``n`` arrow-key steps, one at a time: key -> pose on screen (ms), bytes per step."""
    lat, rec, snt = [], [], []
    for i in range(n):
        r0, s0 = len(received), len(sent)
        page.evaluate("window.gmedStats.keyToFrameMs = null")
        page.keyboard.press("ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft")
        deadline = time.time() + 5
        ms = None
        while ms is None and time.time() < deadline:
            time.sleep(0.005)
            ms = page.evaluate("window.gmedStats.keyToFrameMs")
        time.sleep(rest)
        if ms is not None:
            lat.append(ms)
        rec.append(sum(received[r0:]))
        snt.append(sum(sent[s0:]))
    return {
        "median": statistics.median(lat) if lat else NAN, "max": max(lat) if lat else NAN,
        "missed": n - len(lat), "rec_kb": statistics.mean(rec) / 1024, "rec_max_kb": max(rec) / 1024,
        "sent_kb": statistics.mean(snt) / 1024,
    }  # fmt: skip


def playback(page, new: bool, seconds: float, lod: str | None = None) -> dict:
    """Renders and poses per second over ``seconds`` of playback; light meshes seen or not."""
    if lod:
        pagejs.set_lod(page, lod)
    button = page.locator(".gmed-play").first if new else page.get_by_role("button", name=PLAY)
    button.click()
    time.sleep(2.0)
    get = "({r: gmedStats.renders, p: gmedStats.playFrames || 0, lod: !!gmedStats.lod, t: performance.now()})"
    a, seen = page.evaluate(get), False
    t_end = time.time() + seconds
    while time.time() < t_end:
        seen |= page.evaluate("!!gmedStats.lod")
        time.sleep(0.25)
    b = page.evaluate(get)
    button.click()
    if lod:
        pagejs.set_lod(page, "auto")
    time.sleep(1.0)
    dt = (b["t"] - a["t"]) / 1000
    poses = (b["p"] - a["p"]) / dt
    return {"fps": (b["r"] - a["r"]) / dt, "poses": poses if poses else NAN, "lod": seen or b["lod"]}


def measure(browser, tree: Path, folder: Path, args) -> dict:
    """Everything for the code of ``tree``; ``folder`` holds its cache and offline page."""
    cache = folder / "cache"
    r: dict = {"starts": []}
    for run in range(args.starts):  # run 0: empty start-up cache (after install or an update)
        server, page, received, sent, t_first, t_full = launch(browser, tree, cache)
        r["starts"].append((t_first, t_full))
        if run < args.starts - 1:
            page.close()
            server.stop()
        if run == 0:
            time.sleep(3.0)  # the cache helper finishes; not part of the next start
    try:
        r["first_mb"] = server.rss_mb()
        new = r["new"] = page.evaluate("!!window.gmed")
        if not new:  # before #15 the abduction sweep arrives after the first frame
            page.wait_for_function("window.gmedStats.sweepLoaded === true", timeout=60_000)
        time.sleep(0.5)
        r["steps0"] = steps(page, received, sent, args.steps)
        page2 = browser.new_page(viewport={"width": 1600, "height": 900})
        rec2: list[int] = []
        sent2: list[int] = []
        page2.on("websocket", lambda ws: (ws.on("framereceived", lambda f: rec2.append(len(f))),
                                          ws.on("framesent", lambda f: sent2.append(len(f)))))  # fmt: skip
        page2.goto(server.url + "?flexion=20")
        page2.wait_for_function("window.gmedStats && window.gmedStats.fullDetailAt > 0", timeout=90_000)
        time.sleep(1.0)
        rec2.clear()
        sent2.clear()
        r["steps20"] = steps(page2, rec2, sent2, args.steps)
        page2.close()
        r["play_auto"] = playback(page, new, args.seconds)
        r["play_full"] = playback(page, new, args.seconds, lod="off")
        if new:
            r["pose_api"] = pagejs.pose_ms_via_api(page)
            r["pose_js"] = pagejs.time_poses(page, tree)
        r["last_mb"] = server.rss_mb()
        page.close()
    finally:
        server.stop()
    r["page_mb"] = pagejs.export_page(tree, folder / "gmed.html", cache)
    r["offline"] = [pagejs.open_offline(browser, folder / "gmed.html") for _ in range(2)]
    return r


def cells(r: dict) -> list[tuple[str, str]]:
    """The rows of the table for one tree's measures: (what, value)."""

    def f(x, fmt="{:.0f}"):
        return "-" if x is None or x != x else fmt.format(x)

    def play(p):
        return f"{f(p['fps'])} fps ({f(p['poses'])} poses/s), light meshes {'yes' if p['lod'] else 'no'}"

    cold, warm = r["starts"][0], r["starts"][1:] or r["starts"]
    warm = [statistics.median(s[i] for s in warm) for i in (0, 1)]
    s0, s20, js, off = r["steps0"], r["steps20"], r.get("pose_js", {}), r["offline"]
    api = r.get("pose_api")
    return [
        ("start, empty cache: first frame / full", f"{cold[0]:.1f} / {cold[1]:.1f} s"),
        ("start, cache filled: first / full (median)", f"{warm[0]:.1f} / {warm[1]:.1f} s"),
        ("arrow key -> pose on screen, flexion 0", f"{f(s0['median'])} ms median, {f(s0['max'])} max"),
        ("arrow key -> pose on screen, flexion 20", f"{f(s20['median'])} ms median, {f(s20['max'])} max"),
        ("from server per step, flexion 0 / 20",
         f"{s0['rec_kb']:.2f} / {s20['rec_kb']:.2f} KB (max {s20['rec_max_kb']:.1f})"),
        ("to server per step, flexion 0 / 20", f"{s0['sent_kb']:.2f} / {s20['sent_kb']:.2f} KB"),
        ("playback, as shipped (lod auto)", play(r["play_auto"])),
        ("playback, full detail (lod off)  [>= 30]", play(r["play_full"])),
        ("gmedStats.poseMs via gmed.setPose",
         "-" if not api else "{median:.1f} ms median, {p95:.1f} p95, {max:.1f} max".format(**api)),
        ("pose code, one side (+ read-out)",
         f"{f(js.get('one'), '{:.2f}')} ({f(js.get('one_readout'), '{:.2f}')}) ms"),
        ("pose code, both sides (+ read-out) [<= 4]",
         f"{f(js.get('both'), '{:.2f}')} ({f(js.get('both_readout'), '{:.2f}')}) ms"),
        ("offline page: size", f"{r['page_mb']:.1f} MB"),
        ("offline page, file://: first frame",
         " / ".join(f"{o['first_s']:.1f}" for o in off) + " s (1st / 2nd opening)"),
        ("offline page: full detail; blocked requests",
         " / ".join(f"{o['full_s']:.1f}" for o in off) + f" s; {sum(o['blocked'] for o in off)} blocked"),
        ("server memory: first frame / after all", f"{r['first_mb']:.0f} / {r['last_mb']:.0f} MB"),
    ]  # fmt: skip


def table(results: list[tuple[str, dict]]) -> None:
    cols = [cells(r) for _, r in results]
    width = max(len(label) for label, _ in cols[0]) + 2
    colw = max(len(v) for col in cols for _, v in col) + 2
    print("\n" + " " * width + "".join(f"{name:<{colw}}" for name, _ in results))
    for i, (label, _) in enumerate(cols[0]):
        print(f"{label:<{width}}" + "".join(f"{col[i][1]:<{colw}}" for col in cols))
    new = results[-1][1]
    both = new.get("pose_js", {}).get("both_readout", NAN)
    fps = new["play_full"]["fps"]
    print(
        f"targets (new): playback >= 30 fps in full detail: {'yes' if fps >= 30 else 'no'}; "
        f"both sides' pose (with the read-out) <= 4 ms: {'yes' if both <= 4 else 'no'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, epilog=METHOD, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--compare", metavar="REV", help="also measure REV (e.g. 93ceef7) first")
    ap.add_argument("--starts", type=int, default=3, help="server starts (the first with an empty cache)")
    ap.add_argument("--steps", type=int, default=20, help="arrow-key steps per flexion")
    ap.add_argument("--seconds", type=float, default=5.0, help="of playback, per measure")
    args = ap.parse_args()
    print(f"machine speed: 'import panel' took {machine_speed():.2f} s (1.1-1.3 s on a quiet machine)")
    results: list[tuple[str, dict]] = []
    with sync_playwright() as p, contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gmed-browser-")))
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        stack.callback(browser.close)
        trees = [("new", HERE)]
        if args.compare:
            trees.insert(0, (f"old {short(args.compare)}", stack.enter_context(worktree(args.compare))))
        for i, (label, tree) in enumerate(trees):
            print(f"measuring {label}: {tree}", flush=True)
            (tmp / str(i)).mkdir()
            results.append((label, measure(browser, tree, tmp / str(i), args)))
    table(results)


if __name__ == "__main__":
    main()
