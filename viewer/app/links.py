"""Deep links: read and check the page's query parameters (``?side=left&abduction=20``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from viewer.anatomy import POSE_RANGE, SIDES

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
#: Longest value read; anything longer is refused without being decoded further.
MAX_VALUE = 32


def _shown(name: str) -> str:
    """A parameter name as a message may show it: one line, at most MAX_VALUE characters."""
    name = name[:MAX_VALUE]
    return name if name.isprintable() else repr(name)


def _number(name: str, text: str) -> float:
    lo, hi = POSE_RANGE[name]
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number; using 0") from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name}={text!r} is outside {lo:g} to {hi:g} degrees; using 0")
    return round(value)  # the sliders move in whole degrees


def parse_link(args: Mapping[str, list[bytes]], views: Sequence[str]) -> tuple[dict, list[str]]:
    """Settings asked for by a link, and one message per refused parameter.

    Parameters
    ----------
    args : mapping of str to list of bytes
        The query arguments as the server gives them (``pn.state.session_args``).
    views : sequence of str
        The camera presets a link may name.

    Returns
    -------
    settings : dict
        Only valid settings, among ``side``, ``abduction``, ``flexion``, ``rotation``
        (whole degrees), ``view`` and ``classroom``.
    problems : list of str
        One line per parameter that was ignored, saying why; the page shows them.
    """
    settings: dict = {}
    problems: list[str] = []
    for name, values in args.items():
        if not values:
            continue
        raw = values[-1]
        if len(raw) > MAX_VALUE:
            problems.append(f"{_shown(name)}: value too long; ignored")
            continue
        text = raw.decode("utf-8", "replace").strip()
        key = text.lower()
        try:
            if name == "side":
                if key not in SIDES:
                    raise ValueError(f"side={text!r} is not one of {', '.join(SIDES)}; using right")
                settings["side"] = key
            elif name in POSE_RANGE:
                settings[name] = _number(name, text)
            elif name == "view":
                if key not in views:
                    raise ValueError(f"view={text!r} is not one of {', '.join(views)}; using the default")
                settings["view"] = key
            elif name == "classroom":
                if key not in TRUE + FALSE:
                    raise ValueError(f"classroom={text!r} is not 1 or 0; ignored")
                settings["classroom"] = key in TRUE
            else:
                raise ValueError(f"unknown link parameter {_shown(name)}; ignored")
        except ValueError as exc:
            problems.append(str(exc))
    return settings, problems
