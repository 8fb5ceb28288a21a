"""Measure the app in a real browser: start-up, playback, slider latency, bytes per frame, memory.

Run: python benchmarks/browser.py   (needs /usr/bin/chromium)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", "serve", "--no-browser", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        t_http = time.perf_counter() - t0
        idle_mb = rss_mb(server.pid)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            received: list[int] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
            page.goto(url)
            page.wait_for_function("window.gmedStats && window.gmedStats.renders > 0", timeout=60_000)
            t_first = time.perf_counter() - t0
            time.sleep(1.0)
            session_mb = rss_mb(server.pid)

            def stats():
                return page.evaluate("({...window.gmedStats, now: performance.now()})")

            # slider changes: one step at a time, waiting for each frame
            latencies, per_step = [], []
            for _ in range(15):
                n0, got = len(received), stats().get("framesReceived", 0)
                page.keyboard.press("ArrowRight")
                deadline = time.time() + 5
                while stats().get("framesReceived", 0) == got and time.time() < deadline:
                    time.sleep(0.005)
                time.sleep(0.05)
                latencies.append(stats()["keyToFrameMs"])
                per_step.append(sum(received[n0:]))
            # playback in the browser
            page.get_by_role("button", name="▶ Play / pause").click()
            time.sleep(2.0)
            a, n_play = stats(), len(received)
            time.sleep(5.0)
            b = stats()
            fps = (b["renders"] - a["renders"]) / ((b["now"] - a["now"]) / 1000)
            play_bytes = sum(received[n_play:])
            browser.close()
        print(f"server up (HTTP 200)            : {t_http:6.2f} s after launch")
        print(f"first rendered frame in browser : {t_first:6.2f} s after launch")
        print(
            f"slider step -> frame shown      : median {statistics.median(latencies):.0f} ms, "
            f"max {max(latencies):.0f} ms (15 steps)"
        )
        print(
            f"bytes sent per slider step      : max {max(per_step) / 1024:.1f} KB "
            f"(median {statistics.median(per_step) / 1024:.1f} KB)"
        )
        print(
            f"playback                        : {fps:.1f} frames/s in headless Chromium "
            f"(software WebGL, level of detail {'on' if b.get('lod') else 'off'}); "
            f"{play_bytes} bytes received during 5 s of playback"
        )
        print(
            f"server memory                   : {idle_mb:.0f} MB idle, {session_mb:.0f} MB with one session"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
