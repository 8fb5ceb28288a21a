"""What Python and the browser share: pose ranges, ids, views, keys, themes and the posed buffers' sizes.

Python owns every value here; the browser receives :func:`as_json` once (the ``contract``
parameter of ``HipView``, read in JS as ``model.contract``; the offline page inlines it) and
never restates them. The CLI and the benchmarks import them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from viewer import data, shape
from viewer.anatomy import POSE_RANGE, SIDES

#: Layers a scene can show, in the order of the app's checkboxes.
LAYERS = (
    "bones",
    "muscle",
    "fibres",
    "footprints",
    "labels",
    "other_side",
    "lower_legs",
    "minimus",
    "maximus",
    "tfl",
    "bursa",
    "nerve",
)

#: The layer of each soft-tissue structure (``viewer.muscles.Neighbourhood`` ids): the
#: gluteus medius is the "muscle" layer (its fibre ribbons the "fibres" layer), the
#: iliotibial tract belongs to the tensor fasciae latae.
STRUCTURE_LAYERS = {
    "gluteus_minimus": "minimus",
    "gluteus_medius": "muscle",
    "gluteus_maximus": "maximus",
    "tensor_fasciae_latae": "tfl",
    "iliotibial_tract": "tfl",
    "trochanteric_bursa": "bursa",
    "superior_gluteal_nerve": "nerve",
}

#: The ``style.json`` ``parts`` entry (colour, opacity) of each structure.
STRUCTURE_STYLE = {**{k: k for k in STRUCTURE_LAYERS}, "iliotibial_tract": "tensor_fasciae_latae"}

#: Layers whose opacity can be set on their own (the app, the hash, ``gmed.setOpacity``).
OPACITY_LAYERS = ("muscle", "minimus", "maximus", "tfl", "bursa", "nerve")

#: Lowest opacity a structure can be given (0 would hide it: that is its layer's job).
MIN_OPACITY = 0.1

#: Layers shown unless the user chooses them (the abduction view is of the hip: the lower
#: legs, far below it, are off at first).
OFF_BY_DEFAULT = ("lower_legs",)

#: Layers a picture, the app and the offline page open with.
DEFAULT_LAYERS = tuple(name for name in LAYERS if name not in OFF_BY_DEFAULT)

#: Themes a picture can be drawn in (``annotations/style.json`` must define each).
THEMES = ("light", "dark", "print", "classroom")

#: Step of the arrow keys and of the pose sliders, degrees.
STEP_DEG = 1.0

#: Keys of the app, by action (``KeyboardEvent.key`` values; letters in either case).
KEYS = {
    "play": [" "],
    "step_up": ["ArrowRight"],
    "step_down": ["ArrowLeft"],
    "labels": ["l", "L"],
    "fullscreen": ["f", "F"],
    "peel": ["p", "P"],
}

#: The Stance mode in the browser (``app/js/stance*.js``): its modes, the key and slider steps,
#: the cane's choices ("off" pushes 0 % BW), the weakening playback (strength from the top of
#: ``play_range`` to its bottom and back, percent per second), the arrows' scale (mm of arrow
#: per body weight) and the preset view it opens with (the Trendelenburg test is seen from
#: behind). Ranges, units and defaults are the stance model's own (:func:`stance`).
STANCE_UI = {
    "modes": ["explore", "stance", "exercise", "walk"],
    "steps": {"strength": 5.0, "lean": 1.0, "body_mass": 1.0, "cane": 1.0},
    "cane_hands": ["off", "opposite", "same"],
    "play_range": [10.0, 100.0],
    "play_pct_per_s": 30.0,
    "arrow_mm_per_bw": 120.0,
    "default_view": "posterior",
}

#: Bone ids (``viewer.data.ALL_BONES``) in the order the browser draws them: the sacrum first,
#: the lower legs (``data.LEG_BONES``, the ``lower_legs`` layer) last.
BONES = ("sacrum", *(b for b in data.BONES if b != "sacrum"), *data.LEG_BONES)


@dataclass(frozen=True)
class FrameLayout:
    """Sizes of the posed buffers the page draws into: muscle points, fibre ribbon points.

    The browser computes each pose into these (``app/js/poseModel.js``), ``(n, 3)``
    points flattened to float32.
    """

    muscle_points: int
    ribbon_points: int

    def as_dict(self) -> dict:
        """The layout as the browser reads it: float counts of each buffer."""
        return {"muscle": 3 * self.muscle_points, "ribbon": 3 * self.ribbon_points}


@cache
def _views_file() -> dict:
    return data.annotation("views")


def view_presets() -> dict[str, dict]:
    """Every camera preset of ``annotations/views.json`` as written there, by id (checked)."""
    views()  # raises DataError if the default is not one of the presets
    return {v["id"]: v for v in _views_file()["views"]}


@cache
def views() -> dict:
    """Camera presets from ``annotations/views.json``: ids, labels, keys, default and angle.

    Raises
    ------
    DataError
        If the default view is not one of the presets, or two presets share a key.
    """
    raw = _views_file()
    ids = [v["id"] for v in raw["views"]]
    if raw["default"] not in ids:
        raise data.DataError(
            f"annotations/views.json: default: {raw['default']!r} is not one of the view ids"
        )
    keys = [v["key"] for v in raw["views"] if "key" in v]
    if len(set(keys)) != len(keys):
        raise data.DataError("annotations/views.json: views[].key: two views share a key")
    return {
        "ids": ids,
        "labels": {v["id"]: v["label"] for v in raw["views"]},
        "keys": {v["key"]: v["id"] for v in raw["views"] if "key" in v},
        "default": raw["default"],
        "view_angle_deg": float(raw["view_angle_deg"]),
    }


def view_angle() -> float:
    """Vertical field of view of every camera preset and export, degrees."""
    return views()["view_angle_deg"]


def view_frame() -> dict:
    """The region every preset frames: ``femur_mm`` of the femur below the hip joint centre, and
    the ``margin`` around it (``annotations/views.json`` ``frame``)."""
    return _views_file()["frame"]


def view_keys() -> dict[str, str]:
    """Number key -> view id (the keys 1-4 of the app)."""
    return views()["keys"]


@cache
def muscle_parts() -> tuple[str, ...]:
    """Muscle part ids in part-index order (0 anterior, 1 middle, 2 posterior)."""
    return tuple(p["id"] for p in data.muscle("gluteus_medius")["parts"])


@cache
def themes() -> dict[str, dict]:
    """Background and text colours per theme, checked against :data:`THEMES`."""
    style = data.annotation("style")
    missing = [t for t in THEMES if t not in style["themes"]]
    if missing:
        raise data.DataError(f"annotations/style.json: themes: missing {', '.join(missing)}")
    return {t: style["themes"][t] for t in THEMES}


#: The Exercise and Walk modes in the browser (``app/js/activity*.js``): one repetition of an
#: exercise, and one gait cycle, last this long when played (seconds); phase steps of the
#: scrub slider and the arrow keys (fraction of the repetition or cycle).
ACTIVITY_UI = {"repetition_s": 4.0, "cycle_s": 2.4, "phase_step": 0.02}


def activity() -> dict:
    """The Exercise and Walk modes as the browser reads them: :data:`ACTIVITY_UI`, the exercise
    ids in gallery order, each one's fault ids, and the gait variants."""
    from viewer.mechanics import exercises, gait

    return {
        **ACTIVITY_UI,
        "exercises": list(exercises.ids()),
        "faults": {e.id: [f.id for f in e.faults] for e in exercises.gallery()},
        "gaits": list(gait.VARIANTS),
    }


