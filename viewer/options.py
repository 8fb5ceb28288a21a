"""What a picture of the hip shows: pose, side, view, theme, layers and muscle opacity."""

from __future__ import annotations

from dataclasses import dataclass, field

from viewer.anatomy import Pose
from viewer.contract import DEFAULT_LAYERS, LAYERS  # noqa: F401  (re-exported)


@dataclass
class SceneOptions:
    """What to show and how (the state an export or the app renders from)."""

    pose: Pose = field(default_factory=Pose)
    side: str = "right"
    view: str | None = None
    theme: str = "light"
    layers: frozenset[str] = frozenset(DEFAULT_LAYERS) - {"labels"}
    muscle_opacity: float = 1.0
