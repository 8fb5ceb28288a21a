"""One load phase on a ``gmed serve`` whose pages compute every pose themselves (issue #15)."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from classclient import ClassClient
from gmedserver import GmedServer
from revision import tree_env

from viewer.anatomy import POSE_RANGE

#: a page sends its pose once its input rests (SYNC_REST_MS, viewer/app/js/view.js): a light
#: client sends one pose message per burst of this many steps
BURST = 10
#: the flexion of the real stepping page during the exploration (set with its own slider)
PAGE_FLEXION = 20
NAN = float("nan")


def p95(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    if not xs:
        return NAN
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 20 else max(xs)


class Server(GmedServer):
    """The server under load: no session limit, ``num_procs`` processes, the code of ``tree``."""

    def __init__(self, num_procs: int, cache_dir: str, tree: Path):
        super().__init__(
            "--max-sessions", "0", "--num-procs", str(num_procs), cwd=tree, env=tree_env(tree, cache_dir)
        )

    async def up(self) -> None:
        await asyncio.to_thread(self.wait_up, 60)


async def bursts(client: ClassClient, seconds: float, rate: float, offset: int, flexion: float):
    """Step the abduction at ``rate`` steps per second as a page does: each step is computed
    and drawn in the browser (nothing is sent); after every BURST steps the input rests and
    the pose goes to the server. Students rest at their own moments: the bursts of clients
    with different ``offset`` end at different steps. Returns the server's reply times (s)
    and the steps made."""
    lo, hi = (round(v) for v in POSE_RANGE["abduction"])
    angle = lo + offset % (hi - lo + 1)
    replies, steps = [], 0
    t_end = time.perf_counter() + seconds
    next_t = time.perf_counter()
    while time.perf_counter() < t_end:
        steps += 1
        angle = lo + (angle - lo + 1) % (hi - lo + 1)  # the next whole degree, round again
        if steps % BURST == offset % BURST:
            pose = {"side": "right", "abduction": float(angle), "flexion": float(flexion), "rotation": 0.0}
            replies.append(await client.send_pose(pose))
        next_t += 1.0 / rate
        delay = next_t - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            next_t = time.perf_counter()
    return replies, steps


async def page_steps(page, seconds: float, rest: float = 0.25) -> list[float]:
    """Arrow-key steps in a real page, ``rest`` s apart: key -> pose on screen, as the page
    measures it (``gmedStats.keyToFrameMs``), ms."""
    out = []
    t_end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < t_end:
        await page.evaluate("window.gmedStats.keyToFrameMs = null")
        await page.keyboard.press("ArrowRight" if (i // 20) % 2 == 0 else "ArrowLeft")
        i += 1
        for _ in range(300):
            await asyncio.sleep(0.01)
            ms = await page.evaluate("window.gmedStats.keyToFrameMs")
            if ms is not None:
                out.append(ms)
                break
        await asyncio.sleep(rest)
    return out


async def open_page(browser, url: str):
    page = await browser.new_page(viewport={"width": 1280, "height": 720})
    await page.goto(url)
    await page.wait_for_function("window.gmedStats && window.gmedStats.renders > 0", timeout=60_000)
    return page


async def set_page_slider(page, joint: str, value: float) -> None:
    """Move a pose slider over the view (``.gmed-controls``) as a drag does; the focus stays."""
    await page.locator(f".gmed-controls input[data-joint={joint}]").evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }", value
    )


async def playing_stats(page) -> dict:
    return await page.evaluate(
        "({r: gmedStats.renders, p: gmedStats.playFrames || 0, lod: !!gmedStats.lod, t: performance.now()})"
    )


async def workload(name: str, clients, pages, server, args) -> dict:
    """Both kinds of client stepping for ``args.seconds``; the measures of the workload."""
    if name == "exploration":  # each its own flexion, as the page sends it at rest
        flex = [float(1 + i % round(POSE_RANGE["flexion"][1])) for i in range(len(clients))]
        poses = [{"side": "right", "abduction": 0.0, "flexion": f, "rotation": 0.0} for f in flex]
        await asyncio.gather(*[c.send_pose(p) for c, p in zip(clients, poses, strict=True)])
        if len(pages) > 1:
            await set_page_slider(pages[1], "flexion", PAGE_FLEXION)
    else:
        flex = [0.0] * len(clients)
    if pages:
        await pages[0].locator(".gmed-play").click()
        await asyncio.sleep(1.0)  # playback settles (the level of detail is chosen)
        a = await playing_stats(pages[0])
    c0, m0 = server.cpu_s(), time.process_time()
    b0 = sum(c.bytes_received for c in clients)
    t0 = time.perf_counter()
    runs = [bursts(c, args.seconds, args.rate, 7 * i, flex[i]) for i, c in enumerate(clients)]
    if len(pages) > 1:
        runs.append(page_steps(pages[1], args.seconds))
    out = await asyncio.gather(*runs)
    wall = time.perf_counter() - t0
    r = {
        "clients_p95_ms": NAN,  # a light client's step is drawn by its page: no server involved
        "reply_p95_ms": 1000 * p95([x for rep, _ in out[: len(clients)] for x in rep]),
        "server_cpu": (server.cpu_s() - c0) / wall,
        "client_cpu": (time.process_time() - m0) / wall,
        "page_p95_ms": p95(out[-1]) if len(pages) > 1 else NAN,
        "page_fps": NAN,
        "page_lod": None,
    }
    rates = [k / wall for _, k in out[: len(clients)]]
    steps = sum(k for _, k in out[: len(clients)])
    r["rate"] = statistics.mean(rates) if rates else NAN
    r["min_rate"] = min(rates) if rates else NAN
    r["bytes_in_per_step"] = (sum(c.bytes_received for c in clients) - b0) / max(1, steps)
    if pages:
        b = await playing_stats(pages[0])
        r["page_fps"] = (b["r"] - a["r"]) / ((b["t"] - a["t"]) / 1000)
        r["page_lod"] = b["lod"]
        await pages[0].locator(".gmed-play").click()
    return r


async def phase(n: int, args, tree: Path, cache_dir: str, browser) -> dict:
    """``n`` sessions on a fresh server from ``tree``: min(--browsers, n) real pages (one
    playing, one stepping with the arrow keys), the rest light clients; both workloads."""
    server = Server(args.num_procs, cache_dir, tree)
    result: dict = {"sessions": n}
    try:
        await server.up()
        pages = [await open_page(browser, server.url) for _ in range(min(args.browsers, n) if browser else 0)]
        # one session at least before the baseline: the full scene is built after the first
        clients = [] if pages else [await ClassClient(server.url, timeout=120).open()]
        await asyncio.sleep(8)
        base_mb, base_n = server.rss_mb(), len(pages) + len(clients)
        t0 = time.perf_counter()
        more = [ClassClient(server.url, timeout=120).open() for _ in range(n - base_n)]
        clients += await asyncio.gather(*more)
        result["open_all_s"] = time.perf_counter() - t0
        await asyncio.sleep(1)
        result["base_mb"], result["base_n"] = base_mb, base_n
        result["total_mb"] = server.rss_mb()
        result["per_session_mb"] = (result["total_mb"] - base_mb) / max(1, n - base_n)
        for name in ("lesson", "exploration"):
            result[name] = await workload(name, clients, pages, server, args)
        await asyncio.gather(*[c.close() for c in clients])
        for page in pages:
            await page.close()
        for _ in range(45):  # the server must free every session
            if server.open_count() == 0:
                break
            await asyncio.sleep(1)
        result["open_after_close"] = server.open_count()
        result["after_close_mb"] = server.rss_mb()
    finally:
        server.stop()
    return result
