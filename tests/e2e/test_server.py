"""The server under a class: sessions freed, faults survived, bad links, safe defaults, clean stop."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import io
import json
import re
import shutil
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import classclient
import numpy as np
import pytest
from classclient import ClassClient, find_model
from gmedserver import GmedServer

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = "Offline page (HTML)"


def view_model(doc: dict) -> str:
    """The 3D view's model: ``scene_data`` (``pose`` is left out of the document at its default)."""
    return find_model(doc, lambda a: "scene_data" in a, "3D view model")


@pytest.fixture(scope="module", autouse=True)
def _view_model_without_frame():
    # benchmarks/classclient.py on this branch still looks for the removed ``frame``
    # attribute (fixed on the bench branch); harmless once that is merged
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(classclient, "find_view_model", view_model)
        yield


class Client(ClassClient):
    """A student's session as the page talks to the server since issue #15: the pose, sent
    once input rests, and small changes; it keeps what the server changes on the models."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.changed: asyncio.Queue = asyncio.Queue()  # (model id, attr, new value)
        self.clicks = 0
        self._pull = set()  # PULL-DOC-REQ is answered with the document, never with OK

    async def open(self, query: str = "") -> Client:
        await super().open(query)
        self._pull = set(self._acks)
        return self

    async def _read_message(self):
        header, content, buffers = await super()._read_message()
        if header["msgtype"] == "PATCH-DOC":
            for ev in content.get("events", []):
                if ev.get("kind") == "ModelChanged":
                    self.changed.put_nowait((ev["model"]["id"], ev["attr"], ev.get("new")))
        return header, content, buffers

    async def set_model(self, model_id: str, attr: str, value) -> None:
        event = {"kind": "ModelChanged", "model": {"id": model_id}, "attr": attr, "new": value}
        await self._send("PATCH-DOC", {"events": [event]})

    async def put_pose(self, **pose) -> None:
        """HipView.pose as the page sends it."""
        await self.change("pose", as_map(pose))

    async def replied(self) -> None:
        """Wait until the server has answered (OK or ERROR) every message sent."""
        deadline = time.time() + self.timeout
        while set(self._acks) - self._pull and time.time() < deadline:
            await asyncio.sleep(0.01)
        assert not set(self._acks) - self._pull, "the server did not answer"

    async def next_change(self, model_id: str, attr: str):
        while True:
            mid, name, new = await asyncio.wait_for(self.changed.get(), self.timeout)
            if (mid, name) == (model_id, attr):
                return new

    async def offline_page(self) -> str:
        """Press "Offline page (HTML)" and return the page the server made for this session."""
        button = find_model(self.doc, lambda a: a.get("label") == OFFLINE, "offline download")
        self.clicks += 1  # the button counts its clicks: a new value each press
        await self.set_model(button, "clicks", self.clicks)
        data = await self.next_change(button, "data")
        return base64.b64decode(data.split(",", 1)[1]).decode("utf-8")


def as_map(d: dict) -> dict:
    """A dict as BokehJS sends it (a ``map``)."""
    return {"type": "map", "entries": [[k, v] for k, v in d.items()]}


def page_poses(html: str) -> list[dict]:
    """The HipView pose written into an offline page ([] at the default pose, not written)."""
    found = re.findall(r'"pose":\{"type":"map","entries":(\[\[.*?\]\])\}', html)
    return [dict(json.loads(f)) for f in found]


def LoggedServer(tmp: Path, *extra: str, cwd: Path = ROOT, env: dict | None = None) -> GmedServer:
    """``gmed serve`` started from ``cwd`` (the checkout), logging into ``tmp``."""
    return GmedServer(*extra, log_dir=tmp, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = LoggedServer(tmp_path_factory.mktemp("srv")).wait_up()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def srv_bad(tmp_path_factory):
    """A server of its own for the malformed messages, whose errors are logged."""
    s = LoggedServer(tmp_path_factory.mktemp("srv_bad")).wait_up()
    yield s
    s.stop()


def run(coro):
    # in a thread of its own: Playwright's sync API (other tests) keeps a loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def alive(url: str) -> bool:
    """A new session answers a pose, and a sidebar widget reaches its 3D view, within 5 s."""

    async def go():
        c = await Client(url, timeout=30).open()
        t0 = time.perf_counter()
        await c.put_pose(side="left", abduction=12.0, flexion=7.0, rotation=0.0)
        await c.set_widget("Speed (\u00b0/s)", 7.0, wait=False)
        speed = await c.next_change(c.view_id, "speed")
        await c.replied()
        await c.close()
        return speed == 7.0 and time.perf_counter() - t0 < 5

    return run(go())


def test_open_close_cycles_free_every_session(srv):
    """200 sessions opened and closed: all destroyed, and memory does not grow with them."""

    async def cycles(n, batch=10):
        for _ in range(n // batch):
            clients = await asyncio.gather(*[ClassClient(srv.url, timeout=60).open() for _ in range(batch)])
            await asyncio.gather(*[c.close() for c in clients])

    run(cycles(100))  # also lets the background scene build and the allocator settle
    assert srv.wait_sessions(0) == 0
    after_100 = srv.rss_mb(children=False)
    run(cycles(100))
    assert srv.wait_sessions(0) == 0, srv.text()[-2000:]
    after_200 = srv.rss_mb(children=False)
    opened = len(re.findall(r"session opened", srv.text()))
    closed = len(re.findall(r"session closed", srv.text()))
    assert opened == closed >= 200
    # a session costs ~1.4 MB: keeping the last 100 would add ~140 MB. Measured over 350
    # cycles (50 per step): 301, 307, 315, 316, 316, 316, 316 MB (flat once settled)
    assert after_200 - after_100 < 30, (after_100, after_200)
    assert "Traceback" not in srv.text()


def test_disconnects_mid_animation_and_callbacks_on_closed_sessions(srv):
    """Clients leave while playing, right after sending a pose or a change (handled after
    Panel's debounce, by then closed) or while the server builds their offline page: the
    server logs it, carries on and frees the sessions."""

    async def leave(kind):
        c = await Client(srv.url, timeout=60).open()
        if kind == "play":
            await c.change("playing", True)
        elif kind == "pose":
            await c.put_pose(side="left", abduction=12.0, flexion=33.0, rotation=-5.0)
        elif kind == "widget":
            await c.set_widget("Speed (\u00b0/s)", 30.0, wait=False)  # sent on to the 3D view
        elif kind == "view":
            await c.change("view", "lateral")
            await c.change("labels_key", 1)
        else:  # the server builds a 9 MB page for a session that is gone
            await c.set_model(find_model(c.doc, lambda a: a.get("label") == OFFLINE, OFFLINE), "clicks", 1)
        await c.close()

    async def go():
        await asyncio.gather(*[leave(k) for k in ("play", "pose", "widget", "view") * 5 + ("export",) * 2])

    before = srv.open_count()
    run(go())
    assert alive(srv.url)
    assert srv.wait_sessions(before) == before
    assert srv.proc.poll() is None
    assert "Traceback" not in srv.text()


def test_each_session_keeps_the_pose_its_page_sent(srv):
    """Two students send their poses (as a page does once input rests); each session's
    offline page opens at its own side, flexion and rotation: the server heard both."""
    poses = [
        {"side": "left", "abduction": 20.0, "flexion": 25.0, "rotation": -10.0},
        {"side": "right", "abduction": 5.0, "flexion": 50.0, "rotation": 30.0},
    ]

    async def go():
        clients = [await Client(srv.url, timeout=120).open() for _ in poses]
        for c, pose in zip(clients, poses, strict=True):
            await c.put_pose(**pose)
        await asyncio.gather(*[c.replied() for c in clients])
        pages = [await c.offline_page() for c in clients]
        await asyncio.gather(*[c.close() for c in clients])
        return pages

    t0 = time.perf_counter()
    pages = run(go())
    print(f"two offline pages made by the server in {time.perf_counter() - t0:.1f} s")
    for html, pose in zip(pages, poses, strict=True):
        # the session's offline page opens at its pose
        assert pose in page_poses(html), (pose, page_poses(html))
        assert 5e6 < len(html.encode()) <= 12 * 2**20
    assert "Traceback" not in srv.text()


def test_in_stance_mode_download_png_is_the_stance_picture(srv):
    """A page in stance mode (strength 20 %, a cane in the opposite hand) presses "Download PNG":
    the server renders the stance picture of those inputs (``gmed screenshot --stance``), the
    same image this process draws with StanceScene; back in Explore mode, the hip again."""
    from PIL import Image

    from viewer.export.render import png_bytes
    from viewer.mechanics.stance import StanceInput
    from viewer.stance_scene import StanceScene

    stance = {"mode": "stance", "side": "right", "strength": 20.0, "lean": 0.0, "body_mass": 70.0}
    stance.update(cane=20.0, cane_hand="opposite")

    async def press(c):
        button = find_model(c.doc, lambda a: a.get("label") == "Download PNG", "PNG download")
        c.clicks += 1
        await c.set_model(button, "clicks", c.clicks)
        return base64.b64decode((await c.next_change(button, "data")).split(",", 1)[1])

    async def go():
        c = await Client(srv.url, timeout=180).open()
        await c.set_widget("Screenshot size", "1280 x 720", wait=False)
        await c.change("view", "posterior")
        await c.change("stance", as_map(stance))
        await c.replied()
        weak = await press(c)
        await c.change("stance", as_map({**stance, "mode": "explore"}))
        await c.replied()
        explore = await press(c)
        await c.close()
        return weak, explore

    weak, explore = run(go())
    img = [np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), float) for x in (weak, explore)]
    want = StanceScene().render(StanceInput("right", 20.0, cane_pct=20.0), (1280, 720), "light", "posterior")
    drawn = np.asarray(Image.open(io.BytesIO(png_bytes(want))).convert("RGB"), float)
    assert img[0].shape == drawn.shape == (720, 1280, 3)
    assert np.abs(img[0] - drawn).mean() < 0.5
    assert np.abs(img[1] - drawn).mean() > 5  # Explore: the hip, not the standing body
    assert "Traceback" not in srv.text()


def test_wrong_poses_from_a_client_change_nothing_and_the_class_goes_on(srv_bad):
    """A broken or hostile page sends poses that are not poses: the session keeps its pose,
    clamps angles out of range, and the server carries on."""
    good = {"side": "left", "abduction": 10.0, "flexion": 15.0, "rotation": 5.0}
    bad = [
        as_map({"knee": 3}),
        as_map({"side": "middle"}),
        5,  # not a dict: Bokeh refuses it (ERROR reply, its own traceback in the log)
    ]
    huge = {"side": "middle", "abduction": 10.0, "flexion": 15.0, "rotation": 1e308}

    async def go():
        c = await Client(srv_bad.url, timeout=60).open()
        for pose in [as_map(good), *bad]:  # one at a time: Panel keeps the last change per debounce
            await c.change("pose", pose)
            await c.replied()
            await asyncio.sleep(0.2)
        first = await c.offline_page()
        await c.put_pose(**huge)
        await c.replied()
        second = await c.offline_page()
        await c.close()
        return first, second

    first, second = run(go())
    assert good in page_poses(first)  # the bad ones changed nothing
    # an angle out of range is clamped to it; an unknown side leaves the side as it was
    assert {**good, "rotation": 30.0} in page_poses(second)
    assert alive(srv_bad.url)
    assert srv_bad.wait_sessions(0) == 0
    assert srv_bad.proc.poll() is None


def test_a_pose_that_is_not_numbers_is_ignored_without_a_traceback(srv_bad):
    """Angles that are not numbers are ignored like unknown fields. Fails while
    GmedApp._from_browser (viewer/app/main.py) calls float() on them unchecked: each logs two
    tracebacks (ValueError / TypeError) from the session's callback."""

    async def go():
        c = await Client(srv_bad.url, timeout=60).open()
        for pose in ({"abduction": "ten"}, {"flexion": None}):
            await c.change("pose", as_map(pose))
            await c.replied()
            await asyncio.sleep(0.2)
        await c.close()

    before = srv_bad.text().count("viewer/app/main.py")
    run(go())
    assert alive(srv_bad.url)
    assert srv_bad.wait_sessions(0) == 0
    log = srv_bad.text()
    assert log.count("viewer/app/main.py") == before, log[-1500:]


def test_reload_storm(srv):
    """60 page loads in a burst (half never connect their websocket), then the class goes on."""

    async def go():
        http = [asyncio.to_thread(urllib.request.urlopen, srv.url, timeout=60) for _ in range(30)]
        ws = [ClassClient(srv.url, timeout=60).open() for _ in range(30)]
        results = await asyncio.gather(*http, *ws)
        await asyncio.gather(*[c.close() for c in results[30:]])

    base = srv.open_count()
    run(go())
    assert alive(srv.url)
    # sessions whose page never connected expire after Bokeh's unused-session lifetime (15 s)
    assert srv.wait_sessions(base, timeout=60) == base
    assert srv.proc.poll() is None
    assert "Traceback" not in srv.text()


def test_websocket_from_another_origin_is_refused(srv):
    async def go():
        await ClassClient(srv.url, origin="http://evil.example:80", timeout=10).open()

    with pytest.raises(Exception, match="403"):
        run(go())


@pytest.mark.parametrize(
    "path",
    [
        "../../../../etc/passwd",
        "static/../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "static/extensions/panel/..%2f..%2f..%2f..%2fetc/passwd",
        "static/extensions/panel/bundled/abstractvtkplot/vtk.js@30.1.0/../../../../../../../etc/passwd",
    ],
)
def test_no_endpoint_reads_arbitrary_paths(srv, path):
    try:
        with urllib.request.urlopen(srv.url + path, timeout=10) as r:
            body = r.read()
    except urllib.error.HTTPError as exc:
        assert exc.code in (400, 403, 404)
        return
    assert b"root:" not in body


def test_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path):
    for sig in (signal.SIGINT, signal.SIGTERM):
        s = LoggedServer(tmp_path).wait_up()
        c = run(ClassClient(s.url, timeout=60).open())  # a student is connected
        t0 = time.time()
        assert s.stop(sig) == 0
        assert time.time() - t0 < 10
        text = s.text()
        assert "gmed-viewer: stopped" in text
        assert "Traceback" not in text and "Error" not in text, text
        del c


