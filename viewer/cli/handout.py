"""``gmed handout``: the printable handout as PDF or PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import output, writes


def run(args: argparse.Namespace) -> Path:
    """Render the handout and write it atomically; returns its path."""
    from viewer.export import handout
    from viewer.scene import HipScene

    return handout(HipScene(), args.out, args.side, paper=args.paper, force=args.force)


def add_parser(sub) -> None:
    """Add ``gmed handout`` to the subcommands."""
    ho = sub.add_parser("handout", help="a one-page handout as PDF or PNG")
    ho.add_argument("out", type=output(".pdf", ".png"), help="output .pdf or .png")
    ho.add_argument("--side", choices=["right", "left"], default="right")
    ho.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ho.add_argument("--force", action="store_true", help="overwrite an existing output")
    ho.set_defaults(func=writes(run))
