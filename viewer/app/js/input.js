// input.js: the keys of the view (contract.keys and contract.views.keys) and the camera
// moved with the mouse (light meshes while slow, the camera reported when it stops).

// newKeys({model, root, current, stats, setPose, setView, stepStance, target}): key presses on
// target (document); arrow keys step the abduction by contract.step_deg within its range,
// computed and drawn here (setPose), or in stance mode the strength (stepStance(steps) is
// true); the number keys jump to the preset views (setView)
export function newKeys({ model: hip, root, current, stats, setPose, setView, stepStance = () => false, stepPeel = () => {}, target = document }) {
  const contract = hip.contract, keys = contract.keys, viewKeys = contract.views.keys;

  function onKey(ev) {
    const tag = ev.target && ev.target.tagName;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
    if (tag === "BUTTON" && (ev.key === " " || ev.key === "Enter")) return;  // the button's own click
    const step = keys.step_up.includes(ev.key) ? 1 : keys.step_down.includes(ev.key) ? -1 : 0;
    if (keys.play.includes(ev.key)) { hip.playing = !hip.playing; ev.preventDefault(); }
    else if (step) {
      stats.keyAt = performance.now();
      hip.playing = false;
      if (!stepStance(step)) setPose({ abduction: stepAngle(contract, "abduction", current.abduction, step) }, "keys");
      ev.preventDefault();
    }
    else if (Object.hasOwn(viewKeys, ev.key)) setView(viewKeys[ev.key], "keys");
    else if (keys.labels.includes(ev.key)) {
      if (hip.standalone) {
        const on = hip.layers.includes("labels");
        hip.layers = on ? hip.layers.filter((l) => l !== "labels") : [...hip.layers, "labels"];
      } else {
        hip.labels_key = (hip.labels_key || 0) + 1;  // the server owns the layers
      }
    }
    else if (keys.peel && keys.peel.includes(ev.key)) stepPeel(ev.shiftKey);
    else if (keys.fullscreen.includes(ev.key)) {
      if (document.fullscreenElement) document.exitFullscreen(); else root.requestFullscreen().catch(() => {});
    }
  }
  target.addEventListener("keydown", onKey);

  return {
    delete: () => target.removeEventListener("keydown", onKey),
  };
}

// newCameraWatch({interactor, camera, model, lod, onMove}): while the mouse moves the camera
// the frame interval goes to lod and onMove() runs each frame; when it stops, full detail
// returns and the camera is reported to Python (HipView.camera, for screenshots)
export function newCameraWatch({ interactor, camera, model: hip, lod, onMove }) {
  const model = { lastInteract: null };
  const subscriptions = [
    interactor.onAnimation(() => {
      const t = performance.now();
      if (model.lastInteract !== null) lod.noteInterval(t - model.lastInteract);
      model.lastInteract = t;
    }),
    interactor.onEndAnimation(() => {
      model.lastInteract = null;
      if (!hip.playing) lod.rest();
      hip.camera = {
        position: camera.getPosition(),
        focal_point: camera.getFocalPoint(),
        view_up: camera.getViewUp(),
        view_angle: camera.getViewAngle(),
      };
    }),
    interactor.onAnimation(() => onMove()),
  ];
  return {
    isInteracting: () => model.lastInteract !== null,
    delete: () => { for (const s of subscriptions) s.unsubscribe(); },
  };
}