def stance() -> dict:
    """The Stance mode as the browser reads it: :data:`STANCE_UI`, with the stance model's
    input ranges, units and defaults (``viewer.mechanics.stance``; the browser's names:
    strength %, lean deg, body_mass kg, cane % BW)."""
    from viewer.mechanics import stance as mech

    names = {"strength": "strength_pct", "lean": "lean_deg", "body_mass": "body_mass_kg", "cane": "cane_pct"}
    ranges = {k: [float(x) for x in mech.RANGES[v]] for k, v in names.items()}
    d = mech.StanceInput()
    return {
        **STANCE_UI,
        "ranges": ranges,
        "units": {"strength": "%", "lean": "degrees", "body_mass": "kg", "cane": "% BW"},
        "defaults": {
            "side": d.side,
            "strength": float(d.strength_pct),
            "lean": float(d.lean_deg),
            "body_mass": float(d.body_mass_kg),
            "cane": 15.0,
            "cane_hand": "off",
        },
    }


@cache
def peel() -> list[list[str]]:
    """The layers each step of layer peeling hides, superficial to deep.

    ``annotations/neighbours.json`` ``peel_order`` lists the muscles; peeling ``k`` steps
    hides the layers of its first ``k`` entries (the gluteus medius with its fibres); the last
    step also hides the other structures (TFL and tract, bursa, nerve), leaving bone. Step 0
    hides nothing.
    """
    order = data.annotation("neighbours")["peel_order"]
    unknown = [m for m in order if m not in STRUCTURE_LAYERS]
    if unknown:
        raise data.DataError(f"annotations/neighbours.json: peel_order: {unknown} are not structures")
    steps = []
    for m in order:
        layer = STRUCTURE_LAYERS[m]
        steps.append([layer, "fibres"] if layer == "muscle" else [layer])
    # the last step leaves bone: what lies on the deepest muscle (the nerve) or beside it goes too
    peeled = {layer for step in steps for layer in step}
    steps[-1] += [layer for layer in dict.fromkeys(STRUCTURE_LAYERS.values()) if layer not in peeled]
    return steps


def peeled(layers, k: int) -> frozenset[str]:
    """``layers`` less those the first ``k`` steps of :func:`peel` hide (the CLI's ``--peel``,
    the app's peel slider); ``k`` beyond the last step hides what the last does."""
    out = set(layers)
    for step in peel()[: max(0, int(k))]:
        out -= set(step)
    return frozenset(out)


def structure_opacity() -> dict[str, float]:
    """Default opacity of each :data:`OPACITY_LAYERS` layer, from ``style.json`` ``parts``."""
    parts = data.annotation("style")["parts"]
    by_layer = {layer: s for s, layer in STRUCTURE_LAYERS.items() if s != "iliotibial_tract"}
    return {layer: float(parts[by_layer[layer]]["opacity"]) for layer in OPACITY_LAYERS}


def as_json() -> dict:
    """Everything the browser needs to know of the contract, as plain JSON values."""
    return {
        "sides": list(SIDES),
        "pose_range": {k: list(v) for k, v in POSE_RANGE.items()},
        "step_deg": STEP_DEG,
        "layers": list(LAYERS),
        "default_layers": list(DEFAULT_LAYERS),
        "bones": list(BONES),
        "parts": list(muscle_parts()),
        "views": views(),
        "keys": KEYS,
        "themes": themes(),
        "stance": stance(),
        "activity": activity(),
        "structures": dict(STRUCTURE_LAYERS),
        "opacity_layers": list(OPACITY_LAYERS),
        "default_opacity": structure_opacity(),
        "min_opacity": MIN_OPACITY,
        "peel": peel(),
        "shape": {"modes": shape.MODES, "sd_range": list(shape.SD_RANGE)},
    }
