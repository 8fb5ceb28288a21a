"""The ``gmed`` command: subcommands, argument checks and exit codes."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from viewer.anatomy import POSE_RANGE, SIDES
from viewer.data import DataError

PARTS = ("anterior", "middle", "posterior", "whole")


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
    import threading

    from viewer.app.payload import shared_scene

    # build the shared meshes while Panel is imported and the browser loads the page;
    # the first session waits for them if it comes earlier
    threading.Thread(target=shared_scene, name="gmed-scene", daemon=True).start()
    from viewer.app.server import serve

    if args.host not in ("127.0.0.1", "localhost"):
        print(
            f"warning: serving on {args.host}: the app is visible to other machines on the network",
            file=sys.stderr,
        )
    serve(host=args.host, port=args.port, open_browser=not args.no_browser, classroom=args.classroom)
    return 0


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
    s.set_defaults(func=_serve)
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
