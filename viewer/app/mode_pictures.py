"""The picture of what a page shows in its Stance, Exercise or Walk mode, as ``gmed screenshot`` draws it."""

from __future__ import annotations

import threading
import weakref

from viewer.app.browser_input import stance_from_browser
from viewer.app.payload import shared_scene

_stance_lock = threading.Lock()
_stance_scenes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # HipScene -> StanceScene


def stance_scene(scene=None):
    """The stance picture's scene (``viewer.stance_scene.StanceScene``) on ``scene`` (a
    :class:`viewer.scene.HipScene`: a session's shape; the shared mean's when None), one each."""
    from viewer.stance_scene import StanceScene  # PyVista: for the exports only

    with _stance_lock:
        scene = scene if scene is not None else shared_scene().scene
        found = _stance_scenes.get(scene)
        if found is None:
            found = _stance_scenes[scene] = StanceScene(scene)
        return found


def stance_input(stance: dict, c: dict):
    """The ``StanceInput`` of a page's mode and stance (``c`` is ``contract.stance()``), or None
    in another mode; missing fields are ``c["defaults"]``, a cane that is off pushes 0 % BW."""
    from viewer.mechanics.stance import StanceInput

    s = {**c["defaults"], **stance_from_browser(stance, c)}
    if s.get("mode") != "stance":
        return None
    hand = s["cane_hand"]
    return StanceInput(
        side=s["side"],
        strength_pct=float(s["strength"]),
        lean_deg=float(s["lean"]),
        body_mass_kg=float(s["body_mass"]),
        cane_pct=0.0 if hand == "off" else float(s["cane"]),
        cane_hand="same" if hand == "same" else "opposite",
    )


def activity_presentation(scene, mode: str, activity: dict, theme: str, aspect: float):
    """The :class:`viewer.presentation.Presentation` of an exercise (``mode`` "exercise":
    ``activity``'s exercise, side, fault and phase) or of a gait frame ("walk": its gait and
    phase), or None in another mode. ``activity`` holds valid values
    (``viewer.app.browser_input.activity_from_browser``); what it lacks is the page's default:
    the gallery's first exercise, the right side, no fault, normal gait, phase 0."""
    from viewer import contract

    c = contract.activity()
    phase = float(activity.get("phase", 0.0))
    if mode == "exercise":
        from viewer.exercise_presentation import present_sequence
        from viewer.mechanics.exercises import exercise

        ex = exercise(activity.get("exercise", c["exercises"][0]))
        fault = activity.get("fault")
        at = ex.at(fault) if fault else ex.pose_at(phase)
        return present_sequence(scene.hip, ex, [at], activity.get("side", "right"), theme, None, aspect)[0]
    if mode == "walk":
        from viewer.gait_presentation import present_gait
        from viewer.mechanics.gait import Gait

        gait = Gait(activity.get("gait", c["gaits"][0]), stance_scene(scene).model)
        return present_gait(scene.hip, [gait.frame(100.0 * phase)], theme, aspect)[0]
    return None


def mode_png(
    scene,
    stance: dict,
    activity: dict,
    contract: dict,
    size: tuple[int, int],
    theme: str,
    view: str,
    text: dict | None = None,
):
    """PNG bytes of a page's Stance, Exercise or Walk mode (``HipView.stance``, ``.activity``;
    ``contract``: ``viewer.contract.as_json()``; ``scene``: the session's
    :class:`viewer.scene.HipScene`), or None in Explore mode; ``text``: its PNG text chunks."""
    from viewer.export.render import png_bytes, render_presentation
    from viewer.options import SceneOptions

    inp = stance_input(stance, contract["stance"])
    if inp is not None:
        return png_bytes(stance_scene(scene).render(inp, size, theme, view), text)
    pres = activity_presentation(scene, stance.get("mode"), activity, theme, size[0] / size[1])
    if pres is None:
        return None
    opts = SceneOptions(theme=theme, layers=frozenset())
    return png_bytes(render_presentation(scene, pres, opts, size), text)
