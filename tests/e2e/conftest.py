"""A real server and the system Chromium for end-to-end tests."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gmedserver import GmedServer

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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = GmedServer(log_dir=tmp_path_factory.mktemp("server")).wait_up(timeout=60)
    yield s.url
    s.stop()


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
