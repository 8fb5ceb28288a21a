"""Load of a whole class on one ``gmed serve``, side by side with an older revision (--compare)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import tempfile
import time
from pathlib import Path

import loadphase
from playwright.async_api import async_playwright
from revision import HERE, python, short, worktree

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NAN = float("nan")

METHOD = """\
Run: python benchmarks/load.py [--sessions 30 60] [--seconds 10] [--rate 10] [--compare REV]

Everything stays on loopback and stops by itself: each workload runs --seconds, and the
whole run is abandoned after --budget seconds. For each class size N a fresh server gets
min(--browsers, N) real Chromium pages (the first plays the animation, the second steps
the abduction with the arrow keys) and light clients for the rest (classclient.py: the
websocket messages of a browser, without drawing). Workloads, --seconds each:
  lesson       everyone steps the abduction at --rate steps/s, flexion 0;
  exploration  each client first sets its own flexion (all different), then steps.

With --compare REV the same phases run first against a server from a throw-away git
worktree of REV (its own benchmarks/load.py, run as a subprocess with the same options,
its output parsed), then against this tree, one class size after the other; one table.

How each number is measured:
  step->visible p95, clients: a light client's step that the server must draw: before
      issue #15, exploration = step -> the server's frame, lesson = slider release -> the
      server's angle (the page draws the other steps from its sweep). Since #15 a page
      computes every pose itself, so a light client steps locally and sends nothing; the
      column says "local". (The light client's step is modelled: 10 steps locally, then
      one HipView.pose message, as a page sends once its input rests 250 ms; the clients'
      bursts end at different steps, as students rest at their own moments.)
  step->visible p95, page: the real page's arrow key -> the pose on screen, measured in
      the page (gmedStats.keyToFrameMs), steps 0.25 s apart.
  reply p95: the server's reply (OK) to a light client's message: since #15 the pose
      message after a burst, before it a slider step (lesson only).
  steps/s: steps made per light client per second (asked: --rate).
  server CPU: psutil cpu_times (user + system) of the server and its children, delta over
      the workload divided by its wall time, % of one core.
  RSS/session: resident memory of the server tree with all N open, minus it with the
      first page(s) or one client open (8 s after, the full scene built), per extra session.
  page fps: renders per second of the playing page during the workload (software WebGL);
      "lod": it drew the light meshes at the end.
Targets (issue #15, for 60 exploring sessions): step->visible p95 <= 100 ms (every
measured column), server CPU <= --idle-cpu % ("near idle"), steps/s >= 90 % of --rate.
On a 2-core machine the real pages take CPU from the server; --browsers 0 measures the
server alone, as in a class where the browsers run on the students' machines."""


def num(text: str | None) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return NAN


def parse_old(text: str, n: int) -> dict:
    """The measures of the old tree's load.py report for ``n`` sessions (nan where absent)."""
    head = re.search(
        rf"\n{n} sessions: opened in (\S+) s; server memory (\S+) MB with (\d+) session\(s\), (\S+) MB with "
        rf"all \((\S+) MB per extra session\); (\S+) MB and (\d+) sessions left",
        text,
    )
    if not head:
        raise RuntimeError(f"no report for {n} sessions in the output of the old load.py")
    r = {
        "sessions": n,
        "open_all_s": num(head[1]),
        "base_mb": num(head[2]),
        "base_n": int(head[3]),
        "total_mb": num(head[4]),
        "per_session_mb": num(head[5]),
        "after_close_mb": num(head[6]),
        "open_after_close": int(head[7]),
    }
    body = text[head.end() :]
    for w in ("lesson", "exploration"):
        line = re.search(rf"\n  {w}\s*:(.*)", body)
        if not line:
            raise RuntimeError(f"no {w} line for {n} sessions in the output of the old load.py")
        s = line[1]

        def get(pattern: str, s=s) -> float:
            m = re.search(pattern, s)
            return num(m[1]) if m else NAN

        lod = re.search(r"level of detail (on|off)", s)
        r[w] = {
            "clients_p95_ms": get(r"(?:release -> angle|step -> server frame) p50 \S+ ms, p95 (\S+) ms"),
            "reply_p95_ms": get(r"server reply to a step p95 (\S+) ms"),
            "rate": get(r"; (\S+) steps/s per session"),
            "min_rate": get(r"slowest (\S+)\)"),
            "server_cpu": get(r"CPU: server (\S+) %") / 100,
            "client_cpu": get(r"light clients (\S+) %") / 100,
            "page_p95_ms": get(r"browser arrow key -> frame p95 (\S+) ms"),
            "page_fps": get(r"browser playing at (\S+) fps"),
            "page_lod": (lod[1] == "on") if lod else None,
            "bytes_in_per_step": NAN,
        }
    return r


def run_old(tree: Path, n: int, args, tmp: Path, left: float) -> dict:
    """The old tree's own benchmarks/load.py for ``n`` sessions, as a subprocess."""
    own = tmp / f"old-{n}"  # its temporary files (start-up cache) go here, removed with tmp
    own.mkdir()
    opts = [
        "--sessions",
        str(n),
        "--seconds",
        f"{args.seconds:g}",
        "--rate",
        f"{args.rate:g}",
        "--num-procs",
        str(args.num_procs),
        "--browsers",
        str(args.browsers),
        "--budget",
        f"{left:.0f}",
    ]
    env = {"TMPDIR": str(own)}
    code, text = python(tree, "benchmarks/load.py", *opts, cache_dir=own, timeout=left + 60, env=env)
    if code != 0:
        last = text.strip().splitlines()[-1] if text.strip() else ""
        raise RuntimeError(f"the old load.py exited with {code}: {last}")
    return parse_old(text, n)


