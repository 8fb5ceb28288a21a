"""The ``gmed`` command: subcommands, argument checks and exit codes.

Every value is checked while the arguments are parsed, before any work starts: a bad one
ends in a single line that names the option and what it accepts, exit code 2, and nothing
written. A broken data file ends in one line and exit code 3.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
from pathlib import Path

from viewer import contract
from viewer.anatomy import POSE_RANGE, SIDES
from viewer.data import DataError
from viewer.export.files import MAX_SIZE, ExportError

PARTS = ("anterior", "middle", "posterior", "whole")
#: Default limit of open sessions per server process (see benchmarks/load.py).
MAX_SESSIONS = 100


class UsageError(Exception):
    """A command-line value the command cannot use; exit code 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


# ---------------------------------------------------------------------- value types
def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number; give {what}")
    return value


def degrees(joint: str):
    """Argument type: an angle of ``joint`` in degrees, inside its pose range."""
    lo, hi = POSE_RANGE[joint]
    what = f"{joint} in degrees from {lo:g} to {hi:g}"

    def parse(text: str) -> float:
        value = _number(text, what)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {lo:g}..{hi:g}; give {what}")
        return value

    parse.__name__ = f"{joint} angle"
    return parse


def number_in(lo: float, hi: float, unit: str = "", integer: bool = False):
    """Argument type: a number (``integer``: a whole number) from ``lo`` to ``hi``."""
    what = f"{'a whole number' if integer else 'a number'} from {lo:g} to {hi:g}{unit}"

    def parse(text: str) -> float | int:
        value = _number(text, what)
        if integer and value != int(value):
            raise argparse.ArgumentTypeError(f"{text} is not a whole number; give {what}")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {lo:g}..{hi:g}; give {what}")
        return int(value) if integer else value

    parse.__name__ = "value"
    return parse


def size(text: str) -> tuple[int, int]:
    """Argument type: ``WIDTHxHEIGHT`` in pixels, 64x64 up to :data:`MAX_SIZE`."""
    what = f"WIDTHxHEIGHT in pixels from 64x64 to {MAX_SIZE[0]}x{MAX_SIZE[1]}, e.g. 1920x1080"
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give {what}") from None
    if not (64 <= w <= MAX_SIZE[0] and 64 <= h <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(f"{text} is outside the range; give {what}")
    return w, h


def view(text: str) -> str:
    """Argument type: a camera preset id from ``annotations/views.json``."""
    ids = contract.views()["ids"]
    if text not in ids:
        raise argparse.ArgumentTypeError(f"unknown view {text!r}; choose from {', '.join(ids)}")
    return text


#: HOST or HOST:PORT, as a browser sends it in the Origin header (no scheme, no path)
ORIGIN = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def origin(text: str) -> str:
    """Argument type: the address a reverse proxy serves the app on, ``HOST[:PORT]``."""
    if not ORIGIN.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST or HOST:PORT (e.g. example.org:8080)")
    return text


def layers(text: str) -> frozenset[str]:
    """Argument type: a comma list of layers from :data:`viewer.contract.LAYERS`."""
    names = {t.strip() for t in text.split(",")}
    unknown = names - set(contract.LAYERS)
    if unknown:
        shown = ", ".join(repr(u) for u in sorted(unknown))
        raise argparse.ArgumentTypeError(f"unknown {shown}; choose from {', '.join(contract.LAYERS)}")
    return frozenset(names)


def camera(text: str) -> dict:
    """Argument type: nine numbers ``px,py,pz,fx,fy,fz,ux,uy,uz`` (mm, pelvis frame)."""
    what = "9 finite numbers px,py,pz,fx,fy,fz,ux,uy,uz (mm, pelvis frame)"
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 9 or not all(math.isfinite(x) for x in v):
        raise argparse.ArgumentTypeError(f"give {what}")
    d = [v[i] - v[i + 3] for i in range(3)]
    up = v[6:9]
    cross = [d[1] * up[2] - d[2] * up[1], d[2] * up[0] - d[0] * up[2], d[0] * up[1] - d[1] * up[0]]
    if math.hypot(*d) < 1.0 or math.hypot(*cross) < 1e-6 * math.hypot(*d) * (math.hypot(*up) or 1):
        raise argparse.ArgumentTypeError(
            "the camera must stand 1 mm or more from the focal point, "
            "with a view-up not along the line of sight"
        )
    return {"position": v[0:3], "focal_point": v[3:6], "view_up": up, "view_angle": contract.view_angle()}


def output(*suffixes: str, folder: bool = False):
    """Argument type: an output path with one of ``suffixes`` (``folder``: or no suffix)."""
    allowed = " or ".join(f"a {x} file" for x in suffixes) + (" or a folder name" if folder else "")

    def parse(text: str) -> Path:
        path = Path(text)
        suffix = path.suffix.lower()
        if path.is_dir() and not folder:
            raise argparse.ArgumentTypeError(f"{text} is a folder; give {allowed}")
        if suffix not in suffixes and not (folder and not suffix):
            raise argparse.ArgumentTypeError(f"{text}: give {allowed}")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"{text}: folder {path.parent} does not exist")
        return path

    parse.__name__ = "output"
    return parse


