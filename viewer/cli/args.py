"""Shared pieces of the ``gmed`` subcommands: the parser, its errors and the argument types."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from viewer import contract
from viewer.anatomy import POSE_RANGE
from viewer.export.files import MAX_SIZE


class UsageError(Exception):
    """A command-line value the command cannot use; exit code 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


# ---------------------------------------------------------------------- value types
def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number; give {what}")
    return value


def degrees(joint: str):
    """Argument type: an angle of ``joint`` in degrees, inside its pose range."""
    lo, hi = POSE_RANGE[joint]
    what = f"{joint} in degrees from {lo:g} to {hi:g}"

    def parse(text: str) -> float:
        value = _number(text, what)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {lo:g}..{hi:g}; give {what}")
        return value

    parse.__name__ = f"{joint} angle"
    return parse


def number_in(lo: float, hi: float, unit: str = "", integer: bool = False):
    """Argument type: a number (``integer``: a whole number) from ``lo`` to ``hi``."""
    what = f"{'a whole number' if integer else 'a number'} from {lo:g} to {hi:g}{unit}"

    def parse(text: str) -> float | int:
        value = _number(text, what)
        if integer and value != int(value):
            raise argparse.ArgumentTypeError(f"{text} is not a whole number; give {what}")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {lo:g}..{hi:g}; give {what}")
        return int(value) if integer else value

    parse.__name__ = "value"
    return parse


def size(text: str) -> tuple[int, int]:
    """Argument type: ``WIDTHxHEIGHT`` in pixels, 64x64 up to :data:`MAX_SIZE`."""
    what = f"WIDTHxHEIGHT in pixels from 64x64 to {MAX_SIZE[0]}x{MAX_SIZE[1]}, e.g. 1920x1080"
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give {what}") from None
    if not (64 <= w <= MAX_SIZE[0] and 64 <= h <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(f"{text} is outside the range; give {what}")
    return w, h


def view(text: str) -> str:
    """Argument type: a camera preset id from ``annotations/views.json``."""
    ids = contract.views()["ids"]
    if text not in ids:
        raise argparse.ArgumentTypeError(f"unknown view {text!r}; choose from {', '.join(ids)}")
    return text


#: HOST or HOST:PORT, as a browser sends it in the Origin header (no scheme, no path)
ORIGIN = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def origin(text: str) -> str:
    """Argument type: the address a reverse proxy serves the app on, ``HOST[:PORT]``."""
    if not ORIGIN.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST or HOST:PORT (e.g. example.org:8080)")
    return text


def layers(text: str) -> frozenset[str]:
    """Argument type: a comma list of layers from :data:`viewer.contract.LAYERS`."""
    names = {t.strip() for t in text.split(",")}
    unknown = names - set(contract.LAYERS)
    if unknown:
        shown = ", ".join(repr(u) for u in sorted(unknown))
        raise argparse.ArgumentTypeError(f"unknown {shown}; choose from {', '.join(contract.LAYERS)}")
    return frozenset(names)


def camera(text: str) -> dict:
    """Argument type: nine numbers ``px,py,pz,fx,fy,fz,ux,uy,uz`` (mm, pelvis frame)."""
    what = "9 finite numbers px,py,pz,fx,fy,fz,ux,uy,uz (mm, pelvis frame)"
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 9 or not all(math.isfinite(x) for x in v):
        raise argparse.ArgumentTypeError(f"give {what}")
    d = [v[i] - v[i + 3] for i in range(3)]
    up = v[6:9]
    cross = [d[1] * up[2] - d[2] * up[1], d[2] * up[0] - d[0] * up[2], d[0] * up[1] - d[1] * up[0]]
    if math.hypot(*d) < 1.0 or math.hypot(*cross) < 1e-6 * math.hypot(*d) * (math.hypot(*up) or 1):
        raise argparse.ArgumentTypeError(
            "the camera must stand 1 mm or more from the focal point, "
            "with a view-up not along the line of sight"
        )
    return {"position": v[0:3], "focal_point": v[3:6], "view_up": up, "view_angle": contract.view_angle()}


def output(*suffixes: str, folder: bool = False):
    """Argument type: an output path with one of ``suffixes`` (``folder``: or no suffix)."""
    allowed = " or ".join(f"a {x} file" for x in suffixes) + (" or a folder name" if folder else "")

    def parse(text: str) -> Path:
        path = Path(text)
        suffix = path.suffix.lower()
        if path.is_dir() and not folder:
            raise argparse.ArgumentTypeError(f"{text} is a folder; give {allowed}")
        if suffix not in suffixes and not (folder and not suffix):
            raise argparse.ArgumentTypeError(f"{text}: give {allowed}")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"{text}: folder {path.parent} does not exist")
        return path

    parse.__name__ = "output"
    return parse


