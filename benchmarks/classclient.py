"""A light classroom client: one app session over Bokeh's websocket protocol, without a browser."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')


class ClosedError(RuntimeError):
    """The server closed the websocket."""


def find_model(doc: dict, matches, what: str) -> str:
    """Id of the first model in the document whose attributes satisfy ``matches``."""
    found = []

    def walk(x):
        if isinstance(x, dict):
            attrs = x.get("attributes")
            if isinstance(attrs, dict) and "id" in x and matches(attrs):
                found.append(x["id"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    if not found:
        raise RuntimeError(f"no {what} in the document")
    return found[0]


def find_widget(doc: dict, title: str) -> str:
    """Id of the widget model whose title is ``title`` (e.g. the flexion slider)."""
    return find_model(doc, lambda a: a.get("title") == title, f"widget titled {title!r}")


def find_view_model(doc: dict) -> str:
    """Id of the 3D view's data model: the object with a ``scene_data`` attribute (``pose``,
    or before issue #15 ``frame``, may be absent: a default value is not sent)."""
    return find_model(doc, lambda a: "scene_data" in a, "3D view model")


def as_map(d: dict) -> dict:
    """A dict as BokehJS sends it over the websocket (a ``map``)."""
    return {"type": "map", "entries": [[k, v] for k, v in d.items()]}