def _check_new(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")


# ---------------------------------------------------------------------- commands
def _table(args: argparse.Namespace) -> int:
    from viewer.anatomy import HipModel
    from viewer.muscle import GluteusMedius, sweep

    lo, hi = POSE_RANGE[args.joint]
    args.start = lo if args.start is None else args.start  # the joint's whole range by default
    args.stop = hi if args.stop is None else args.stop
    if not (lo <= args.start <= hi and lo <= args.stop <= hi):
        raise UsageError(f"--from and --to must lie in {lo:g}..{hi:g} deg for {args.joint}")
    if args.stop < args.start:
        raise UsageError("--to must not be smaller than --from")
    if args.csv is not None:
        _check_new(args.csv, args.force)
    fixed = {"abduction": args.abduction, "flexion": args.flexion, "rotation": args.rotation}
    model = HipModel()
    sides = SIDES if args.side == "both" else (args.side,)
    muscles = {s: GluteusMedius(model, s) for s in sides}
    rows = sweep(muscles, args.joint, args.start, args.stop, args.step, fixed=fixed)
    if args.csv is not None:
        from viewer.export import write_atomic

        text = io.StringIO()
        fields = ["joint", "angle_deg", "side", "part", "length_mm", "moment_arm_mm"]
        writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    **{k: r[k] for k in ("joint", "side", "part")},
                    "angle_deg": f"{r['angle_deg']:g}",
                    "length_mm": f"{r['length_mm']:.2f}",
                    "moment_arm_mm": f"{r['moment_arm_mm']:.2f}",
                }
            )
        write_atomic(args.csv, lambda tmp: tmp.write_text(text.getvalue()), args.force)
        print(f"wrote {len(rows)} rows to {args.csv}")
    print(format_table(rows, args.joint, {k: v for k, v in fixed.items() if k != args.joint}))
    return 0


def format_table(rows: list[dict], joint: str, fixed: dict | None = None) -> str:
    """A readable terminal table: one line per angle and side, parts side by side."""
    sign = {
        "abduction": "+ abducts",
        "flexion": "+ flexes",
        "rotation": "+ rotates internally",
    }[joint]
    held = ", ".join(f"{k} {v:g}°" for k, v in (fixed or {}).items())
    head = (
        f"Gluteus medius, {joint} sweep{f' at {held}' if held else ''}. Length along the fibre "
        f"lines (mm); moment arm -dL/dθ about the hip centre (mm, {sign}).\n"
    )
    cols = "".join(f"{p:>10}" for p in PARTS)
    lines = [
        head,
        f"{'angle°':>7} {'side':<6}|{'length mm':^40}|{'moment arm mm':^40}",
        f"{'':>7} {'':<6}|{cols}|{cols}",
        "-" * 96,
    ]
    by_key: dict[tuple, dict] = {}
    for r in rows:
        by_key.setdefault((r["angle_deg"], r["side"]), {})[r["part"]] = r
    for (angle, side), parts in by_key.items():
        lengths = "".join(f"{parts[p]['length_mm']:>10.1f}" for p in PARTS)
        arms = "".join(f"{parts[p]['moment_arm_mm']:>10.1f}" for p in PARTS)
        lines.append(f"{angle:>7g} {side:<6}|{lengths}|{arms}")
    return "\n".join(lines)


