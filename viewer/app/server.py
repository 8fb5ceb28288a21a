"""Serve the app with Panel's server: offline, on 127.0.0.1 by default, one session per page."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

import panel as pn

log = logging.getLogger("gmed")

_sessions = {"open": 0, "total": 0}
_sessions_lock = threading.Lock()
_warm = threading.Event()


def _session_closed(_context) -> None:
    with _sessions_lock:
        _sessions["open"] -= 1
        n = _sessions["open"]
    log.info("session closed (%d open)", n)


def _loop_exception(loop, context) -> None:
    """A browser that leaves while Panel is sending to it is normal in a class: one line,
    not a traceback (Panel's send task fails with WebSocketClosedError). Anything else goes
    to asyncio's default handler."""
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    if isinstance(context.get("exception"), (WebSocketClosedError, StreamClosedError)):
        log.info("a browser left while the server was sending to it; its session will be closed")
        return
    loop.default_exception_handler(context)


def _close_once() -> None:
    """Make Bokeh's websocket ``on_close`` safe to run twice.

    A browser that leaves while the server writes to it gets its connection closed twice
    (once by the failed write, once by tornado): Bokeh's ``WSHandler.on_close`` (3.9) then
    asks the already detached connection for its session and logs an ``AssertionError``
    traceback per leaver. A connection whose session is detached already is only let go
    (``client_lost``, which forgets it; both steps are idempotent).
    """
    from bokeh.server.views.ws import WSHandler

    if getattr(WSHandler.on_close, "_gmed_once", False):
        return
    original = WSHandler.on_close

    def on_close(self) -> None:
        connection = self.connection
        if connection is not None and getattr(connection, "_session", True) is None:
            self.application.client_lost(connection)  # closed and detached already
            return
        original(self)

    on_close._gmed_once = True
    WSHandler.on_close = on_close


def full_page(limit: int) -> pn.viewable.Viewable:
    """What a browser gets when the class is bigger than ``--max-sessions``."""
    return pn.pane.Markdown(
        f"## The 3D hip is busy\n\nThis server already shows the model to {limit} people, "
        "its limit. Reload in a minute, or ask your teacher for the offline page "
        "(`gmed export-html`), which works without the server.",
        sizing_mode="stretch_width",
    )


def create_app(classroom: bool = False, max_sessions: int = 0):
    """One session: a GmedApp set up from the link's query parameters, which are checked."""
    from viewer.app.hipview import PAGE_TEMPLATE
    from viewer.app.links import parse_link
    from viewer.app.main import GmedApp
    from viewer.app.startup import first_view, startup, warm_up

    with _sessions_lock:
        if max_sessions and _sessions["open"] >= max_sessions:
            log.warning("refused a session: %d open, the limit (--max-sessions)", _sessions["open"])
            return full_page(max_sessions)
        _sessions["open"] += 1
        _sessions["total"] += 1
        n = _sessions["open"]
    pn.state.on_session_destroyed(_session_closed)
    log.info("session opened (%d open)", n)
    if not _warm.is_set():  # once per server process (also after --num-procs forks)
        _warm.set()
        asyncio.get_event_loop().set_exception_handler(_loop_exception)
        warm_up()

    s = startup()
    settings, problems = parse_link(pn.state.session_args or {}, views=tuple(s.cameras["right"]))
    settings["classroom"] = classroom or settings.get("classroom", False)
    app = GmedApp(**settings)
    pn.state.curdoc.template = PAGE_TEMPLATE
    # the full scene is built once the first browser has drawn its first frame
    app.view3d.param.watch(lambda e: e.new and first_view.set(), "drawn")
    parts = [app]
    if problems:
        log.info("link with ignored parameters: %s", "; ".join(problems))
        parts.insert(
            0,
            pn.pane.Alert(
                "Link: " + "; ".join(problems),
                alert_type="warning",
                sizing_mode="stretch_width",
                css_classes=["gmed-link-problems"],
            ),
        )
    return pn.Column(*parts, sizing_mode="stretch_both")


def send_without_delay() -> None:
    """Turn off Nagle's algorithm on the app's websockets.

    Bokeh sends every message as three or more websocket frames (header, metadata, content,
    buffers). With Nagle's algorithm on, the later frames wait for the browser to acknowledge
    the first, and browsers delay that acknowledgement by up to 40 ms: measured here, each
    reply took 43-47 ms instead of about 1 ms (benchmarks/load.py, one session).
    """
    from bokeh.server.views.ws import WSHandler

    if getattr(WSHandler, "_gmed_nodelay", False):
        return
    opened = WSHandler.open

    def open_without_delay(self, *args, **kwargs):
        self.set_nodelay(True)
        return opened(self, *args, **kwargs)

    WSHandler.open = open_without_delay
    WSHandler._gmed_nodelay = True


def _stop(signum, _frame):
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def serve(
    host: str = "127.0.0.1",
    port: int = 5006,
    open_browser: bool = True,
    classroom: bool = False,
    num_procs: int = 1,
    max_sessions: int = 0,
    allow_origins: tuple[str, ...] = (),
):
    """Start the server and block until Ctrl-C or SIGTERM.

    Websocket connections are accepted only from pages served by this host and port, and
    by the addresses in ``allow_origins`` (``HOST[:PORT]`` of a reverse proxy in front); there
    is no autoreload, no debug mode and no endpoint that reads or writes files by path.
    """
    pn.extension(design=None, notifications=False)
    send_without_delay()
    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    url = f"http://{shown}:{port}/"
    print(f"gmed-viewer: open {url}  (Ctrl-C stops the server)", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    _close_once()
    try:
        pn.serve(
            {"/": lambda: create_app(classroom, max_sessions)},
            address=host,
            port=port,
            show=open_browser,
            title="gmed-viewer: gluteus medius",
            websocket_origin=[f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}", *allow_origins],
            autoreload=False,
            dev=False,
            print=False,
            num_procs=num_procs,
            check_unused_sessions_milliseconds=5000,
        )
    except KeyboardInterrupt:
        pass
    print(f"gmed-viewer: stopped ({_sessions['total']} sessions served)", flush=True)
