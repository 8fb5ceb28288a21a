"""The ``gmed`` command: subcommands, argument checks and exit codes.

Every value is checked while the arguments are parsed, before any work starts: a bad one
ends in a single line that names the option and what it accepts, exit code 2, and nothing
written. A broken data file ends in one line and exit code 3. Each subcommand lives in its
own module (``table``, ``serve``, ``screenshot``, ``animate``, ``export``, ``handout``,
``stance``, ``shape``, ``exercises``);
``args`` holds what they share.
"""

from __future__ import annotations

import argparse

from viewer.cli import animate, exercises, export, handout, screenshot, serve, shape, stance, table
from viewer.cli.args import Parser, UsageError
from viewer.cli.serve import MAX_SESSIONS
from viewer.cli.table import format_table
from viewer.data import DataError
from viewer.export.files import ExportError

__all__ = ["MAX_SESSIONS", "Parser", "UsageError", "build_parser", "format_table", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``gmed`` parser with every subcommand, in the order ``gmed --help`` lists them."""
    parser = Parser(prog="gmed", description="gmed-viewer: the gluteus medius on a real pelvis and femur")
    sub = parser.add_subparsers(dest="command", required=True)
    table.add_parser(sub)
    serve.add_parser(sub)
    screenshot.add_parser(sub)
    animate.add_parser(sub)
    export.add_scene_parser(sub)
    handout.add_parser(sub)
    export.add_html_parser(sub)
    stance.add_parser(sub)
    shape.add_parser(sub)
    exercises.add_parser(sub)
    return parser


#: Exit code when the reader of the output closed it, as a Unix tool killed by SIGPIPE (128 + 13).
PIPE_CLOSED = 141


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again on the pipe."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run ``gmed`` with ``argv`` (default: the command line); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"gmed {args.command}"
    try:
        return args.func(args)
    except UsageError as exc:
        parser.exit(2, f"{prog}: error: {exc}\n")
    except DataError as exc:
        parser.exit(3, f"gmed: data error: {exc}\n")
    except BrokenPipeError:  # the reader of the output left (``gmed table | head``): no message
        _quiet_stdout()
        return PIPE_CLOSED
    except OSError as exc:  # the disk filled up, a permission changed: nothing was left behind
        where = f" ({exc.filename})" if exc.filename else ""
        parser.exit(2, f"{prog}: error: cannot write the output{where}: {exc.strerror or exc}\n")
    except ExportError as exc:
        parser.exit(2, f"{prog}: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, f"{prog}: interrupted; nothing was written\n")
