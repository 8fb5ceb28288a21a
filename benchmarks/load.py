"""Load of a whole class on one ``gmed serve``: memory per session, update rate, p95 latency.

Run: python benchmarks/load.py [--sessions 10 30 60 90] [--seconds 10] [--rate 10] [--num-procs 1]

Everything stays on loopback (127.0.0.1) and stops by itself: each phase runs a fixed time,
and the whole run is abandoned after --budget seconds. For each class size N, a fresh server
gets 2 real Chromium pages (one playing the animation, one stepping the angle with the arrow
keys) and N-2 light clients (benchmarks/classclient.py: the same websocket messages as a
browser, without drawing). Two workloads are run for --seconds each:

- lesson: everyone drags the abduction slider at --rate changes per second (flexion 0,
  as when the teacher says "abduct the hip");
- exploration: each client first sets its own flexion (all different), then drags; every
  frame is a new pose that the server must compute.

A phase "degrades" when the clients get less than 90 % of the steps they ask for, or when
the server is late: for the lesson a p95 over 250 ms for its reply to a step or for the angle
after a release (the page has drawn the step itself), for the exploration a p95 over 100 ms
from a step to its frame.

On a 2-core machine the real pages (software WebGL) take most of the CPU from the server;
``--browsers 0`` measures the server alone, as in a classroom where the browsers run on the
students' machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from classclient import ClassClient
from gmedserver import GmedServer
from playwright.async_api import async_playwright

from viewer.anatomy import POSE_RANGE

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 20 else max(xs)


class Server(GmedServer):
    """The server under load: no session limit, ``num_procs`` processes, its own cache."""

    def __init__(self, num_procs: int, cache_dir: str):
        super().__init__(
            "--max-sessions", "0", "--num-procs", str(num_procs), env={"GMED_CACHE_DIR": cache_dir}
        )

    async def up(self) -> None:
        await asyncio.to_thread(self.wait_up, 60)


async def drag(client: ClassClient, seconds: float, rate: float, offset: int, local: bool):
    """Drag the abduction slider at ``rate`` steps per second, releasing it every 10 steps.

    ``local``: the page holds the sweep and draws each step itself; the server only receives
    the values (its reply time is measured) and, on release, answers with the angle.
    Otherwise every step waits for the server's frame, as a page without a sweep does.
    Returns the latencies that count for the student, and the number of poses shown.
    """
    title = "Abduction (\u00b0)"
    latencies = []
    lo, hi = (round(v) for v in POSE_RANGE["abduction"])

    def after(a: int) -> int:  # the next whole degree, round again past the end of the range
        return lo + (a - lo + 1) % (hi - lo + 1)

    angle = lo + offset % (hi - lo + 1)
    if angle == client.angle:  # the session's angle: setting it again would send no frame
        angle = after(angle)
    t_end = time.perf_counter() + seconds
    next_t = time.perf_counter()
    steps = 0
    while time.perf_counter() < t_end:
        steps += 1
        if local:
            await client.set_widget(title, float(angle), wait=False)
            if steps % 10 == 0:
                # released: the server answers with the angle, unless the view already shows it
                same = angle == client.released
                t = await client.set_widget(title, float(angle), wait=not same, attr="value_throttled")
                if t is not None:
                    latencies.append(t)
                client.released = angle
        else:
            latencies.append(await client.set_widget(title, float(angle)))
        client.angle = angle
        angle = after(angle)
        next_t += 1.0 / rate
        delay = next_t - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            next_t = time.perf_counter()
    return latencies, steps


async def browser_steps(page, seconds: float) -> list[float]:
    """Arrow-key steps in a real page; the page measures key -> frame shown."""
    out = []
    t_end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < t_end:
        got = await page.evaluate("window.gmedStats.framesReceived || 0")
        await page.keyboard.press("ArrowRight" if (i // 20) % 2 == 0 else "ArrowLeft")
        i += 1
        for _ in range(200):
            await asyncio.sleep(0.01)
            if await page.evaluate("window.gmedStats.framesReceived || 0") != got:
                break
        await asyncio.sleep(0.02)
        out.append(await page.evaluate("window.gmedStats.keyToFrameMs"))
        await asyncio.sleep(0.25)
    return out


async def phase(n: int, args, cache_dir: str, browser) -> dict:
    server = Server(args.num_procs, cache_dir)
    result: dict = {"sessions": n}
    try:
        await server.up()
        pages = []
        for _ in range(min(args.browsers, n)):
            page = await browser.new_page(viewport={"width": 1280, "height": 720})
            await page.goto(server.url)
            await page.wait_for_function("window.gmedStats && window.gmedStats.renders > 0", timeout=60_000)
            pages.append(page)
        # one session at least before the baseline: the full scene is built after its first frame
        clients = [] if pages else [await ClassClient(server.url, timeout=120).open()]
        await asyncio.sleep(8)
        base_mb = server.rss_mb()
        base_n = len(pages) + len(clients)
        t0 = time.perf_counter()
        clients += await asyncio.gather(
            *[ClassClient(server.url, timeout=120).open() for _ in range(n - base_n)]
        )
        result["open_all_s"] = time.perf_counter() - t0
        await asyncio.sleep(1)
        result["base_mb"] = base_mb
        result["total_mb"] = server.rss_mb()
        result["per_session_mb"] = (result["total_mb"] - base_mb) / max(1, n - base_n)
        result["base_n"] = base_n
        for workload in ("lesson", "exploration"):
            if workload == "exploration":
                await asyncio.gather(
                    *[
                        c.set_widget("Flexion (\u00b0)", float(1 + i % round(POSE_RANGE["flexion"][1])))
                        for i, c in enumerate(clients)
                    ]
                )
            playing = None
            if pages:
                await pages[0].get_by_role("button", name="\u25b6 Play / pause").click()
                playing = pages[0]
                a = await playing.evaluate("({r: window.gmedStats.renders, t: performance.now()})")
            c0, m0 = server.cpu_s(), time.process_time()
            t0 = time.perf_counter()
            for c in clients:
                c.ack_latencies.clear()
            local = workload == "lesson"
            runs = [drag(c, args.seconds, args.rate, 7 * i, local) for i, c in enumerate(clients)]
            if len(pages) > 1:
                runs.append(browser_steps(pages[1], args.seconds))
            out = await asyncio.gather(*runs)
            wall = time.perf_counter() - t0
            cpu = (server.cpu_s() - c0) / wall
            me = (time.process_time() - m0) / wall
            lat = [x for lats, _ in out[: len(clients)] for x in lats]
            rates = [k / wall for _, k in out[: len(clients)]]
            acks = [x for c in clients for x in c.ack_latencies]
            r = {
                "ack_p95_ms": 1000 * p95(acks) if acks else float("nan"),
                "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
                "p95_ms": 1000 * p95(lat) if lat else float("nan"),
                "rate": statistics.mean(rates) if rates else float("nan"),
                "min_rate": min(rates) if rates else float("nan"),
                "server_cpu": cpu,
                "client_cpu": me,
            }
            if len(pages) > 1:
                steps = [x for x in out[-1] if x is not None]
                r["browser_p95_ms"] = p95(steps) if steps else float("nan")
            if playing is not None:
                b = await playing.evaluate("({r: window.gmedStats.renders, t: performance.now()})")
                r["browser_fps"] = (b["r"] - a["r"]) / ((b["t"] - a["t"]) / 1000)
                await playing.get_by_role("button", name="\u25b6 Play / pause").click()
            # lesson: the step is drawn by the page; the server must keep up with the values
            # (reply p95) and answer a release in time. Exploration: every step is a frame.
            slow = r["p95_ms"] > (250 if local else 100) or (local and r["ack_p95_ms"] > 250)
            r["degraded"] = slow or r["rate"] < 0.9 * args.rate
            result[workload] = r
        # close everything; the server must free every session
        await asyncio.gather(*[c.close() for c in clients])
        for page in pages:
            await page.close()
        for _ in range(45):
            if server.open_count() == 0:
                break
            await asyncio.sleep(1)
        result["open_after_close"] = server.open_count()
        result["after_close_mb"] = server.rss_mb()
    finally:
        server.stop()
    return result


def report(r: dict, rate: float) -> None:
    print(
        f"\n{r['sessions']} sessions: opened in {r['open_all_s']:.1f} s; server memory "
        f"{r['base_mb']:.0f} MB with {r['base_n']} session(s), {r['total_mb']:.0f} MB with all "
        f"({r['per_session_mb']:.2f} MB per extra session); {r['after_close_mb']:.0f} MB and "
        f"{r['open_after_close']} sessions left after all closed"
    )
    for w in ("lesson", "exploration"):
        x = r[w]
        extra = ""
        if "browser_p95_ms" in x:
            extra += f", browser arrow key -> frame p95 {x['browser_p95_ms']:.0f} ms"
        if "browser_fps" in x:
            extra += f", browser playing at {x['browser_fps']:.0f} fps"
        if w == "lesson":
            what = (
                f"steps drawn by the page; server reply to a step p95 {x['ack_p95_ms']:.0f} ms, "
                f"release -> angle p50 {x['p50_ms']:.0f} ms, p95 {x['p95_ms']:.0f} ms"
            )
        else:
            what = f"step -> server frame p50 {x['p50_ms']:.0f} ms, p95 {x['p95_ms']:.0f} ms"
        print(
            f"  {w:<12}: {what}; "
            f"{x['rate']:.1f} steps/s per session (asked {rate:g}, slowest {x['min_rate']:.1f}); "
            f"CPU: server {100 * x['server_cpu']:.0f} %, light clients {100 * x['client_cpu']:.0f} % "
            f"of a core{extra}" + ("  << DEGRADED" if x["degraded"] else "")
        )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 30, 60, 90])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=10.0, help="slider changes per second per session")
    ap.add_argument("--num-procs", type=int, default=1)
    ap.add_argument("--browsers", type=int, default=2, choices=[0, 1, 2], help="real Chromium pages")
    ap.add_argument("--budget", type=float, default=900.0, help="stop everything after this many s in all")
    args = ap.parse_args()
    cache_dir = tempfile.mkdtemp(prefix="gmed-load-cache-")
    print(
        f"gmed load: loopback only; {args.seconds:g} s per workload at {args.rate:g} changes/s; "
        f"--num-procs {args.num_procs}; {os.cpu_count()} CPU cores"
    )
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        try:
            deadline = time.perf_counter() + args.budget
            for n in args.sessions:
                left = deadline - time.perf_counter()
                r = await asyncio.wait_for(phase(n, args, cache_dir, browser), max(1.0, left))
                report(r, args.rate)
        finally:
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