def check_new(path: Path, force: bool) -> None:
    """Refuse an existing output without ``--force`` (:class:`UsageError`)."""
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")


# ---------------------------------------------------------------------- shared options
def pose_args(p: argparse.ArgumentParser, abduction: bool = True, side: bool = True) -> None:
    """Add the hip angles (``--abduction``, ``--flexion``, ``--rotation``), ``--side`` and ``--force``."""
    if abduction:
        p.add_argument("--abduction", type=degrees("abduction"), default=0.0, help="degrees, -15..45")
    p.add_argument("--flexion", type=degrees("flexion"), default=0.0, help="degrees, 0..90")
    p.add_argument(
        "--rotation", type=degrees("rotation"), default=0.0, help="internal rotation, deg, -20..30"
    )
    if side:
        p.add_argument("--side", choices=["right", "left"], default="right", help="the side that moves")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")


def peel(text: str) -> int:
    """Argument type: a whole number of peeling steps, 0..len(contract.peel())."""
    n = len(contract.peel())
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number 0..{n}") from None
    if not 0 <= k <= n:
        raise argparse.ArgumentTypeError(f"{k} is outside 0..{n}")
    return k


def look_args(p: argparse.ArgumentParser, default_size: str) -> None:
    """Add how a picture looks: ``--view``, ``--theme``, ``--size`` and ``--layers``."""
    p.add_argument(
        "--view",
        type=view,
        default=None,
        help="a camera preset of annotations/views.json (oblique, lateral, ...)",
    )
    p.add_argument("--theme", choices=contract.THEMES, default="light")
    p.add_argument("--size", type=size, default=size(default_size), help="WIDTHxHEIGHT, up to 3840x2160")
    p.add_argument("--layers", type=layers, default=None, help="comma list of " + ",".join(contract.LAYERS))
    p.add_argument(
        "--peel",
        type=peel,
        default=0,
        help="layer peeling: hide the first K of maximus, medius (and fibres), minimus (and the rest), 0..3",
    )


def scene_options(args: argparse.Namespace):
    """The :class:`viewer.options.SceneOptions` of a picture's arguments."""
    from viewer.anatomy import Pose
    from viewer.options import SceneOptions

    shown = set(contract.DEFAULT_LAYERS) - {"labels"} if args.layers is None else set(args.layers)
    if getattr(args, "labels", False):
        shown.add("labels")
    pose = Pose(args.abduction, args.flexion, args.rotation)
    return SceneOptions(
        pose=pose,
        side=args.side,
        view=args.view,
        theme=args.theme,
        layers=frozenset(shown),
        peel=getattr(args, "peel", 0),
    )


def writes(command):
    """Run an exporting command: the file goes through an atomic write; say where it went."""

    def run(args: argparse.Namespace) -> int:
        check_new(args.out, args.force)
        print(f"wrote {command(args)}")
        return 0

    return run


def shape(text: str):
    """Argument type: ``K=SD[,K=SD...]``, shape modes 1..5 in standard deviations -3..3
    (:meth:`viewer.shape.Shape.parse`)."""
    from viewer.shape import Shape

    try:
        return Shape.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; give K=SD[,K=SD...], modes 1..5, SD -3..3") from None


def shape_args(p: argparse.ArgumentParser) -> None:
    """Add ``--shape K=SD[,K=SD...]`` (the LLP26 shape; the mean by default)."""
    p.add_argument(
        "--shape",
        type=shape,
        default=None,
        metavar="K=SD[,K=SD...]",
        help="LLP26 shape modes 1..5 in standard deviations -3..3, e.g. 2=-1.5,5=1 (default: the mean)",
    )


def hip_model(args: argparse.Namespace):
    """The :class:`viewer.anatomy.HipModel` of ``args.shape``: the mean (the meshes as stored) when
    ``--shape`` is not given or is all zero, else that instance of the shape model."""
    from viewer.anatomy import HipModel

    model = HipModel()
    shape = getattr(args, "shape", None)
    return model if shape is None or shape.is_mean else model.with_shape(shape)


def shaped(args: argparse.Namespace) -> bool:
    """Whether ``--shape`` asks for an instance other than the mean."""
    shape = getattr(args, "shape", None)
    return shape is not None and not shape.is_mean
