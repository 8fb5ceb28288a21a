"""The 3D view taken out of a page and put back: its parts are deleted, and it works again.

Taking it out removes the canvas, the key, hash and message listeners, the render loop and
window.gmed without an error; a view put back works on its own.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

APP = Path(__file__).with_name("remove_app.py")


@pytest.fixture(scope="module")
def remove_app():
    from gmedserver import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(APP), "--port", str(port), "--address", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/{APP.stem}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"panel serve exited: {proc.stdout.read()}") from None
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("panel serve did not answer in 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_view_removed_and_put_back(browser, remove_app):
    from conftest import Page

    p = Page(browser, remove_app, width=1400, height=900)
    try:
        page = p.page
        assert page.evaluate("typeof window.gmed.setPose") == "function"
        page.evaluate("window.__first = window.gmedStats; window.__api = window.gmed")
        swap = page.get_by_role("button", name="Take out / put back")
        swap.click()
        page.wait_for_selector(".gmed-root", state="detached", timeout=20_000)
        assert page.locator("canvas").count() == 0
        assert page.evaluate("typeof window.gmed") == "undefined"
        renders = page.evaluate("window.__first.renders")
        page.keyboard.press("ArrowRight")  # the removed view no longer listens
        page.evaluate("window.postMessage({gmed: 'setPose', args: [{abduction: 5}], id: 1}, '*')")
        page.evaluate("location.hash = '#abduction=7'")
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__first.renders") == renders
        assert page.evaluate("window.__api.getPose().abduction") == 0
        swap.click()
        page.wait_for_selector(".gmed-ready", timeout=60_000)
        page.evaluate("window.gmed.ready")
        p.wait_idle()
        assert page.locator(".gmed-root").count() == 1
        assert page.evaluate("window.__first !== window.gmedStats")
        assert page.evaluate("window.__api !== window.gmed && typeof window.gmed.setPose === 'function'")
        # the view put back opens at the hash it finds, and answers to keys and the API
        assert page.evaluate("window.gmed.getPose().abduction") == 7
        page.keyboard.press("ArrowRight")
        page.wait_for_function("window.gmed.getPose().abduction === 8", timeout=10_000)
        assert page.locator(".gmed-readout:visible").inner_text().startswith("Abduction\n8°")
        assert p.set_pose(abduction=20, side="left") == {
            "side": "left",
            "abduction": 20,
            "flexion": 0,
            "rotation": 0,
        }
        assert p.readout()["length_mm"] > 0
        assert p.errors() == []
    finally:
        p.close()
