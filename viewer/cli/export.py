"""``gmed export-scene`` and ``gmed export-html``: posed geometry files and the offline app."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import hip_model, output, pose_args, scene_options, shape_args, shaped, view, writes


def run_scene(args: argparse.Namespace) -> Path:
    """Write the posed geometry (GLB or a folder of PLY files); returns its path."""
    from viewer.export import export_scene
    from viewer.scene import HipScene

    opts = scene_options(args)
    return export_scene(
        HipScene(hip_model(args)), args.out, opts.pose, opts.side, args.force, lower_legs=args.lower_legs
    )


def run_html(args: argparse.Namespace) -> Path:
    """Write the whole app as one HTML file opening at the pose asked; returns its path."""
    from viewer.app.standalone import export_html

    model = hip_model(args) if shaped(args) else None  # the mean: the scene shared with the server
    return export_html(
        args.out,
        args.side,
        args.flexion,
        args.rotation,
        args.force,
        abduction=args.abduction,
        view=args.view,
        model=model,
    )


def add_scene_parser(sub) -> None:
    """Add ``gmed export-scene`` to the subcommands."""
    ex = sub.add_parser("export-scene", help="posed geometry as .glb or a folder of PLY files")
    ex.add_argument(
        "out", type=output(".glb", folder=True), help="output .glb, or a folder name for PLY files"
    )
    pose_args(ex)
    ex.add_argument(
        "--lower-legs", action="store_true", help="add the tibia-fibulas and patellas (the lower_legs layer)"
    )
    shape_args(ex)
    ex.set_defaults(func=writes(run_scene), view=None, theme="light", layers=None)


def add_html_parser(sub) -> None:
    """Add ``gmed export-html`` to the subcommands."""
    ht = sub.add_parser(
        "export-html", help="the whole app as one HTML file, for any browser, offline (opens at this pose)"
    )
    ht.add_argument("out", type=output(".html"), help="output .html")
    pose_args(ht)
    ht.add_argument("--view", type=view, default=None, help="the camera preset it opens with")
    shape_args(ht)
    ht.set_defaults(func=writes(run_html))