def _serve(args: argparse.Namespace) -> int:
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


def _scene_options(args: argparse.Namespace):
    from viewer.anatomy import Pose
    from viewer.options import SceneOptions

    shown = set(contract.LAYERS) - {"labels"} if args.layers is None else set(args.layers)
    if getattr(args, "labels", False):
        shown.add("labels")
    pose = Pose(args.abduction, args.flexion, args.rotation)
    return SceneOptions(pose=pose, side=args.side, view=args.view, theme=args.theme, layers=frozenset(shown))


def _screenshot(args: argparse.Namespace) -> Path:
    from viewer.export import render_png, write_atomic
    from viewer.scene import HipScene

    png = render_png(
        HipScene(), _scene_options(args), args.size, camera=args.camera, transparent=args.transparent
    )
    return write_atomic(args.out, lambda tmp: tmp.write_bytes(png), args.force)


def _animate(args: argparse.Namespace) -> Path:
    from viewer.export import animate
    from viewer.scene import HipScene

    if args.stop == args.start:
        raise UsageError("--start and --stop must differ")
    opts = _scene_options(args)
    return animate(
        HipScene(), args.out, opts, args.start, args.stop, args.frames, args.fps, args.size, args.force
    )


def _export_scene(args: argparse.Namespace) -> Path:
    from viewer.export import export_scene
    from viewer.scene import HipScene

    opts = _scene_options(args)
    return export_scene(HipScene(), args.out, opts.pose, opts.side, args.force)


def _handout(args: argparse.Namespace) -> Path:
    from viewer.export import handout
    from viewer.scene import HipScene

    return handout(HipScene(), args.out, args.side, paper=args.paper, force=args.force)


def _export_html(args: argparse.Namespace) -> Path:
    from viewer.app.standalone import export_html

    return export_html(
        args.out, args.side, args.flexion, args.rotation, args.force, abduction=args.abduction, view=args.view
    )


def _writes(command):
    """Run an exporting command: the file goes through an atomic write; say where it went."""

    def run(args: argparse.Namespace) -> int:
        _check_new(args.out, args.force)
        print(f"wrote {command(args)}")
        return 0

    return run


# ---------------------------------------------------------------------- parser
def _pose_args(p: argparse.ArgumentParser, abduction: bool = True, side: bool = True) -> None:
    if abduction:
        p.add_argument("--abduction", type=degrees("abduction"), default=0.0, help="degrees, -15..45")
    p.add_argument("--flexion", type=degrees("flexion"), default=0.0, help="degrees, 0..60")
    p.add_argument(
        "--rotation", type=degrees("rotation"), default=0.0, help="internal rotation, deg, -20..30"
    )
    if side:
        p.add_argument("--side", choices=["right", "left"], default="right", help="the side that moves")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")