class ClassClient:
    """One session, as a student's browser talks to the server (load the page, pull the
    document, change the view's attributes, press play, close), measuring the replies.

    Use ``await open()``, then ``send_pose`` (the browser computes every pose since issue
    #15 and sends the pose once its input rests) or, against older servers that compute the
    frames, ``set_angle``/``set_widget``/``play``; then ``close()``. The load benchmark and
    the fault tests use it to reach 30-60 sessions on one machine.
    """

    def __init__(self, url: str, origin: str | None = None, timeout: float = 30.0):
        self.url = url.rstrip("/") + "/"
        self.origin = origin or self.url.rstrip("/")
        self.timeout = timeout
        self.ws = None
        self.view_id = ""
        self.angle = 0.0  # the abduction this session shows
        self.released = 0.0  # the abduction the server last set on the 3D view
        self.doc_bytes = 0
        self.bytes_received = 0
        self.bytes_sent = 0
        self._last_ack: asyncio.Future | None = None  # the reply to the last message sent
        self._frames: asyncio.Queue = asyncio.Queue()
        self._acks: dict[str, tuple[float, asyncio.Future]] = {}
        self.ack_latencies: list[float] = []
        self._reader: asyncio.Task | None = None
        self.closed = asyncio.Event()

    # ------------------------------------------------------------------ protocol
    async def _read_message(self) -> tuple[dict, dict, list[bytes]]:
        parts = []
        for _ in range(3):
            m = await self.ws.read_message()
            if m is None:
                raise ClosedError("websocket closed by the server")
            self.bytes_received += len(m)
            parts.append(m)
        header, _metadata, content = (json.loads(p) for p in parts)
        buffers = []
        for _ in range(header.get("num_buffers", 0)):
            for _ in range(2):
                m = await self.ws.read_message()
                if m is None:
                    raise ClosedError("websocket closed by the server")
                self.bytes_received += len(m)
            buffers.append(m)
        return header, content, buffers

    async def _send(self, msgtype: str, content: dict) -> str:
        msgid = uuid.uuid4().hex
        fut = asyncio.get_running_loop().create_future()
        self._acks[msgid] = (time.perf_counter(), fut)
        self._last_ack = fut
        for part in (json.dumps({"msgid": msgid, "msgtype": msgtype}), "{}", json.dumps(content)):
            self.bytes_sent += len(part)
            await self.ws.write_message(part)
        return msgid

    async def _read_loop(self):
        try:
            while True:
                header, content, _ = await self._read_message()
                if header["msgtype"] in ("OK", "ERROR") and header.get("reqid") in self._acks:
                    t0, fut = self._acks.pop(header["reqid"])
                    self.ack_latencies.append(time.perf_counter() - t0)
                    if not fut.done():
                        fut.set_result(header["msgtype"])
                if header["msgtype"] != "PATCH-DOC":
                    continue
                mine = {
                    ev.get("attr")
                    for ev in content.get("events", [])
                    if ev.get("model", {}).get("id") == self.view_id
                }
                if "sweep" in mine:
                    self._frames.put_nowait(("sweep", time.perf_counter()))
                # a new pose: a frame from the server, an angle the page takes from its sweep,
                # or (since issue #15) a pose the page computes itself
                if "frame" in mine or "angle" in mine or "pose" in mine:
                    self._frames.put_nowait(time.perf_counter())
        except (ClosedError, asyncio.CancelledError):
            pass
        finally:
            self.closed.set()

    # ------------------------------------------------------------------ actions
    async def open(self, query: str = "") -> ClassClient:
        """Load the page (creates the session) and connect its websocket."""
        http = AsyncHTTPClient()
        # connect_timeout too: tornado also bounds the wait in its queue of 10 connections by it
        # (20 s by default), which a burst of 30 page loads outwaits on a 2-core machine
        page = await http.fetch(self.url + query, request_timeout=self.timeout, connect_timeout=self.timeout)
        match = TOKEN.search(page.body.decode("utf-8", "replace"))
        if not match:
            raise RuntimeError("no session token in the page")
        ws_url = self.url.replace("http://", "ws://") + "ws"
        req = HTTPRequest(ws_url, headers={"Origin": self.origin}, request_timeout=self.timeout)
        self.ws = await websocket_connect(
            req, subprotocols=["bokeh", match.group(1)], max_message_size=64 * 1024 * 1024
        )
        self.ws.protocol.set_nodelay(True)  # as browsers do: each message is several frames
        header, _, _ = await asyncio.wait_for(self._read_message(), self.timeout)
        if header["msgtype"] != "ACK":
            raise RuntimeError(f"expected ACK, got {header['msgtype']}")
        start = self.bytes_received
        await self._send("PULL-DOC-REQ", {})
        while True:
            header, content, _ = await asyncio.wait_for(self._read_message(), self.timeout)
            if header["msgtype"] == "PULL-DOC-REPLY":
                break
        self.doc_bytes = self.bytes_received - start
        self.doc = content["doc"]
        self.view_id = find_view_model(self.doc)
        self._reader = asyncio.ensure_future(self._read_loop())
        # as the browser does once it has rendered the document (Panel holds updates until then)
        ready = {"type": "event", "name": "document_ready", "values": {"type": "map"}}
        event = {"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": ready}
        await self._send("PATCH-DOC", {"events": [event]})
        await self.change("drawn", True)
        return self

    async def change(self, attr: str, value) -> None:
        """Set an attribute of the 3D view's model, as the browser does."""
        event = {"kind": "ModelChanged", "model": {"id": self.view_id}, "attr": attr, "new": value}
        await self._send("PATCH-DOC", {"events": [event]})

    async def send_pose(self, pose: dict, wait: bool = True) -> float | None:
        """Send ``HipView.pose`` as the page does once its input rests; return seconds until the
        server's reply (``OK``), or None without ``wait``. The server sends no frame back."""
        t0 = time.perf_counter()
        await self.change("pose", as_map(pose))
        reply = self._last_ack
        if not wait:
            return None
        await asyncio.wait_for(reply, self.timeout)
        return time.perf_counter() - t0

    async def set_widget(self, title: str, value, wait: bool = True, attr: str = "value") -> float | None:
        """Move a sidebar widget (by its title) as a student does; return seconds until the pose.

        A dragged slider sends ``value`` at every step and ``value_throttled`` on release.
        """
        t0 = time.perf_counter()
        event = {"kind": "ModelChanged", "model": {"id": find_widget(self.doc, title)}, "attr": attr}
        await self._send("PATCH-DOC", {"events": [{**event, "new": value}]})
        if not wait:
            return None
        return await self.next_frame() - t0

    async def set_angle(self, angle: float, wait: bool = True) -> float | None:
        """Move the abduction angle (the arrow keys' message); return seconds until the frame."""
        t0 = time.perf_counter()
        self.angle = angle
        await self.change("angle", angle)
        if not wait:
            return None
        return await self.next_frame() - t0

    async def next_frame(self) -> float:
        """Time (perf_counter) at which the next pose arrived (a frame, or an angle)."""
        while True:
            item = await asyncio.wait_for(self._frames.get(), self.timeout)
            if not isinstance(item, tuple):
                return item

    async def play(self) -> float:
        """Press play; return seconds until the abduction sweep has arrived."""
        t0 = time.perf_counter()
        await self.change("playing", True)
        while True:
            item = await asyncio.wait_for(self._frames.get(), self.timeout)
            if isinstance(item, tuple):
                return item[1] - t0

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