async def run_new(n: int, args, tmp: Path, left: float) -> dict:
    """This tree's phase for ``n`` sessions, in this process (loadphase.py)."""
    cache = tmp / "cache-new"
    cache.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = None
        if args.browsers:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        try:
            return await asyncio.wait_for(loadphase.phase(n, args, HERE, str(cache), browser), max(1.0, left))
        finally:
            if browser is not None:
                await browser.close()


def targets(w: dict, args) -> str:
    """Whether a workload row meets the targets of issue #15: "yes", or what it misses."""
    steps = [w[k] for k in ("clients_p95_ms", "page_p95_ms") if w[k] == w[k]]
    miss = []
    if not steps:
        miss.append("step ?")
    elif max(steps) > 100:
        miss.append("step")
    if not w["server_cpu"] * 100 <= args.idle_cpu:
        miss.append("cpu")
    if not w["rate"] >= 0.9 * args.rate:
        miss.append("rate")
    return "yes" if not miss else "no: " + ", ".join(miss)


def table(rows: list[tuple[str, dict]], args) -> None:
    def ms(x: float, local: bool = False) -> str:
        return "local" if local and x != x else ("-" if x != x else f"{x:.0f}")

    print(f"\n{'':22}{'step->visible p95 ms':>21}")
    head = (
        f"{'code':<9}{'sess':>5} {'workload':<12}{'clients':>9}{'page':>7}{'reply p95':>11}"
        f"{'steps/s':>9}{'srv CPU':>9}{'RSS/sess':>10}{'page fps':>10}  targets"
    )
    print(head + "\n" + "-" * len(head))
    for code, r in rows:
        for w in ("lesson", "exploration"):
            x = r[w]
            fps = "-" if x["page_fps"] != x["page_fps"] else f"{x['page_fps']:.0f}"
            if x["page_lod"] is not None:
                fps += " lod" if x["page_lod"] else " full"
            print(
                f"{code:<9}{r['sessions']:>5} {w:<12}{ms(x['clients_p95_ms'], code != 'old'):>9}"
                f"{ms(x['page_p95_ms']):>7}{ms(x['reply_p95_ms']):>11}{x['rate']:>9.1f}"
                f"{100 * x['server_cpu']:>8.0f}%{r['per_session_mb']:>7.2f} MB{fps:>10}  {targets(x, args)}"
            )
    print(
        f"(asked {args.rate:g} steps/s; CPU target <= {args.idle_cpu:g} % of a core; 'local': drawn by the "
        "page, no server involved; '-': not measured; see --help for how each number is measured)"
    )
    for code, r in rows:
        print(
            f"{code} {r['sessions']} sessions: opened in {r['open_all_s']:.1f} s; server "
            f"{r['base_mb']:.0f} MB with {r['base_n']}, {r['total_mb']:.0f} MB with all; "
            f"{r['after_close_mb']:.0f} MB, {r['open_after_close']} sessions left after all closed"
            + "".join(
                f"; {w}: server -> light clients {r[w]['bytes_in_per_step']:.0f} B per step"
                for w in ("lesson", "exploration")
                if r[w]["bytes_in_per_step"] == r[w]["bytes_in_per_step"]
            )
        )


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, epilog=METHOD, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sessions", type=int, nargs="+", default=[30, 60])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=10.0, help="steps per second per session")
    ap.add_argument("--num-procs", type=int, default=1)
    ap.add_argument("--browsers", type=int, default=2, choices=[0, 1, 2], help="real Chromium pages")
    ap.add_argument("--compare", metavar="REV", help="also run REV's own load.py (e.g. 93ceef7)")
    ap.add_argument("--idle-cpu", type=float, default=10.0, help="'near idle': server CPU %% at most")
    ap.add_argument("--budget", type=float, default=1800.0, help="stop everything after this many s in all")
    args = ap.parse_args()
    print(
        f"gmed load: loopback only; {args.seconds:g} s per workload at {args.rate:g} steps/s; "
        f"--num-procs {args.num_procs}; {args.browsers} real page(s); {os.cpu_count()} CPU cores"
    )
    deadline = time.perf_counter() + args.budget
    rows: list[tuple[str, dict]] = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gmed-load-")))
        old = None
        if args.compare:
            old = stack.enter_context(worktree(args.compare))
            print(f"old: {args.compare} ({short(args.compare)}) in {old}; new: {HERE}")
        try:
            for n in args.sessions:
                if old is not None:
                    print(f"\n== old, {n} sessions")
                    left = deadline - time.perf_counter()
                    rows.append(("old", await asyncio.to_thread(run_old, old, n, args, tmp, left)))
                print(f"\n== new, {n} sessions", flush=True)
                rows.append(("new", await run_new(n, args, tmp, deadline - time.perf_counter())))
        except (RuntimeError, TimeoutError) as e:  # the budget, or a phase that failed
            stopped = e
        else:
            stopped = None
        finally:
            if rows:
                table(rows, args)
    if stopped is not None:
        raise SystemExit(f"stopped before the end: {stopped!r}")


if __name__ == "__main__":
    asyncio.run(main())
