"""A real server and the system Chromium for end-to-end tests."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from gmedserver import GmedServer
from PIL import Image

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
#: JS - Python difference allowed for the read-out (mm); the twin is held to 1e-6 mm by test_twin
READOUT_MM = 0.5


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


def image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


class Page:
    """A page in a context of its own, with its console messages, every request it made and
    every websocket frame it sent.

    ``offline=True`` blocks the network: each http(s) request is aborted and kept in ``blocked``.
    Playwright delivers these events only while the test calls into it (``evaluate``,
    ``wait_for_timeout``), never during a ``time.sleep``.
    """

    def __init__(self, browser, url, width=1600, height=900, offline=False, ready=".gmed-ready"):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.sent: list[str | bytes] = []  # websocket frames the page sent, in order
        self.received: list[int] = []  # sizes of the websocket frames it received
        if offline:
            self.context.route("http*://**", self._block)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", self._websocket)
        self.page.goto(url)
        if ready:
            self.page.wait_for_selector(ready, timeout=60_000)
            self.page.evaluate("window.gmed.ready")
            self.wait_idle()

    def _websocket(self, ws):
        ws.on("framesent", lambda payload: self.sent.append(payload))
        ws.on("framereceived", lambda payload: self.received.append(len(payload)))

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def close(self):
        self.context.close()

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

    def canvas(self) -> np.ndarray:
        """The view as RGB floats, once it has settled."""
        self.wait_idle()
        return image(self.canvas_png())

    def set_pose(self, **pose) -> dict:
        """``window.gmed.setPose(pose)``: the pose it resolved with."""
        return self.page.evaluate("p => window.gmed.setPose(p)", pose)

    def set_pose_error(self, pose) -> str:
        """The message ``window.gmed.setPose(pose)`` rejects with ('' if it resolved)."""
        return self.page.evaluate("p => window.gmed.setPose(p).then(() => '', (e) => e.message)", pose)

    def readout(self) -> dict:
        return self.page.evaluate("window.gmed.readout()")

    def set_camera(self, position, focal_point, view_up=(0.0, 1.0, 0.0)) -> None:
        """Aim the view's camera (mm), as the server does with ``HipView.camera_preset``."""
        self.page.evaluate(
            f"""([position, focal_point, view_up]) => {{
              const v = {VIEW_MODEL};
              const nonce = Math.random();
              v.camera_preset = {{ ...v.camera_preset, position, focal_point, view_up, nonce }};
            }}""",
            [list(position), list(focal_point), list(view_up)],
        )
        self.wait_idle()


#: The HipView model's properties in the page (Panel's JSComponent data), as JS.
VIEW_MODEL = "[...Bokeh.documents[0].all_models].find((m) => m.data && m.data.camera_preset).data"
#: A camera 1.5 m in front of the pelvis that sees the knees (the presets frame the hip).
KNEES_CAMERA = ([1500.0, -330.0, 0.0], [0.0, -330.0, 0.0])


def changed_rows(a: np.ndarray, b: np.ndarray, bands: int = 10) -> list[float]:
    """Share of pixels that changed (by more than 30 in a channel) in each horizontal band."""
    changed = np.abs(a - b).max(axis=-1) > 30
    return [float(band.mean()) for band in np.array_split(changed, bands)]


def red_fraction(img: np.ndarray) -> float:
    """Share of the view in the muscle's red."""
    return float(((img[..., 0] > 150) & (img[..., 1] < 110) & (img[..., 2] < 110)).mean())


def python_readout(hip, pose: dict) -> dict:
    """What ``gmed.readout()`` should say for ``pose``: the whole muscle, by Python."""
    from viewer.anatomy import Pose
    from viewer.muscles import JOINTS

    m = hip.muscles[pose["side"]]
    p = Pose(pose["abduction"], pose["flexion"], pose["rotation"])
    return {
        "length_mm": m.lengths(p)["whole"],
        "moment_arm_mm": {j: m.moment_arms(p, j)["whole"] for j in JOINTS},
    }


def readout_error(got: dict, want: dict) -> float:
    """Largest difference (mm) between a page's read-out and Python's."""
    diffs = [abs(got["length_mm"] - want["length_mm"])]
    diffs += [abs(got["moment_arm_mm"][j] - want["moment_arm_mm"][j]) for j in want["moment_arm_mm"]]
    return max(diffs)


@pytest.fixture(scope="session")
def hip(model):
    """Python's hip (both muscles), to check the page's read-out against."""
    from viewer.posed import Hip

    return Hip(model)


@pytest.fixture
def app_page(browser, server):
    pages = []

    def open_page(path="", **kw):
        p = Page(browser, server + path, **kw)
        pages.append(p)
        return p

    yield open_page
    for p in pages:
        p.close()