def _look_args(p: argparse.ArgumentParser, default_size: str) -> None:
    p.add_argument(
        "--view",
        type=view,
        default=None,
        help="a camera preset of annotations/views.json (oblique, lateral, ...)",
    )
    p.add_argument("--theme", choices=contract.THEMES, default="light")
    p.add_argument("--size", type=size, default=size(default_size), help="WIDTHxHEIGHT, up to 3840x2160")
    p.add_argument("--layers", type=layers, default=None, help="comma list of " + ",".join(contract.LAYERS))


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="gmed", description="gmed-viewer: the gluteus medius on a real pelvis and femur")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table", help="muscle length and moment arm over a sweep of hip angles")
    t.add_argument("--joint", choices=list(POSE_RANGE), default="abduction")
    deg = number_in(-90, 90, " deg")
    t.add_argument("--from", dest="start", type=deg, help="first angle (default: the joint's range)")
    t.add_argument("--to", dest="stop", type=deg, help="last angle (default: the joint's range)")
    t.add_argument("--step", type=number_in(0.5, 90, " deg"), default=5.0, help="angle step (deg)")
    t.add_argument("--side", choices=["both", "right", "left"], default="both")
    _pose_args(t, side=False)
    t.set_defaults(csv=None)
    t.add_argument("--csv", metavar="FILE", type=output(".csv"), help="also write the rows as CSV")
    t.set_defaults(func=_table)

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
    s.set_defaults(func=_serve)

    sc = sub.add_parser("screenshot", help="render a PNG off-screen")
    sc.add_argument("out", type=output(".png"), help="output .png")
    _pose_args(sc)
    _look_args(sc, "1920x1080")
    sc.add_argument("--labels", action="store_true", help="draw the labels")
    sc.add_argument("--transparent", action="store_true", help="transparent background")
    sc.add_argument(
        "--camera", type=camera, default=None, help="px,py,pz,fx,fy,fz,ux,uy,uz in mm (overrides --view)"
    )
    sc.set_defaults(func=_writes(_screenshot))

    an = sub.add_parser("animate", help="the abduction animation as GIF or MP4")
    an.add_argument("out", type=output(".gif", ".mp4"), help="output .gif or .mp4")
    _pose_args(an, abduction=False)
    _look_args(an, "800x600")
    an.add_argument("--start", type=degrees("abduction"), default=-15.0, help="first abduction angle (deg)")
    an.add_argument("--stop", type=degrees("abduction"), default=45.0, help="last abduction angle (deg)")
    an.add_argument(
        "--frames",
        type=number_in(2, 400, integer=True),
        default=30,
        help="frames from start to stop (played there and back)",
    )
    an.add_argument("--fps", type=number_in(1, 60, integer=True), default=20)
    an.set_defaults(func=_writes(_animate), abduction=0.0)

    ex = sub.add_parser("export-scene", help="posed geometry as .glb or a folder of PLY files")
    ex.add_argument(
        "out", type=output(".glb", folder=True), help="output .glb, or a folder name for PLY files"
    )
    _pose_args(ex)
    ex.set_defaults(func=_writes(_export_scene), view=None, theme="light", layers=None)

    ho = sub.add_parser("handout", help="a one-page handout as PDF or PNG")
    ho.add_argument("out", type=output(".pdf", ".png"), help="output .pdf or .png")
    ho.add_argument("--side", choices=["right", "left"], default="right")
    ho.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ho.add_argument("--force", action="store_true", help="overwrite an existing output")
    ho.set_defaults(func=_writes(_handout))

    ht = sub.add_parser(
        "export-html", help="the whole app as one HTML file, for any browser, offline (opens at this pose)"
    )
    ht.add_argument("out", type=output(".html"), help="output .html")
    _pose_args(ht)
    ht.add_argument("--view", type=view, default=None, help="the camera preset it opens with")
    ht.set_defaults(func=_writes(_export_html))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"gmed {args.command}"
    try:
        return args.func(args)
    except UsageError as exc:
        parser.exit(2, f"{prog}: error: {exc}\n")
    except DataError as exc:
        parser.exit(3, f"gmed: data error: {exc}\n")
    except OSError as exc:  # the disk filled up, a permission changed: nothing was left behind
        where = f" ({exc.filename})" if exc.filename else ""
        parser.exit(2, f"{prog}: error: cannot write the output{where}: {exc.strerror or exc}\n")
    except ExportError as exc:
        parser.exit(2, f"{prog}: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, f"{prog}: interrupted; nothing was written\n")


if __name__ == "__main__":
    sys.exit(main())
