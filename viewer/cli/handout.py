"""``gmed handout``: the printable handout as PDF or PNG; optional pages: two shapes, the exercise sheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import UsageError, output, shape, writes


def compared_shape(text: str):
    """Argument type: a shape as ``--shape`` takes it (``K=SD[,K=SD...]``), or ``mean``."""
    from viewer.shape import Shape

    return Shape() if text.strip().lower() == "mean" else shape(text)


def run(args: argparse.Namespace) -> Path:
    """Render the handout and write it atomically; returns its path."""
    from viewer.export import handout
    from viewer.scene import HipScene

    shapes = args.compare_shapes
    if shapes is not None and shapes[0] == shapes[1]:
        raise UsageError(f"--compare-shapes got {shapes[0]} twice; give two different shapes")
    return handout(
        HipScene(),
        args.out,
        args.side,
        paper=args.paper,
        force=args.force,
        shapes=shapes,
        exercises=args.exercises,
    )


def add_parser(sub) -> None:
    """Add ``gmed handout`` to the subcommands."""
    ho = sub.add_parser(
        "handout",
        help="a printable handout as PDF or PNG (three pages; a fourth with --compare-shapes)",
    )
    ho.add_argument("out", type=output(".pdf", ".png"), help="output .pdf or .png")
    ho.add_argument("--side", choices=["right", "left"], default="right")
    ho.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ho.add_argument("--force", action="store_true", help="overwrite an existing output")
    ho.add_argument(
        "--compare-shapes",
        nargs=2,
        type=compared_shape,
        default=None,
        metavar=("A", "B"),
        help="add a page comparing two LLP26 shapes side by side (front view, neck-shaft angle, offset, "
        "abductor moment arm, stance force), each K=SD[,K=SD...] (modes 1..5, SD -3..3) or mean, "
        "e.g. --compare-shapes 5=-2 5=2 (about 126 against 120 degrees)",
    )
    ho.add_argument(
        "--exercises",
        action="store_true",
        help="add the exercise sheet: six gluteus medius exercises in their key pose, with the activity "
        "reported in the literature, cues and the muscle's lever",
    )
    ho.set_defaults(func=writes(run))
