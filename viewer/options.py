"""What a picture of the hip shows: pose, side, view, theme, layers, peeling and opacities."""

from __future__ import annotations

from dataclasses import dataclass, field

from viewer.anatomy import Pose
from viewer.contract import DEFAULT_LAYERS, LAYERS, peeled  # noqa: F401  (re-exported)


@dataclass
class SceneOptions:
    """What to show and how (the state an export or the app renders from).

    ``peel`` hides the layers of the first ``peel`` steps of ``contract.peel`` (as ``--peel``):
    ``layers`` holds what is left once built. ``opacities`` maps a structure layer
    (``contract.OPACITY_LAYERS`` but ``muscle``, which is ``muscle_opacity``) to its opacity;
    a layer not in it keeps its ``style.json`` opacity.
    """

    pose: Pose = field(default_factory=Pose)
    side: str = "right"
    view: str | None = None
    theme: str = "light"
    layers: frozenset[str] = frozenset(DEFAULT_LAYERS) - {"labels"}
    muscle_opacity: float = 1.0
    peel: int = 0
    opacities: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        self.layers = peeled(self.layers, self.peel)
