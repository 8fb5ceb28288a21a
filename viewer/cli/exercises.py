"""``gmed exercises``: the exercise gallery, its cited gluteus medius activity and lever at each key pose."""

from __future__ import annotations

import argparse
import csv
import io

from viewer.cli.args import UsageError, check_new, output


def exercise_id(text: str) -> str:
    """Argument type: an exercise id of ``annotations/exercises.json``."""
    from viewer.mechanics import exercises

    try:
        return exercises.exercise(text).id
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def csv_text() -> str:
    """The gallery as CSV: :data:`viewer.mechanics.exercises.COLUMNS`, one row per exercise in
    gallery order (highest activity first); ``source`` is the full citation."""
    from viewer.mechanics.exercises import COLUMNS, gallery

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in gallery():
        writer.writerow([e.id, e.name, f"{e.activity.pct_mvic:g}", e.activity.citation])
    return text.getvalue()


def _short(citation: str) -> str:
    """``Distefano et al. 2009`` from a citation that starts ``Distefano LJ, Blackburn JT, ... 2009.``."""
    authors, _, rest = citation.partition(" 20")
    first = authors.split(" ")[0]
    year = "20" + rest[:2]
    return f"{first} et al. {year}" if authors.count(",") else f"{first} {year}"


def run(args: argparse.Namespace) -> int:
    """Print the gallery (and write the CSV); ``--lever`` adds the right gluteus medius at each key pose."""
    from viewer.mechanics.exercises import gallery, lever

    if args.csv is not None:
        check_new(args.csv, args.force)
    elif args.force:
        raise UsageError("--force goes with --csv FILE")
    rows = gallery()
    print("Gluteus medius activity in the exercise gallery (% of a maximum voluntary isometric contraction):")
    width = max(len(e.name) for e in rows)
    for rank, e in enumerate(rows, 1):
        a = e.activity
        mark = "" if a.verified else " (read in a secondary text)"
        print(f"{rank:>2}. {e.name:<{width}}  {a.text():<18} {_short(a.citation)}{mark}   [{e.id}]")
    if args.lever:
        from viewer.anatomy import HipModel
        from viewer.muscles import Neighbourhood

        muscle = Neighbourhood(HipModel(), "right").muscles["gluteus_medius"]
        print("\nRight gluteus medius at each key pose: moment arm in mm (+ abducts, + rotates internally)")
        head = f"{'hip abd/flex/rot, knee':>24}  {'abduction a/m/p':>17}  {'rotation a/m/p':>17}"
        print(f"{'exercise':<26} {head}")
        for e in rows:
            k = e.key_pose
            arms = lever(muscle, k)
            parts = [p for p in arms if p != "whole"]
            pose = f"{k.pose.abduction:g}/{k.pose.flexion:g}/{k.pose.rotation:g}, {k.knee_flexion:g}"
            abd = "/".join(f"{arms[p]['abduction_mm']:.0f}" for p in parts)
            rot = "/".join(f"{arms[p]['rotation_mm']:.0f}" for p in parts)
            print(f"{e.id:<26} {pose:>24}  {abd:>17}  {rot:>17}")
    if args.csv is not None:
        from viewer.export import write_atomic

        write_atomic(args.csv, lambda tmp: tmp.write_text(csv_text()), args.force)
        print(f"wrote {len(rows)} rows to {args.csv}")
    return 0


def add_parser(sub) -> None:
    """Add ``gmed exercises`` to the subcommands."""
    p = sub.add_parser("exercises", help="the exercise gallery: gluteus medius activity from the literature")
    p.add_argument("--csv", metavar="FILE", type=output(".csv"), default=None, help="also write the gallery")
    p.add_argument("--force", action="store_true", help="overwrite an existing CSV")
    p.add_argument(
        "--lever", action="store_true", help="add the gluteus medius moment arms at each exercise's key pose"
    )
    p.set_defaults(func=run)
