"""The soft tissue of the hip: procedural fan muscles, the bursa and nerve, lengths and moment arms."""

from viewer.anatomy import HipModel
from viewer.muscles.fan import FanMuscle, MuscleSurface, closed_slab_faces, sheet_faces
from viewer.muscles.moment import JOINTS, moment_arm, sweep
from viewer.muscles.neighbourhood import STRUCTURES, Neighbourhood

__all__ = [
    "JOINTS",
    "STRUCTURES",
    "FanMuscle",
    "MuscleSurface",
    "Neighbourhood",
    "closed_slab_faces",
    "gluteus_medius",
    "moment_arm",
    "sheet_faces",
    "sweep",
]


def gluteus_medius(model: HipModel, side: str, params: dict | None = None) -> FanMuscle:
    """The gluteus medius of one side, laid over the gluteus minimus and the nerve as in the app.

    ``params``: the medius file's contents, changed (for tests); loaded when omitted.
    """
    given = {"gluteus_medius": params} if params is not None else None
    return Neighbourhood(model, side, given).muscles["gluteus_medius"]
