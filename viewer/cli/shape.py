"""``gmed shape``: the measures of an LLP26 shape instance, or a sweep of one mode as a table or CSV."""

from __future__ import annotations

import argparse
import csv
import io

from viewer.cli.args import UsageError, check_new, number_in, output, shape_args
from viewer.cli.stance import sweep_values

#: The CSV columns of ``--vary``, in order.
COLUMNS = (
    "mode",
    "sd",
    "neck_shaft_angle_deg",
    "femoral_offset_mm",
    "femoral_length_mm",
    "anteversion_deg",
    "abductor_moment_arm_mm",
    "abductor_force_bw",
)
#: How each measure is printed: label, unit, decimals.
SHOWN = {
    "neck_shaft_angle_deg": ("neck-shaft angle", "deg", 1),
    "femoral_offset_mm": ("femoral offset", "mm", 1),
    "femoral_length_mm": ("femoral length", "mm", 1),
    "anteversion_deg": ("femoral anteversion", "deg", 1),
    "pelvic_width_mm": ("pelvic width (inter-ASIS)", "mm", 1),
    "abductor_moment_arm_mm": ("abductor moment arm at neutral", "mm", 1),
    "abductor_force_bw": ("stance abductor force, full strength", "BW", 2),
}


def _measures(model, shape, side):
    from viewer import shape_measures

    m = model if shape is None or shape.is_mean else model.with_shape(shape)
    return shape_measures.measure(m, side).row()


def run(args: argparse.Namespace) -> int:
    """Print the measures of one shape, or sweep one mode (and write the CSV)."""
    from viewer.shape import MODES, SD_RANGE, Shape

    if args.vary is None:
        if any(x is not None for x in (args.start, args.stop, args.step)) or args.csv is not None:
            raise UsageError("--from, --to, --step and --csv go with --vary K")
    else:
        if args.shape is not None:
            raise UsageError("--shape and --vary cannot be combined; --vary varies one mode from the mean")
        lo, hi = SD_RANGE
        start = lo if args.start is None else args.start
        stop = hi if args.stop is None else args.stop
        values = sweep_values(start, stop, 1.0 if args.step is None else args.step)
        if args.csv is not None:
            check_new(args.csv, args.force)
    from viewer.anatomy import HipModel

    model = HipModel()
    if args.vary is None:
        shape = args.shape or Shape()
        row = _measures(model, shape, args.side)
        print(f"LLP26 shape {shape} ({args.side} side; SD of modes 1..{MODES}):")
        for key, (label, unit, digits) in SHOWN.items():
            print(f"  {label:<38} {row[key]:>8.{digits}f} {unit}")
        return 0
    rows = []
    for sd in values:
        row = _measures(model, Shape.of({args.vary: sd}), args.side)
        rows.append({"mode": args.vary, "sd": sd, **{k: row[k] for k in COLUMNS[2:]}})
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["mode"], f"{r['sd']:g}", *(f"{r[k]:.{SHOWN[k][2] + 1}f}" for k in COLUMNS[2:])])
    if args.csv is not None:
        from viewer.export import write_atomic

        write_atomic(args.csv, lambda tmp: tmp.write_text(text.getvalue()), args.force)
        print(f"wrote {len(rows)} rows to {args.csv}")
    print(text.getvalue(), end="")
    return 0


def add_parser(sub) -> None:
    """Add ``gmed shape`` to the subcommands."""
    from viewer.shape import MODES

    p = sub.add_parser("shape", help="the hip measures of an LLP26 shape, or a sweep of one shape mode")
    shape_args(p)
    p.add_argument("--side", choices=["right", "left"], default="right", help="the side measured")
    p.add_argument("--vary", type=number_in(1, MODES, integer=True), default=None, help=f"a mode 1..{MODES}")
    sd = number_in(-3, 3, " SD")
    p.add_argument("--from", dest="start", type=sd, default=None, help="first SD (default -3)")
    p.add_argument("--to", dest="stop", type=sd, default=None, help="last SD (default 3)")
    p.add_argument("--step", type=number_in(-6, 6, " SD"), default=None, help="SD step (default 1)")
    p.add_argument("--csv", metavar="FILE", type=output(".csv"), default=None, help="also write the rows")
    p.add_argument("--force", action="store_true", help="overwrite an existing CSV")
    p.set_defaults(func=run)
