"""``gmed serve``: the 3D app in the browser, for one student or a whole class."""

from __future__ import annotations

import argparse
import sys

from viewer.cli.args import UsageError, number_in, origin

#: Default limit of open sessions per server process (see benchmarks/load.py).
MAX_SESSIONS = 100


def run(args: argparse.Namespace) -> int:
    """Check the address, prepare the start-up data and serve until stopped."""
    import logging
    import socket

    try:  # a busy port or an address not on this machine: one line now, not a traceback later
        infos = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None

    from viewer.app.startup import prepare_in_background, startup, wait_for_helper

    log = logging.getLogger("gmed")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s gmed: %(message)s", "%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    # the start-up payloads come from the cache, or are built and checked now, so that a
    # broken annotation or mesh file stops here with one line; a missing cache is built by a
    # second process while this one imports Panel
    helper = prepare_in_background()
    from viewer.app.hipview import vtk_js_path
    from viewer.app.server import serve

    try:
        vtk_js_path()  # the vtk.js inside the panel wheel: one clear line if this Panel lacks it
    except RuntimeError as exc:
        if helper is not None:
            helper.kill()
        raise UsageError(str(exc)) from None
    if helper is not None:
        wait_for_helper(helper)
    startup()

    if args.host not in ("127.0.0.1", "localhost"):
        print(
            f"warning: serving on {args.host}: the app is visible to other machines on the network",
            file=sys.stderr,
        )
    serve(
        host=args.host,
        port=args.port,
        open_browser=not args.no_browser,
        classroom=args.classroom,
        num_procs=args.num_procs,
        max_sessions=args.max_sessions,
        allow_origins=tuple(args.allow_origin),
    )
    return 0


def add_parser(sub) -> None:
    """Add ``gmed serve`` to the subcommands."""
    s = sub.add_parser("serve", help="open the 3D app in the browser")
    s.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)"
    )
    s.add_argument("--port", type=number_in(1, 65535, integer=True), default=5006)
    s.add_argument("--no-browser", action="store_true", help="do not open a browser")
    s.add_argument("--classroom", action="store_true", help="start in classroom (projector) mode")
    s.add_argument(
        "--num-procs",
        type=number_in(1, 16, integer=True),
        default=1,
        metavar="N",
        help="server processes sharing the port (a large class: one per CPU core; default 1)",
    )
    s.add_argument(
        "--max-sessions",
        type=number_in(0, 100_000, integer=True),
        default=MAX_SESSIONS,
        metavar="N",
        help=f"open sessions per process; more get a 'busy' page (default {MAX_SESSIONS}, 0: no limit)",
    )
    s.add_argument(
        "--allow-origin",
        type=origin,
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="also accept pages served through this address (a reverse proxy in front); repeatable",
    )
    s.set_defaults(func=run)
