"""The ``gmed`` command: subcommands, argument checks and exit codes."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from viewer import contract
from viewer.anatomy import POSE_RANGE, SIDES
from viewer.data import DataError

PARTS = ("anterior", "middle", "posterior", "whole")
#: Default limit of open sessions per server process (see benchmarks/load.py).
MAX_SESSIONS = 100


class UsageError(Exception):
    """A command-line value the command cannot use; exit code 2."""


def _table(args: argparse.Namespace) -> int:
    from viewer.anatomy import HipModel
    from viewer.muscle import GluteusMedius, sweep

    lo, hi = POSE_RANGE[args.joint]
    if not (lo <= args.start <= hi and lo <= args.stop <= hi):
        raise UsageError(f"--from and --to must lie in {lo:g}..{hi:g} deg for {args.joint}")
    if args.stop < args.start:
        raise UsageError("--to must not be smaller than --from")
    if not 0 < args.step <= 90:
        raise UsageError("--step must be between 0 and 90 deg")
    model = HipModel()
    sides = SIDES if args.side == "both" else (args.side,)
    rows = sweep({s: GluteusMedius(model, s) for s in sides}, args.joint, args.start, args.stop, args.step)
    if args.csv:
        path = Path(args.csv)
        try:
            with path.open("w", newline="") as fh:
                writer = csv.DictWriter(
                    fh, fieldnames=["joint", "angle_deg", "side", "part", "length_mm", "moment_arm_mm"]
                )
                writer.writeheader()
                for r in rows:
                    writer.writerow(
                        {
                            **r,
                            "angle_deg": f"{r['angle_deg']:g}",
                            "length_mm": f"{r['length_mm']:.2f}",
                            "moment_arm_mm": f"{r['moment_arm_mm']:.2f}",
                        }
                    )
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        print(f"wrote {len(rows)} rows to {path}")
    print(format_table(rows, args.joint))
    return 0


def format_table(rows: list[dict], joint: str) -> str:
    """A readable terminal table: one line per angle and side, parts side by side."""
    sign = {
        "abduction": "+ abducts",
        "flexion": "+ flexes",
        "rotation": "+ rotates internally",
    }[joint]
    head = (
        f"Gluteus medius, {joint} sweep. Length along the fibre lines (mm); "
        f"moment arm -dL/dθ about the hip centre (mm, {sign}).\n"
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
    if not 0 < args.port < 65536:
        raise UsageError("--port must be between 1 and 65535")
    if not 1 <= args.num_procs <= 16:
        raise UsageError("--num-procs must be between 1 and 16")
    if args.max_sessions < 0:
        raise UsageError("--max-sessions must be 0 (no limit) or more")
    import logging

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
    from viewer.app.server import serve

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
    )
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r}: give WIDTHxHEIGHT, e.g. 1920x1080") from None
    from viewer.export import check_size

    try:
        return check_size((w, h))
    except ValueError as exc:
        raise UsageError(f"--size: {exc}") from None


def _scene_options(args: argparse.Namespace):
    from viewer.anatomy import Pose
    from viewer.options import LAYERS, SceneOptions

    try:
        pose = Pose(args.abduction, args.flexion, args.rotation)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    layers = set(LAYERS) - {"labels"} if args.layers is None else set(args.layers.split(","))
    unknown = layers - set(LAYERS)
    if unknown:
        raise UsageError(f"--layers: unknown {', '.join(sorted(unknown))}; choose from {', '.join(LAYERS)}")
    if getattr(args, "labels", False):
        layers.add("labels")
    return SceneOptions(pose=pose, side=args.side, view=args.view, theme=args.theme, layers=frozenset(layers))


def _camera(text: str | None) -> dict | None:
    if text is None:
        return None
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 9:
        raise UsageError("--camera: give 9 numbers px,py,pz,fx,fy,fz,ux,uy,uz (mm, pelvis frame)")
    return {"position": v[0:3], "focal_point": v[3:6], "view_up": v[6:9], "view_angle": contract.view_angle()}


def _export(func):
    def run(args: argparse.Namespace) -> int:
        from viewer.export import ExportError

        try:
            path = func(args)
        except ExportError as exc:
            raise UsageError(str(exc)) from None
        print(f"wrote {path}")
        return 0

    return run


@_export
def _screenshot(args: argparse.Namespace):
    from viewer.export import render_png, write_atomic
    from viewer.scene import HipScene

    opts = _scene_options(args)
    size, camera = _size(args.size), _camera(args.camera)
    scene = HipScene()
    if opts.view is not None and opts.view not in scene.views:
        raise UsageError(f"--view: unknown view {opts.view!r}; choose from {', '.join(scene.views)}")
    png = render_png(scene, opts, size, camera=camera, transparent=args.transparent)
    return write_atomic(Path(args.out), lambda tmp: tmp.write_bytes(png), args.force)


@_export
def _animate(args: argparse.Namespace):
    from viewer.export import animate
    from viewer.scene import HipScene

    opts = _scene_options(args)
    if not 2 <= args.frames <= 400 or not 1 <= args.fps <= 60:
        raise UsageError("--frames must be 2..400 and --fps 1..60")
    return animate(
        HipScene(),
        Path(args.out),
        opts,
        args.start,
        args.stop,
        args.frames,
        args.fps,
        _size(args.size),
        args.force,
    )


@_export
def _export_scene(args: argparse.Namespace):
    from viewer.export import export_scene
    from viewer.scene import HipScene

    opts = _scene_options(args)
    return export_scene(HipScene(), Path(args.out), opts.pose, opts.side, args.force)


@_export
def _handout(args: argparse.Namespace):
    from viewer.export import handout
    from viewer.scene import HipScene

    return handout(HipScene(), Path(args.out), args.side, paper=args.paper, force=args.force)


@_export
def _export_html(args: argparse.Namespace):
    from viewer.anatomy import Pose

    try:
        Pose(0.0, args.flexion, args.rotation)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if Path(args.out).suffix.lower() != ".html":
        raise UsageError(f"{args.out}: the page must be an .html file")
    from viewer.app.standalone import export_html

    return export_html(Path(args.out), args.side, args.flexion, args.rotation, args.force)


def _pose_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--abduction", type=float, default=0.0, help="degrees, -15..45")
    p.add_argument("--flexion", type=float, default=0.0, help="degrees, 0..60")
    p.add_argument("--rotation", type=float, default=0.0, help="internal rotation, degrees, -20..30")
    p.add_argument("--side", choices=["right", "left"], default="right", help="the side that moves")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")


def _look_args(p: argparse.ArgumentParser, size: str) -> None:
    p.add_argument(
        "--view", default=None, help="view preset: oblique, anterior, posterior, lateral, superior"
    )
    p.add_argument("--theme", choices=["light", "dark", "print", "classroom"], default="light")
    p.add_argument("--size", default=size, help="WIDTHxHEIGHT in pixels, up to 3840x2160")
    p.add_argument("--layers", default=None, help="comma list of bones,muscle,fibres,footprints,other_side")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmed", description="gmed-viewer: the gluteus medius on a real pelvis and femur"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table", help="muscle length and moment arm over a sweep of hip angles")
    t.add_argument("--joint", choices=["abduction", "flexion", "rotation"], default="abduction")
    t.add_argument("--from", dest="start", type=float, default=-15.0, help="first angle (deg)")
    t.add_argument("--to", dest="stop", type=float, default=45.0, help="last angle (deg)")
    t.add_argument("--step", type=float, default=5.0, help="angle step (deg)")
    t.add_argument("--side", choices=["both", "right", "left"], default="both")
    t.add_argument("--csv", metavar="FILE", help="also write the rows as CSV")
    t.set_defaults(func=_table)
    s = sub.add_parser("serve", help="open the 3D app in the browser")
    s.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)"
    )
    s.add_argument("--port", type=int, default=5006)
    s.add_argument("--no-browser", action="store_true", help="do not open a browser")
    s.add_argument("--classroom", action="store_true", help="start in classroom (projector) mode")
    s.add_argument(
        "--num-procs",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (a large class: one per CPU core; default 1)",
    )
    s.add_argument(
        "--max-sessions",
        type=int,
        default=MAX_SESSIONS,
        metavar="N",
        help=f"open sessions per process; more get a 'busy' page (default {MAX_SESSIONS}, 0: no limit)",
    )
    s.set_defaults(func=_serve)
    sc = sub.add_parser("screenshot", help="render a PNG off-screen")
    sc.add_argument("out", help="output .png")
    _pose_args(sc)
    _look_args(sc, "1920x1080")
    sc.add_argument("--labels", action="store_true", help="draw the labels")
    sc.add_argument("--transparent", action="store_true", help="transparent background")
    sc.add_argument("--camera", default=None, help="px,py,pz,fx,fy,fz,ux,uy,uz in mm (overrides --view)")
    sc.set_defaults(func=_screenshot)
    an = sub.add_parser("animate", help="the abduction animation as GIF or MP4")
    an.add_argument("out", help="output .gif or .mp4")
    _pose_args(an)
    _look_args(an, "800x600")
    an.add_argument("--start", type=float, default=-15.0)
    an.add_argument("--stop", type=float, default=45.0)
    an.add_argument(
        "--frames", type=int, default=30, help="frames from start to stop (played there and back)"
    )
    an.add_argument("--fps", type=int, default=20)
    an.set_defaults(func=_animate)
    ex = sub.add_parser("export-scene", help="posed geometry as .glb or a folder of PLY files")
    ex.add_argument("out", help="output .glb, or a folder name for PLY files")
    _pose_args(ex)
    ex.set_defaults(func=_export_scene, view=None, theme="light", layers=None)
    ho = sub.add_parser("handout", help="a one-page handout as PDF or PNG")
    ho.add_argument("out", help="output .pdf or .png")
    ho.add_argument("--side", choices=["right", "left"], default="right")
    ho.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ho.add_argument("--force", action="store_true", help="overwrite an existing output")
    ho.set_defaults(func=_handout)
    ht = sub.add_parser(
        "export-html", help="one self-contained HTML file of the 3D view, for any browser, offline"
    )
    ht.add_argument("out", help="output .html")
    ht.add_argument("--side", choices=["right", "left"], default="right")
    ht.add_argument("--flexion", type=float, default=0.0)
    ht.add_argument("--rotation", type=float, default=0.0)
    ht.add_argument("--force", action="store_true", help="overwrite an existing output")
    ht.set_defaults(func=_export_html)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        parser.exit(2, f"gmed {args.command}: error: {exc}\n")
    except DataError as exc:
        parser.exit(3, f"gmed: data error: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
