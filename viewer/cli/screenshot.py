"""``gmed screenshot``: one pose rendered off-screen as a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import camera, hip_model, look_args, output, pose_args, scene_options, shape_args, writes
from viewer.cli.stance import stance_args, stance_asked


def run(args: argparse.Namespace) -> Path:
    """Render the picture and write it atomically; returns its path."""
    from viewer.export import render_png, write_atomic
    from viewer.export.render import shape_text
    from viewer.scene import HipScene

    text = shape_text(args.shape)
    if stance_asked(args, strength=True):
        from viewer.export.render import png_bytes
        from viewer.mechanics.stance import StanceInput
        from viewer.stance_scene import StanceScene

        inp = StanceInput(side=args.side, strength_pct=args.strength, lean_deg=args.lean)
        image = StanceScene(HipScene(hip_model(args))).render(
            inp, args.size, args.theme, args.view, camera=args.camera, transparent=args.transparent
        )
        png = png_bytes(image, text)
    else:
        png = render_png(
            HipScene(hip_model(args)),
            scene_options(args),
            args.size,
            camera=args.camera,
            transparent=args.transparent,
            text=text,
        )
    return write_atomic(args.out, lambda tmp: tmp.write_bytes(png), args.force)


def add_parser(sub) -> None:
    """Add ``gmed screenshot`` to the subcommands."""
    sc = sub.add_parser("screenshot", help="render a PNG off-screen")
    sc.add_argument("out", type=output(".png"), help="output .png")
    pose_args(sc)
    look_args(sc, "1920x1080")
    sc.add_argument("--labels", action="store_true", help="draw the labels")
    sc.add_argument("--transparent", action="store_true", help="transparent background")
    sc.add_argument(
        "--camera", type=camera, default=None, help="px,py,pz,fx,fy,fz,ux,uy,uz in mm (overrides --view)"
    )
    stance_args(sc, strength=True)
    shape_args(sc)
    sc.set_defaults(func=writes(run))
