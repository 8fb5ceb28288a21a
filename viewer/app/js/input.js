// input.js: the keys of the view (contract.keys and contract.views.keys) and the camera
// moved with the mouse (light meshes while slow, the camera reported when it stops).

// newKeys({model, root, current, stats, showLocal, target}): key presses on target
// (document); arrow keys step the abduction by contract.step_deg within
// contract.pose_range.abduction, drawn at once from the sweep when showLocal(angle) can
export function newKeys({ model: hip, root, current, stats, showLocal, target = document }) {
  const contract = hip.contract, keys = contract.keys, viewKeys = contract.views.keys;
  const model = { tellTimer: null, keyAngle: null, lastKeyAt: 0 };

  // the server is told the angle once the keys rest
  function tellAngle(a) {
    clearTimeout(model.tellTimer);
    model.tellTimer = setTimeout(() => { hip.angle = a; }, 150);
  }

  function onKey(ev) {
    if (ev.target && ["INPUT", "TEXTAREA", "SELECT"].includes(ev.target.tagName)) return;
    const step = keys.step_up.includes(ev.key) ? 1 : keys.step_down.includes(ev.key) ? -1 : 0;
    if (step) stats.keyAt = performance.now();
    if (keys.play.includes(ev.key)) { hip.playing = !hip.playing; ev.preventDefault(); }
    else if (step) {
      // step from the last angle asked for, so fast repeats add up before frames arrive
      const recent = model.keyAngle !== null && performance.now() - model.lastKeyAt < 1000 && !hip.playing;
      if (!recent) model.keyAngle = Math.round(current.angle ?? hip.angle);
      model.lastKeyAt = performance.now();
      hip.playing = false;
      const to = model.keyAngle = stepAbduction(contract, model.keyAngle, step);
      if (!hip.standalone && showLocal(to)) tellAngle(to);
      else hip.angle = to;
      ev.preventDefault();
    }
    else if (Object.hasOwn(viewKeys, ev.key)) { hip.view_key = ev.key; hip.view_key_nonce = (hip.view_key_nonce || 0) + 1; }
    else if (keys.labels.includes(ev.key)) { hip.labels_key = (hip.labels_key || 0) + 1; }
    else if (keys.fullscreen.includes(ev.key)) {
      if (document.fullscreenElement) document.exitFullscreen(); else root.requestFullscreen().catch(() => {});
    }
  }
  target.addEventListener("keydown", onKey);

  return {
    delete: () => {
      target.removeEventListener("keydown", onKey);
      clearTimeout(model.tellTimer);
    },
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