def test_serve_refuses_broken_annotations_with_one_line(tmp_path):
    """A typo in an annotation file: serve stops before listening, exit 3, one line, no cache."""
    tree = tmp_path / "tree"
    for d in ("viewer", "meshes", "annotations"):
        shutil.copytree(ROOT / d, tree / d, ignore=shutil.ignore_patterns("__pycache__"))
    labels = tree / "annotations" / "labels.json"
    labels.write_text(labels.read_text().replace('"text"', '"txet"', 1))
    cache = tmp_path / "cache"
    s = LoggedServer(tmp_path, cwd=tree, env={"PYTHONPATH": str(tree), "GMED_CACHE_DIR": str(cache)})
    code = s.proc.wait(timeout=120)
    s.log.close()
    text = s.text().strip()
    assert code == 3, text
    assert text.count("\n") == 0, text
    assert text.startswith("gmed: data error: annotations/labels.json: labels[0]"), text
    assert "Traceback" not in text
    assert not list(cache.glob("startup-*.bin"))


def test_session_limit_gives_a_busy_page(tmp_path):
    s = LoggedServer(tmp_path, "--max-sessions", "2").wait_up()
    try:

        async def go():
            first = [await ClassClient(s.url, timeout=60).open() for _ in range(2)]
            with pytest.raises(RuntimeError, match="no 3D view model"):
                await ClassClient(s.url, timeout=60).open()  # the third student
            for c in first:
                await c.close()

        run(go())
        assert "refused a session: 2 open, the limit (--max-sessions)" in s.text()
        assert s.wait_sessions(0) == 0
        assert alive(s.url)  # room again once the others have left
    finally:
        s.stop()


