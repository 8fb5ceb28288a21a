"""gmed export-html: one file that shows the 3D view offline, without a server."""

import io
import time

import numpy as np
import pytest
from PIL import Image

from viewer import cli, contract

pytestmark = pytest.mark.e2e


def test_html_opens_offline_and_changes_angle(browser, tmp_path):
    out = tmp_path / "gmed.html"
    assert cli.main(["export-html", str(out)]) == 0
    assert 5e6 < out.stat().st_size < 20e6
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    left = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            left.append(url)
            route.abort()

    ctx.route("**/*", only_local)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector(".gmed-ready", timeout=60_000)
    time.sleep(1.5)
    before = np.asarray(Image.open(io.BytesIO(page.locator(".gmed-canvas").screenshot())).convert("L"), float)
    assert before.std() > 20
    slider = page.get_by_role("slider", name="Abduction")
    lo, hi = contract.as_json()["pose_range"]["abduction"]
    assert [slider.get_attribute(a) for a in ("min", "max")] == [f"{lo:g}", f"{hi:g}"]
    slider.fill("40")
    time.sleep(1.5)
    after = np.asarray(Image.open(io.BytesIO(page.locator(".gmed-canvas").screenshot())).convert("L"), float)
    assert np.abs(after - before).mean() > 1.0
    at_40 = page.locator(".gmed-readout").inner_text()
    assert "40°" in at_40
    # it plays: the angle moves on
    page.get_by_role("button", name="▶ Play / pause").click()
    time.sleep(1.0)
    assert page.locator(".gmed-readout").inner_text() != at_40
    page.get_by_role("button", name="▶ Play / pause").click()
    assert left == [] and errors == []
    ctx.close()
