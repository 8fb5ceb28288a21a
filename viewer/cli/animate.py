"""``gmed animate``: the abduction animation, there and back, as a GIF or an MP4."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.args import (
    UsageError,
    degrees,
    hip_model,
    look_args,
    number_in,
    output,
    pose_args,
    scene_options,
    shape_args,
    writes,
)
from viewer.cli.exercises import exercise_id
from viewer.cli.stance import stance_args, stance_asked
from viewer.mechanics.gait import VARIANTS

#: The abduction animation's first and last angle by default (degrees).
START, STOP = -15.0, 45.0


def run(args: argparse.Namespace) -> Path:
    """Render the frames and write the animation atomically; returns its path."""
    from viewer.export import animate
    from viewer.export.render import shape_text
    from viewer.scene import HipScene

    comment = shape_text(args.shape).get("Description")
    if args.exercise is not None and args.gait is not None:
        raise UsageError("--exercise and --gait cannot be combined; choose one movement")
    if args.exercise is not None or args.gait is not None:
        own = "--exercise" if args.exercise is not None else "--gait"
        moved = {"--start": START, "--stop": STOP}
        given = [o for o, default in moved.items() if getattr(args, o[2:]) != default]
        given += [o for o in ("--flexion", "--rotation") if getattr(args, o[2:])]
        given += [o for o in ("--stance", "--labels") if getattr(args, o[2:], False)]
        given += ["--layers"] if args.layers is not None else []
        given += ["--peel"] if args.peel else []
        given += ["--lean"] if args.lean is not None else []
        given += ["--view"] if args.gait is not None and args.view is not None else []
        if given:
            raise UsageError(f"{own} sets the movement; leave out {' and '.join(given)}")
    if args.gait is not None:
        from viewer.export import animate_gait
        from viewer.mechanics.gait import Gait

        scene = HipScene(hip_model(args))
        stance = None
        if args.gait != "normal":
            from viewer.mechanics.stance import StanceModel

            stance = StanceModel(scene.hip)
        gait = Gait(args.gait, stance)
        return animate_gait(
            scene, gait, args.out, args.frames, args.fps, args.size, args.theme, args.force, comment
        )
    if args.exercise is not None:
        from viewer.export import animate_exercise
        from viewer.mechanics.exercises import exercise

        return animate_exercise(
            HipScene(hip_model(args)),
            exercise(args.exercise),
            args.out,
            args.side,
            args.frames,
            args.fps,
            args.size,
            args.theme,
            args.view,
            args.force,
            comment,
        )
    if stance_asked(args, strength=False):
        from viewer.export import animate_stance
        from viewer.stance_scene import StanceScene

        if (args.start, args.stop) != (START, STOP):
            raise UsageError(
                "--start and --stop do not apply to --stance (it runs strength 100 -> 10 -> 100 %)"
            )
        return animate_stance(
            StanceScene(HipScene(hip_model(args))),
            args.out,
            args.side,
            args.lean,
            args.frames,
            args.fps,
            args.size,
            args.theme,
            args.view,
            args.force,
            comment,
        )
    if args.stop == args.start:
        raise UsageError("--start and --stop must differ")
    opts = scene_options(args)
    scene = HipScene(hip_model(args))
    return animate(
        scene, args.out, opts, args.start, args.stop, args.frames, args.fps, args.size, args.force, comment
    )


def add_parser(sub) -> None:
    """Add ``gmed animate`` to the subcommands."""
    an = sub.add_parser("animate", help="the abduction animation as GIF or MP4")
    an.add_argument("out", type=output(".gif", ".mp4"), help="output .gif or .mp4")
    pose_args(an, abduction=False)
    look_args(an, "800x600")
    an.add_argument("--start", type=degrees("abduction"), default=START, help="first abduction angle (deg)")
    an.add_argument("--stop", type=degrees("abduction"), default=STOP, help="last abduction angle (deg)")
    an.add_argument(
        "--frames",
        type=number_in(2, 400, integer=True),
        default=30,
        help="frames from start to stop (played there and back)",
    )
    an.add_argument("--fps", type=number_in(1, 60, integer=True), default=20)
    stance_args(an, strength=False)
    an.add_argument(
        "--exercise",
        type=exercise_id,
        default=None,
        help="one repetition of an exercise in the room, --frames frames (ids: gmed exercises)",
    )
    an.add_argument(
        "--gait",
        choices=VARIANTS,
        default=None,
        help="one gait cycle seen from behind, --frames frames: normal, trendelenburg (weak abductors) "
        "or duchenne (the same, the trunk leaning over the stance hip)",
    )
    shape_args(an)
    an.set_defaults(func=writes(run), abduction=0.0)
