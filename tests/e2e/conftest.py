"""A real server and the system Chromium for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", "serve", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stdout.read()}") from None
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start in 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():  # a test that cannot run fails, with its reason; it never skips
        pytest.fail("system Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


class Page:
    """A page with its console messages and every request it made."""

    def __init__(self, browser, url, width=1600, height=900):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_selector(".gmed-ready", timeout=60_000)
        self.wait_idle()

    def stats(self) -> dict:
        return self.page.evaluate("({...window.gmedStats, now: performance.now()})")

    def wait_idle(self, renders: int = 0, timeout: float = 20.0):
        """Wait for at least ``renders`` more renders, then until rendering has settled in
        full detail (a pose change is first shown with the light meshes)."""
        start = self.stats()["renders"]
        deadline = time.time() + timeout
        while self.stats()["renders"] < start + renders:
            if time.time() > deadline:
                raise TimeoutError(f"the page drew {self.stats()['renders'] - start} of {renders} renders")
            time.sleep(0.05)
        last = -1
        while True:
            stats = self.stats()
            if stats["renders"] == last and not stats.get("lod"):
                return
            if time.time() > deadline:
                raise TimeoutError(f"the page kept rendering for {timeout:g} s (or stayed light): {stats}")
            last = stats["renders"]
            time.sleep(0.4)

    def errors(self) -> list[str]:
        # Chromium's software GL reports driver performance notes as warnings
        return [
            c for c in self.console if "GL Driver Message" not in c and not c.startswith("warning: [.WebGL")
        ]

    def canvas_png(self) -> bytes:
        return self.page.locator(".gmed-canvas").screenshot()


@pytest.fixture
def app_page(browser, server):
    pages = []

    def open_page(path="", **kw):
        p = Page(browser, server + path, **kw)
        pages.append(p)
        return p

    yield open_page
    for p in pages:
        p.page.close()
