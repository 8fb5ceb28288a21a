"""``gmed shape``: an LLP26 shape's measures, the shape that reaches clinical targets, or a mode's sweep."""

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


def _measures(model, shape, side):
    from viewer import shape_measures

    m = model if shape is None or shape.is_mean else model.with_shape(shape)
    return shape_measures.measure(m, side).row()


def targets(text: str) -> dict[str, float]:
    """Argument type: ``NAME=VALUE[,NAME=VALUE]``, clinical targets (:data:`viewer.shape_targets.TARGETS`)."""
    from viewer.shape_targets import TARGETS

    names = ", ".join(f"{k} ({v[1]})" for k, v in TARGETS.items())
    out: dict[str, float] = {}
    for item in text.split(","):
        name, eq, value = (x.strip() for x in item.partition("="))
        if not eq or name not in TARGETS:
            raise argparse.ArgumentTypeError(f"{item.strip()!r} is not NAME=VALUE with NAME one of {names}")
        if name in out:
            raise argparse.ArgumentTypeError(f"{name} is given twice")
        try:
            out[name] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {item.strip()!r})") from None
        if out[name] != out[name] or abs(out[name]) == float("inf"):
            raise argparse.ArgumentTypeError(f"{value!r} is not a finite number (in {item.strip()!r})")
    return out


def _fit(args: argparse.Namespace, model) -> int:
    """Print the least-norm shape that reaches ``args.target``, its measures and how to use it."""
    from viewer.shape_measures import SHOWN
    from viewer.shape_targets import TARGETS, TargetOutOfRange, shape_for

    try:
        fit = shape_for(model, args.target, args.side)
    except TargetOutOfRange as exc:
        raise UsageError(str(exc)) from None
    asked = ", ".join(f"{TARGETS[k][2]} {v:g} {TARGETS[k][1]}" for k, v in fit.targets.items())
    print(f"LLP26 shape {fit.shape} reaches {asked} ({args.side} side)")
    print(f"  Mahalanobis norm {fit.norm:.2f} (the least of the shapes that reach it; modes in SD)")
    from viewer import data, shape_measures

    shaped, note = model.with_shape(fit.shape), None
    try:
        row = shape_measures.measure(shaped, args.side).row()
    except data.DataError as exc:  # a far shape the muscles cannot be laid on: its geometry only
        row, note = shape_measures.measure(shaped, args.side, mechanics=False).row(), str(exc)
    for key, (label, unit, digits) in SHOWN.items():
        if row[key] is not None:
            print(f"  {label:<38} {row[key]:>8.{digits}f} {unit}")
    if note:
        print(f"  no moment arm or stance force: the muscles cannot be built on this shape ({note})")
    print(f"use it with: --shape {fit.shape}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the measures of one shape, the shape of some targets, or sweep one mode (and write the CSV)."""
    from viewer.shape import MODES, SD_RANGE, Shape
    from viewer.shape_measures import SHOWN

    if args.target is not None and (args.shape is not None or args.vary is not None):
        raise UsageError("--target finds a shape: it cannot be combined with --shape or --vary")
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
    if args.target is not None:
        return _fit(args, model)
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
    p.add_argument(
        "--target",
        type=targets,
        default=None,
        metavar="NAME=VALUE[,...]",
        help="find the least-norm shape with these measures: neck_shaft_angle (deg), femoral_offset (mm)",
    )
    p.add_argument("--vary", type=number_in(1, MODES, integer=True), default=None, help=f"a mode 1..{MODES}")
    sd = number_in(-3, 3, " SD")
    p.add_argument("--from", dest="start", type=sd, default=None, help="first SD (default -3)")
    p.add_argument("--to", dest="stop", type=sd, default=None, help="last SD (default 3)")
    p.add_argument("--step", type=number_in(-6, 6, " SD"), default=None, help="SD step (default 1)")
    p.add_argument("--csv", metavar="FILE", type=output(".csv"), default=None, help="also write the rows")
    p.add_argument("--force", action="store_true", help="overwrite an existing CSV")
    p.set_defaults(func=run)
