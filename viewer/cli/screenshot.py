"""``gmed screenshot``: one pose rendered off-screen as a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import (
    UsageError,
    camera,
    hip_model,
    look_args,
    output,
    pose_args,
    scene_options,
    shape_args,
    writes,
)
from viewer.cli.exercises import exercise_id
from viewer.cli.stance import stance_args, stance_asked


def exercise_asked(args: argparse.Namespace) -> bool:
    """Whether a picture of an exercise is asked for (``--exercise``).

    Raises :class:`UsageError` for hip angles, ``--stance``, ``--strength`` or ``--lean`` with it
    (the exercise sets the pose), and for ``--fault`` without it.
    """
    if args.exercise is None:
        if args.fault is not None:
            raise UsageError("--fault needs --exercise")
        return False
    held = [o for o in ("--abduction", "--flexion", "--rotation") if getattr(args, o[2:])]
    held += [o for o in ("--strength", "--lean") if getattr(args, o[2:]) is not None]
    held += ["--stance"] if args.stance else []
    if held:
        raise UsageError(f"{' and '.join(held)} do not apply to --exercise (the exercise sets the pose)")
    return True


def exercise_image(args: argparse.Namespace):
    """The picture of ``--exercise`` (in its fault ``--fault``), an (h, w, 3 or 4) uint8 image."""
    from viewer.exercise_presentation import present_exercise
    from viewer.export.render import render_presentation
    from viewer.mechanics.exercises import exercise
    from viewer.scene import HipScene

    ex = exercise(args.exercise)
    if args.fault is not None and args.fault not in {f.id for f in ex.faults}:
        known = ", ".join(f.id for f in ex.faults) or "none"
        raise UsageError(f"exercise {ex.id} has no fault {args.fault!r}; its faults: {known}")
    if args.labels or args.layers is not None or args.peel:
        raise UsageError(
            "--labels, --layers and --peel do not apply to --exercise (bones and gluteus medius)"
        )
    scene = HipScene(hip_model(args))
    w, h = args.size
    pres = present_exercise(scene.hip, ex, args.side, args.fault, args.theme, args.view, w / h)
    opts = scene_options(args)
    return render_presentation(scene, pres, opts, args.size, args.camera, args.transparent)


def run(args: argparse.Namespace) -> Path:
    """Render the picture and write it atomically; returns its path."""
    from viewer.export import render_png, write_atomic
    from viewer.export.render import shape_text
    from viewer.scene import HipScene

    text = shape_text(args.shape)
    if exercise_asked(args):
        from viewer.export.render import png_bytes

        png = png_bytes(exercise_image(args), text)
    elif stance_asked(args, strength=True):
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
    sc.add_argument(
        "--exercise", type=exercise_id, default=None, help="an exercise's key pose (ids: gmed exercises)"
    )
    sc.add_argument("--fault", default=None, help="with --exercise: its faulty form (knee_collapse)")
    shape_args(sc)
    sc.set_defaults(func=writes(run))