def test_download_png_draws_the_pages_peel_and_opacities(srv, tmp_path):
    """The page makes the maximus opaque (``gmed.setOpacity``), then peels one layer (slider,
    P, ``gmed.setPeel``): "Download PNG" shows the opaque maximus, then none, the same image
    as ``gmed screenshot --peel 1`` (the served app shows labels: ``--labels``)."""
    from PIL import Image

    from viewer.cli import main as cli

    async def press(c):
        button = find_model(c.doc, lambda a: a.get("label") == "Download PNG", "PNG download")
        c.clicks += 1
        await c.set_model(button, "clicks", c.clicks)
        return base64.b64decode((await c.next_change(button, "data")).split(",", 1)[1])

    async def go():
        c = await Client(srv.url, timeout=180).open()
        await c.set_widget("Screenshot size", "1280 x 720", wait=False)
        await c.change("opacities", as_map({"maximus": 1.0}))
        await c.replied()
        opaque = await press(c)
        await c.change("peel", 1)
        await c.replied()
        peeled = await press(c)
        await c.close()
        return opaque, peeled

    def purple(img):  # gluteus maximus, style.json #c39bd3, lit (the dark posterior fibres: g < 80)
        r, g, b = (img[..., i] for i in range(3))
        return float(((b - g > 25) & (r - g > 25) & (g > 80)).mean())

    opaque, peeled = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), float) for x in run(go()))
    out = tmp_path / "peel1.png"
    assert (
        cli(["screenshot", str(out), "--peel", "1", "--labels", "--size", "1280x720", "--view", "oblique"])
        == 0
    )
    drawn = np.asarray(Image.open(out).convert("RGB"), float)
    assert peeled.shape == drawn.shape == (720, 1280, 3)
    assert purple(opaque) > 0.01 and purple(peeled) < 0.001, (purple(opaque), purple(peeled))
    assert np.abs(peeled - drawn).mean() < 0.5
    assert "Traceback" not in srv.text()
