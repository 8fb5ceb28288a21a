"""``gmed stance``: standing on one leg, one pose or a sweep of strength or lean, as a table or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import math

from viewer.cli.args import UsageError, check_new, hip_model, number_in, output, shape_args, shaped
from viewer.mechanics.stance import CANE_TIP_MM, COLUMNS, RANGES

#: What ``--vary`` can sweep: its option, field, range, default sweep (strength: from strong to
#: weak, as a muscle weakens; lean: from upright) and default step.
VARIED = {
    "strength": {
        "option": "--strength",
        "field": "strength_pct",
        "range": RANGES["strength_pct"],
        "sweep": (100.0, 0.0),
        "step": 10.0,
    },
    "lean": {
        "option": "--lean",
        "field": "lean_deg",
        "range": RANGES["lean_deg"],
        "sweep": (0.0, 30.0),
        "step": 5.0,
    },
}
#: Most rows a sweep may have.
MAX_ROWS = 1001
#: The table's columns: CSV column, heading, unit, width and format.
TABLE = (
    ("strength_pct", "strength", "%", 8, "{:g}"),
    ("lean_deg", "lean", "deg", 6, "{:.1f}"),
    ("pelvic_drop_deg", "pelvic drop", "deg", 11, "{:.1f}"),
    ("pelvic_drop_mm", "", "mm", 5, "{:.1f}"),
    ("abductor_force_bw", "abductor force", "BW", 14, "{:.2f}"),
    ("abductor_force_n", "", "N", 5, "{:.0f}"),
    ("hip_contact_force_bw", "hip contact", "BW", 11, "{:.2f}"),
    ("abductor_moment_arm_mm", "abductor arm", "mm", 12, "{:.1f}"),
    ("weight_lever_arm_mm", "weight arm", "mm", 10, "{:.1f}"),
    ("knee_valgus_deg", "knee valgus", "deg", 11, "{:.1f}"),
    ("trendelenburg_positive", "Trendelenburg", "", 13, "{}"),
)


def sweep_values(start: float, stop: float, step: float) -> list[float]:
    """Values from ``start`` to ``stop`` (either direction) every ``|step|``, ``stop`` included.

    A negative ``step`` must point from ``start`` toward ``stop``; the last interval is shorter
    when ``|step|`` does not divide the range.
    """
    if step == 0:
        raise UsageError("--step must not be 0")
    if step < 0 and stop > start:
        raise UsageError(f"--step {step:g} points away from --to {stop:g}; give a positive step")
    span, size = abs(stop - start), abs(step)
    if span / size + 1 > MAX_ROWS:
        raise UsageError(f"--step {size:g} gives more than {MAX_ROWS} rows; give a larger step")
    direction = 1.0 if stop >= start else -1.0
    count = math.floor(span / size + 1e-9)
    values = [round(start + direction * i * size, 9) for i in range(count + 1)]
    if abs(values[-1] - stop) > 1e-9:
        values.append(stop)
    return values


def inputs(args: argparse.Namespace) -> list[dict]:
    """The keyword arguments of ``StanceInput`` for each row asked for."""
    fixed = {
        "side": args.side,
        "strength_pct": 100.0 if args.strength is None else args.strength,
        "lean_deg": 0.0 if args.lean is None else args.lean,
        "body_mass_kg": args.body_mass,
        "cane_pct": args.cane,
        "cane_hand": args.cane_hand,
        "cane_tip_mm": args.cane_tip,
    }
    if args.vary is None:
        sweep = (("--from", args.start), ("--to", args.stop), ("--step", args.step))
        named = [option for option, value in sweep if value is not None]
        if named:
            raise UsageError(f"{' and '.join(named)} need --vary strength or --vary lean")
        return [fixed]
    v = VARIED[args.vary]
    if getattr(args, args.vary) is not None:
        raise UsageError(f"{v['option']} and --vary {args.vary} both set {args.vary}; give one")
    lo, hi = v["range"]
    start = v["sweep"][0] if args.start is None else args.start
    stop = v["sweep"][1] if args.stop is None else args.stop
    for option, value in (("--from", start), ("--to", stop)):
        if not lo <= value <= hi:
            raise UsageError(f"{option} {value:g} is outside {lo:g}..{hi:g} for --vary {args.vary}")
    step = v["step"] if args.step is None else args.step
    return [{**fixed, v["field"]: value} for value in sweep_values(start, stop, step)]


def csv_value(value) -> str:
    """A CSV cell: ``true``/``false``, numbers rounded to 4 decimals, text as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _unsigned_zero(str(round(float(value), 4)))
    return str(value)


def _unsigned_zero(text: str) -> str:
    """``-0``, ``-0.0`` (a tiny negative rounded) without its sign."""
    return text.lstrip("-") if float(text) == 0 else text


def format_table(rows: list[dict], head: str) -> str:
    """A readable terminal table: one line per pose, the figures with their units."""
    groups: list[list] = []  # a heading over its columns: [heading, width]
    for _, name, _, width, _ in TABLE:
        if name:
            groups.append([name, width])
        else:
            groups[-1][1] += 1 + width
    names = " ".join(f"{name:^{width}}" for name, width in groups)
    units = " ".join(f"{u:>{w}}" for _, _, u, w, _ in TABLE)
    lines = [head, "", names.rstrip(), units.rstrip(), "-" * len(names)]
    for r in rows:
        cells = []
        for key, _, _, w, fmt in TABLE:
            value = r[key]
            if isinstance(value, bool):
                text = "positive" if value else "negative"
            else:
                text = _unsigned_zero(fmt.format(value))
            cells.append(f"{text:>{w}}")
        lines.append(" ".join(cells))
    return "\n".join(lines)


