"""``gmed table``: muscle length and moment arm over a sweep of hip angles, on screen or as CSV."""

from __future__ import annotations

import argparse
import csv
import io

from viewer.anatomy import POSE_RANGE, SIDES
from viewer.cli.args import UsageError, check_new, hip_model, number_in, output, pose_args, shape_args, shaped
from viewer.data import MUSCLES


def run(args: argparse.Namespace) -> int:
    """Sweep one joint and print (and write) the table."""
    from viewer.muscles import Neighbourhood, sweep

    lo, hi = POSE_RANGE[args.joint]
    args.start = lo if args.start is None else args.start  # the joint's whole range by default
    args.stop = hi if args.stop is None else args.stop
    if not (lo <= args.start <= hi and lo <= args.stop <= hi):
        raise UsageError(f"--from and --to must lie in {lo:g}..{hi:g} deg for {args.joint}")
    if args.stop < args.start:
        raise UsageError("--to must not be smaller than --from")
    if args.csv is not None:
        check_new(args.csv, args.force)
    fixed = {"abduction": args.abduction, "flexion": args.flexion, "rotation": args.rotation}
    model = hip_model(args)
    sides = SIDES if args.side == "both" else (args.side,)
    muscles = {s: Neighbourhood(model, s).muscles[args.muscle] for s in sides}
    rows = sweep(muscles, args.joint, args.start, args.stop, args.step, fixed=fixed)
    for r in rows:
        r["muscle"] = args.muscle
    if args.csv is not None:
        from viewer.export import write_atomic

        text = io.StringIO()
        fields = ["muscle", "joint", "angle_deg", "side", "part", "length_mm", "moment_arm_mm"]
        writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    **{k: r[k] for k in ("muscle", "joint", "side", "part")},
                    "angle_deg": f"{r['angle_deg']:g}",
                    "length_mm": f"{r['length_mm']:.2f}",
                    "moment_arm_mm": f"{r['moment_arm_mm']:.2f}",
                }
            )
        write_atomic(args.csv, lambda tmp: tmp.write_text(text.getvalue()), args.force)
        print(f"wrote {len(rows)} rows to {args.csv}")
    label = muscles[sides[0]].params["label"]
    if shaped(args):
        label += f" on LLP26 shape {args.shape.describe()}"
    print(format_table(rows, args.joint, {k: v for k, v in fixed.items() if k != args.joint}, label))
    return 0


def format_table(
    rows: list[dict], joint: str, fixed: dict | None = None, label: str = "Gluteus medius"
) -> str:
    """A readable terminal table: one line per angle and side, the muscle's parts side by side."""
    sign = {
        "abduction": "+ abducts",
        "flexion": "+ flexes",
        "rotation": "+ rotates internally",
    }[joint]
    held = ", ".join(f"{k} {v:g}°" for k, v in (fixed or {}).items())
    head = (
        f"{label}, {joint} sweep{f' at {held}' if held else ''}. Length along the fibre "
        f"lines (mm); moment arm -dL/dθ about the hip centre (mm, {sign}).\n"
    )
    parts = list(dict.fromkeys(r["part"] for r in rows))
    width = max(10, 2 + max(len(p) for p in parts))
    cols = "".join(f"{p:>{width}}" for p in parts)
    span = width * len(parts)
    lines = [
        head,
        f"{'angle°':>7} {'side':<6}|{'length mm':^{span}}|{'moment arm mm':^{span}}",
        f"{'':>7} {'':<6}|{cols}|{cols}",
        "-" * (16 + 2 * span),
    ]
    by_key: dict[tuple, dict] = {}
    for r in rows:
        by_key.setdefault((r["angle_deg"], r["side"]), {})[r["part"]] = r
    for (angle, side), got in by_key.items():
        lengths = "".join(f"{got[p]['length_mm']:>{width}.1f}" for p in parts)
        arms = "".join(f"{got[p]['moment_arm_mm']:>{width}.1f}" for p in parts)
        lines.append(f"{angle:>7g} {side:<6}|{lengths}|{arms}")
    return "\n".join(lines)


def add_parser(sub) -> None:
    """Add ``gmed table`` to the subcommands."""
    t = sub.add_parser("table", help="muscle length and moment arm over a sweep of hip angles")
    t.add_argument("--joint", choices=list(POSE_RANGE), default="abduction")
    deg = number_in(-90, 90, " deg")
    t.add_argument("--from", dest="start", type=deg, help="first angle (default: the joint's range)")
    t.add_argument("--to", dest="stop", type=deg, help="last angle (default: the joint's range)")
    t.add_argument("--step", type=number_in(0.5, 90, " deg"), default=5.0, help="angle step (deg)")
    t.add_argument("--side", choices=["both", "right", "left"], default="both")
    t.add_argument("--muscle", choices=list(MUSCLES), default="gluteus_medius", help="the muscle tabulated")
    pose_args(t, side=False)
    shape_args(t)
    t.set_defaults(csv=None)
    t.add_argument("--csv", metavar="FILE", type=output(".csv"), help="also write the rows as CSV")
    t.set_defaults(func=run)