def heading(args: argparse.Namespace, first: dict) -> str:
    """What is held fixed, in one or two lines."""
    cane = (
        f"a cane in the {first['cane_hand']} hand pushing {first['cane_pct']:g} % of body weight, "
        f"its tip {first['cane_tip_mm']:g} mm from the midline"
        if first["cane_pct"] > 0
        else "no cane"
    )
    held = [f"body mass {first['body_mass_kg']:g} kg", cane]
    for name, v in VARIED.items():
        if name != args.vary:
            unit = " %" if name == "strength" else "°"
            held.insert(0, f"{name} {first[v['field']]:g}{unit}")
    what = f", {args.vary} varied" if args.vary else ""
    if shaped(args):
        held.append(f"LLP26 shape {args.shape.describe()}")
    return (
        f"Standing on the {first['side']} leg{what}: {', '.join(held)}.\n"
        "Pelvic drop of the swing side (deg, and mm at its ASIS); forces in body weights (BW) and N; "
        "lever arms about the stance hip centre (mm)."
    )


def run(args: argparse.Namespace) -> int:
    """Solve the stance for each row asked for; print the table and write the CSV."""
    from viewer.mechanics.stance import StanceInput, StanceModel
    from viewer.posed import Hip

    asked = inputs(args)
    try:
        stance_inputs = [StanceInput(**kw) for kw in asked]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.csv is not None:
        check_new(args.csv, args.force)
    model = StanceModel(Hip(hip_model(args)))
    rows = [model.solve(inp).row() for inp in stance_inputs]
    if args.csv is not None:
        from viewer.export import write_atomic

        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([csv_value(r[c]) for c in COLUMNS])
        write_atomic(args.csv, lambda tmp: tmp.write_text(text.getvalue()), args.force)
        print(f"wrote {len(rows)} rows to {args.csv}")
    print(format_table(rows, heading(args, asked[0])))
    return 0


def stance_args(p: argparse.ArgumentParser, strength: bool) -> None:
    """Add ``--stance`` with ``--lean`` (and ``--strength``) to a picture's subcommand."""
    what = "the weakening sequence of standing on one leg" if not strength else "standing on one leg"
    p.add_argument("--stance", action="store_true", help=f"{what}, on the --side leg, seen from behind")
    if strength:
        p.add_argument(
            "--strength", type=number_in(0, 100, " %"), default=None, help="with --stance: strength, %% (100)"
        )
    p.add_argument(
        "--lean", type=number_in(0, 30, " deg"), default=None, help="with --stance: trunk lean, deg (0)"
    )


def stance_asked(args: argparse.Namespace, strength: bool) -> bool:
    """Whether a picture of stance is asked for; fills in the defaults of ``--strength`` and ``--lean``.

    Raises :class:`UsageError` for ``--strength`` or ``--lean`` without ``--stance``, and for hip
    angles with it (the stance sets them).
    """
    options = ["--lean", *(["--strength"] if strength else [])]
    given = [o for o in options if getattr(args, o[2:]) is not None]
    if not args.stance:
        if given:
            raise UsageError(f"{' and '.join(given)} need --stance")
        return False
    held = [o for o in ("--abduction", "--flexion", "--rotation") if getattr(args, o[2:], 0.0)]
    if held:
        raise UsageError(f"{' and '.join(held)} do not apply to --stance (the stance sets the hip angles)")
    args.lean = 0.0 if args.lean is None else args.lean
    if strength:
        args.strength = 100.0 if args.strength is None else args.strength
    return True


def add_parser(sub) -> None:
    """Add ``gmed stance`` to the subcommands."""
    st = sub.add_parser(
        "stance", help="standing on one leg: pelvic drop, abductor and hip forces, as a table or CSV"
    )
    st.add_argument("--side", choices=["right", "left"], default="right", help="the stance (standing) leg")
    st.add_argument(
        "--strength",
        type=number_in(*RANGES["strength_pct"], " %"),
        default=None,
        help="gluteus medius strength, %% (100)",
    )
    st.add_argument(
        "--lean",
        type=number_in(*RANGES["lean_deg"], " deg"),
        default=None,
        help="trunk lean toward the stance side, deg (0)",
    )
    st.add_argument(
        "--body-mass", type=number_in(*RANGES["body_mass_kg"], " kg"), default=70.0, help="kg (70)"
    )
    st.add_argument(
        "--cane",
        type=number_in(*RANGES["cane_pct"], " % of body weight"),
        default=0.0,
        help="force pushed through a cane, %% of body weight (0: no cane)",
    )
    st.add_argument(
        "--cane-hand",
        choices=["opposite", "same"],
        default="opposite",
        help="the hand holding the cane, relative to the stance leg (ignored without --cane)",
    )
    st.add_argument(
        "--cane-tip",
        type=number_in(*RANGES["cane_tip_mm"], " mm"),
        default=CANE_TIP_MM,
        metavar="MM",
        help=f"how far from the midline the cane's tip stands, on its hand's side, mm ({CANE_TIP_MM:g})",
    )
    shape_args(st)
    st.add_argument("--vary", choices=list(VARIED), default=None, help="sweep strength or lean")
    number = number_in(-1000, 1000)
    st.add_argument("--from", dest="start", type=number, help="first value (default: strength 100, lean 0)")
    st.add_argument(
        "--to", dest="stop", type=number, help="last value, included (default: strength 0, lean 30)"
    )
    st.add_argument("--step", type=number, help="spacing (default 10 %% for strength, 5 deg for lean)")
    st.add_argument("--csv", metavar="FILE", type=output(".csv"), help="also write the rows as CSV")
    st.add_argument("--force", action="store_true", help="overwrite an existing CSV")
    st.set_defaults(func=run)
