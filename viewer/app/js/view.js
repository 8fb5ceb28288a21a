// view.js: the HipView component. render({model, el}) builds the page elements, loads
// vtk.js (served by Panel from its own wheel) and wires the modules; model.on("remove")
// deletes each. Meshes and the muscle models of both sides arrive once as binary buffers;
// every pose is then computed here (muscleModel.js), and only the pose, at rest, goes back.

const CONTRACT_FIELDS = [  // the fields of HipView.contract (viewer.contract.as_json()) read by this code
  "sides", "pose_range.abduction", "pose_range.flexion", "pose_range.rotation", "step_deg", "layers",
  "parts", "views.ids", "views.labels", "views.keys", "views.default", "views.view_angle_deg",
  "structures", "opacity_layers", "default_opacity", "min_opacity", "peel", "keys.peel",
  "keys.play", "keys.step_up", "keys.step_down", "keys.labels", "keys.fullscreen",
  "themes.light.background", "themes.classroom.background",
  "stance.modes", "stance.ranges", "stance.units", "stance.steps", "stance.cane_hands", "stance.defaults",
  "stance.play_range", "stance.play_pct_per_s", "stance.arrow_mm_per_bw", "stance.default_view",
];

// one clear error when HipView.contract lacks a field this code reads
export function checkContract(contract) {
  const get = (path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), contract);
  const missing = CONTRACT_FIELDS.filter((p) => get(p) === undefined);
  if (missing.length) {
    throw new Error(`HipView.contract (viewer.contract.as_json()) has no ${missing.join(", ")}`);
  }
}

// the view's elements in el: canvas, label leaders, labels, read-out, status
function newPageElements(el) {
  const make = (cls) => { const d = document.createElement("div"); d.className = cls; return d; };
  const root = make("gmed-root"), canvasHost = make("gmed-canvas");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "gmed-leaders");
  const labelLayer = make("gmed-labels"), readout = make("gmed-readout"), status = make("gmed-status");
  status.textContent = "Loading 3D view\u2026";
  root.append(canvasHost, svg, labelLayer, readout, status);
  el.appendChild(root);
  return { root, canvasHost, svg, labelLayer, readout, status };
}

export async function render({ model, el, view }) {
  try {
    await renderView({ model, el, view });
  } catch (err) {
    console.error("gmed view failed:", err && err.stack ? err.stack : err);
    throw err;
  }
}

// the pose and view reach the server (and the URL hash) once input rests this long
const SYNC_REST_MS = 250;

async function renderView({ model, el, view }) {
  const { root, canvasHost, svg, labelLayer, readout: readoutEl, status } = newPageElements(el);
  const parts = [];  // every module's API, deleted in reverse order on "remove"
  const unlisten = [];
  let deleted = false;
  model.on("remove", () => {
    deleted = true;
    for (const u of unlisten) u();
    for (const p of parts.reverse()) p.delete();
    root.remove();
  });
  try {
    checkContract(model.contract);
  } catch (err) {
    status.textContent = String(err);
    throw err;
  }
  let vtk;
  try {
    vtk = await loadVtk(model.vtk_url);
  } catch (err) {
    status.textContent = String(err);
    console.error(err);
    return;
  }
  if (deleted) return;

  const stats = { frames: 0, renders: 0 };
  window.gmedStats = stats;
  // what is on screen: the pose, its read-out, and the preset view last chosen
  const current = { side: undefined, abduction: 0, flexion: 0, rotation: 0, readout: null };
  const state = { shownSide: null, view: null, syncTimer: null, errorTimer: null };
  let readyResolve;
  const ready = new Promise((resolve) => { readyResolve = resolve; });
  const L = contractLayers(model.contract, ["labels"]);
  const add = (part) => { parts.push(part); return part; };

  const resized = [];  // after each size change (modules made below)
  const win = add(newRenderWindow(vtk, canvasHost, { onResize: () => { for (const f of resized) f(); requestRender(); } }));
  const renderer = win.getRenderer(), camera = win.getCamera();
  renderer.setTwoSidedLighting(true);
  const scene = add(newSceneActors({ vtk, renderer, model }));
  // layers, opacity, peeling (layerState.js)
  const { setLayers, getLayers, setOpacity, getOpacity, setPeel, getPeel, layerHashState, structureCounts } = newLayerState({
    model, scene, onPeel: () => peelControl.update(), scheduleSync,
  });
  const pose = add(newPoseModel());
  let cameraWatch = null;
  const lod = add(newLod({
    vtk, renderer, win, scene, model, stats, requestRender, showFull: applyLayers,
    isInteracting: () => cameraWatch.isInteracting(),
  }));
  const frames = add(newFrames({ pose, scene, lod, current, stats, requestRender }));
  // while a shape slider is dragged: the shape's light bones in place of the scene (shapePreview.js)
  const preview = add(newShapePreview({ vtk, renderer, model, scene, stats, requestRender, onChange: previewChanged }));
  const labels = add(newLabels({ root, layer: labelLayer, svg, canvasHost, win, scene, model }));
  resized.push(() => labels.invalidateSizes());
  const poseReadout = add(newReadout(readoutEl, model));
  const plot = add(newMomentPlot({ view, model, pose }));
  const stance = add(newStanceMode({
    vtk, renderer, win, model, root, pose, stats, requestRender,
    onChange: (source) => { stanceControls.update(stance.getMode(), stance.getStance()); if (source !== "server" && source !== "start") scheduleSync(); },
    onModeChange: modeChanged,
  }));
  resized.push(() => stance.invalidateSizes());
  // the mode that replaces the Explore scene (stanceMode.js, activityMode.js), or null in Explore
  function special() { return stance.isOn() ? stance : activity && activity.isOn() ? activity : null; }
  // in the other modes their read-out and labels take the place of the pose's; the moment-arm plot
  // (beside the view) shows the Explore pose in every mode, so a page opened in another mode has it
  const readout = {
    update: (cur) => { frames.settle(); const m = special(); if (m) m.updateReadout(); else poseReadout.update(cur); plot.update(cur); },
  };
  const placeLabels = { place: () => { const m = special(); if (m) m.place(); else labels.place(); } };
  const playback = add(newPlayback({ model, frames, current, stats, requestRender, noteInterval: lod.noteInterval }));
  // the camera moved by hand: light meshes when slow, of the scene on show
  const moving = {
    noteInterval: (ms) => (special() || lod).noteInterval(ms),
    rest: () => (special() || lod).rest(),
  };
  cameraWatch = add(newCameraWatch({ interactor: win.getInteractor(), camera, model, lod: moving, onMove: () => placeLabels.place() }));
  const controls = add(newPoseControls({ root, model, setPose }));
  const peelControl = add(newPeelControl({ box: controls.box, model, setPeel: (k) => setPeel(k, "controls") }));
  const stanceControls = add(newStanceControls({ box: controls.box, model, setMode: stance.setMode, setStance }));
  const activity = add(newActivityMode({
    vtk, renderer, win, model, root, box: controls.box, pose, stats, requestRender,
    onChange: (source) => { if (source !== "server" && source !== "start" && source !== "play") scheduleSync(); },
  }));
  resized.push(() => activity.invalidateSizes());
  add(newKeys({ model, root, current, stats, setPose, setView, stepStance, stepPeel }));
  if (model.standalone) add(newStandalonePanel({ root, model, setView }));
  const loop = add(newRenderLoop({ win, lod, labels: placeLabels, readout, current, stats, model }));
  // hoisted: the modules above hold it before the loop exists, and call it only later
  function requestRender() { loop.request(); }
  const shapes = add(newShapeRequest({ model, status, showError, whenDrawn: () => loop.whenDrawn() }));
  add(newApi({
    view: {
      ready, getPose, setPose, readout: readoutNow, setView, viewName: () => state.view, whenDrawn: () => loop.whenDrawn(),
      setStance, getStance, setMode: stance.setMode, getMode: stance.getMode,
      setActivity: activity.set, getActivity: activity.getActivity, activityMatrices: activity.matrices,
      setLayers, getLayers, setOpacity, getOpacity, setPeel, getPeel, structures: structureCounts,
      setShape: shapes.setShape, getShape: shapes.getShape,
    },
  }));
  add({ delete: () => { clearTimeout(state.syncTimer); clearTimeout(state.errorTimer); } });

  // ------------------------------------------------------------------ the side's scene
  function build(side) {
    const sd = sideScene(model.scene_data, side);
    if (!sd || !scene.build(sd)) return false;
    state.shownSide = side;
    lod.reset();
    pose.setScene(model.scene_data);
    pose.setTopology({ muscleTris: scene.getMuscle().tris, ribbonTris: scene.getRibbon().tris });
    labels.build(sd.labels);
    applyLayers();
    applyOpacity();
    applyClassroom();
    return true;
  }

  // ------------------------------------------------------------------ pose and view
  function getPose() {
    return { side: current.side, abduction: current.abduction, flexion: current.flexion, rotation: current.rotation };
  }

  // a partial pose ({side?, abduction?, flexion?, rotation?}) computed and drawn here; throws
  // one clear Error (and changes nothing) for a bad one. ``source``: "api", "keys",
  // "controls", "hash", "server", "start"
  function setPose(changes, source) {
    if (!pose.ready() && source !== "start") throw new Error("gmed: the view is not ready yet (await gmed.ready)");
    const p = mergePose(current.side === undefined ? model.pose : getPose(), changes, "setPose");
    pose.checkPose(p);
    // an abduction asked for (API, link, slider) stops play, as a key step does
    if (model.playing && "abduction" in changes && source !== "server" && source !== "start") model.playing = false;
    if (p.side !== state.shownSide) {
      const switching = state.shownSide !== null && source !== "start";
      build(p.side);
      if (switching) jumpTo(state.view || model.contract.views.default, p.side);  // to the new hip
    }
    frames.show(p);
    if (!special()) frames.newPose();  // in the other modes the pose waits, hidden, for Explore
    controls.update(p);
    if (source !== "server" && source !== "start") scheduleSync();
    return getPose();
  }

  // a partial stance (stanceState.js mergeStance), drawn in stance mode; throws one clear Error
  // ``mode`` ("explore" | "stance") may come with it; returns {mode, ...stance}
  function setStance(changes, source) {
    if (!pose.ready() && source !== "start") throw new Error("gmed: the view is not ready yet (await gmed.ready)");
    if (!changes || typeof changes !== "object" || Array.isArray(changes) || !("mode" in changes)) {
      stance.setStance(changes, source);
      return getStance();
    }
    const { mode, ...fields } = changes;
    if (!model.contract.stance.modes.includes(mode)) {
      throw new Error(`mode must be one of ${model.contract.stance.modes.join(", ")}, not ${JSON.stringify(mode)}`);
    }
    stance.setStance(fields, source);
    stance.setMode(mode, source);
    return getStance();
  }
  function getStance() { return { mode: stance.getMode(), ...stance.getStance() }; }

  // the peel key: one layer deeper, and from bone back to the surface (shift: one back)
  function stepPeel(back) {
    const n = model.contract.peel.length, k = getPeel();
    setPeel(back ? (k + n) % (n + 1) : (k + 1) % (n + 1), "keys");
  }

  // the arrow keys step the strength in stance mode (true: the key was used)
  function stepStance(steps) {
    if (activity.isOn()) return activity.step(steps);  // scrubs the exercise or the gait cycle
    if (!stance.isOn()) return false;
    const s = stance.getStance();
    setStance({ strength: stepStanceValue(model.contract, "strength", s.strength, steps) }, "keys");
    return true;
  }

  // the Explore scene hides in the other modes, and comes back (at its pose and view) after them
  function modeChanged(mode) {
    activity.setMode(mode);
    if (mode !== "explore") {
      if (lod.isOn()) lod.set(false);
      scene.hideAll();
      win.setScale(LOD_SCALE);  // light bones, drawn as the light meshes are while moving
      root.classList.add("gmed-no-labels");
      // the mode's own view: the hash and the server's exports follow it
      state.view = mode === "stance" ? stance.viewName() : activity.viewName();
    } else {
      applyLayers();
      jumpTo(state.view || model.contract.views.default);
      frames.show(getPose());
    }
    controls.update(getPose());
  }

  // the read-out of the JS API: the whole muscle on the moving side, degrees and mm; in
  // stance mode the stance's figures (stanceMode.js readout)
  function readoutNow() {
    const m = special();
    if (m) return m.readout();
    frames.settle();
    const r = current.readout || {};
    return { ...getPose(), length_mm: r.length_mm, moment_arm_mm: { ...(r.moment_arm_mm || {}) } };
  }

  function jumpTo(name, side = current.side || model.pose.side) {
    const preset = model.cameras && model.cameras[side] && model.cameras[side][name];
    if (!preset) return false;
    // framed for the view's aspect, by the rule of the exports (framing.js)
    const cam = framedCamera(preset, canvasHost.clientWidth / canvasHost.clientHeight);
    applyCamera({ ...cam, view_angle: model.contract.views.view_angle_deg });
    state.view = name;
    return true;
  }

  // a preset view (contract.views.ids); throws one clear Error for an unknown name
  function setView(name, source) {
    const ids = model.contract.views.ids;
    if (!ids.includes(name)) throw new Error(`setView: no view ${JSON.stringify(name)} (views: ${ids.join(", ")})`);
    const m = special();
    if (m) {
      m.setView(name);
      state.view = name;
    } else if (!jumpTo(name)) throw new Error("gmed: the view is not ready yet (await gmed.ready)");
    if (source !== "server") scheduleSync();
  }

  // once input rests: the pose and view to the server (HipView.pose, .view) and the URL hash
  function scheduleSync() {
    clearTimeout(state.syncTimer);
    state.syncTimer = setTimeout(() => {
      if (deleted || model.playing) return;
      const p = getPose(), st = { mode: stance.getMode(), ...stance.getStance() };
      if (!model.standalone) {
        if (!samePose(model.pose, p)) model.pose = p;
        if (state.view && model.view !== state.view) model.view = state.view;
        if (!sameStanceState(model.stance, st)) model.stance = st;
      }
      const act = activity.getActivity();
      const { mode: _mode, ...actState } = act;
      // the activity once a mode has shown one (the server keeps {} until then)
      const told = model.activity && Object.keys(model.activity).length;
      if (!model.standalone && (activity.isOn() || told) && !sameActivity(model.activity, actState)) model.activity = actState;
      const hash = poseHash(p, state.view, stance.isOn() ? st : null, layerHashState(), activity.isOn() ? act : null);
      if (window.location.hash !== hash) {
        try { window.history.replaceState(null, "", hash); } catch (err) { /* a sandboxed frame */ }
      }
    }, SYNC_REST_MS);
  }

  // one line over the view for a bad link or value, gone after a while
  function showError(err) {
    const msg = String(err && err.message ? err.message : err);
    console.error(msg);
    status.textContent = msg;
    status.classList.add("gmed-error");
    clearTimeout(state.errorTimer);
    state.errorTimer = setTimeout(() => { status.textContent = ""; status.classList.remove("gmed-error"); }, 8000);
  }

  function applyHash() {
    let found;
    try {
      found = parseHash(window.location.hash, model.contract);
      if (found.layers) setLayers(found.layers, "hash");
      if (found.opacity) setOpacity(found.opacity, "hash");
      if (found.peel !== null) setPeel(found.peel, "hash");
      if (Object.keys(found.pose).length) setPose(found.pose, "hash");
      if (Object.keys(found.stance).length) setStance(found.stance, "hash");
      if (found.activity) activity.set(found.activity, "hash");
      if (found.mode) stance.setMode(found.mode, "hash");
      if (found.view) setView(found.view, "hash");
    } catch (err) {
      showError(err);
    }
  }

  // ------------------------------------------------------------------ model -> view
  function applyLayers() {
    if (preview.isOn() && !special()) {  // the preview's bones only (lod.set(false) calls back here)
      if (lod.isOn()) lod.set(false);
      scene.hideAll();
      win.setScale(LOD_SCALE);  // light bones, drawn as the light meshes are while moving
      root.classList.add("gmed-no-labels");
      requestRender();
      return;
    }
    const on = shownLayers(model);
    if (special()) {
      if (lod.isOn()) lod.set(false); else scene.hideAll();
    } else if (lod.isOn()) lod.rebuild(); else scene.showLayers(on);
    root.classList.toggle("gmed-no-labels", !!special() || !on.has(L.labels));
    requestRender();
  }

  function previewChanged(on) {
    const busy = status.classList.contains("gmed-shape-busy");
    if (on && !status.classList.contains("gmed-error")) {
      status.textContent = "Preview of the bones: the muscles follow on release";
      status.classList.add("gmed-shape-busy");
    } else if (!on && busy && !(model.shape_status && model.shape_status.building)) {
      status.textContent = "";
      status.classList.remove("gmed-shape-busy");
    }
    if (!on) win.setScale(SUPERSAMPLE);
    root.classList.toggle("gmed-previewing", on);  // the read-out is still the shape on show's
    applyLayers();
  }

  function applyOpacity() {
    if (scene.applyOpacity()) requestRender();
  }

  function applyCamera(v) {
    if (!v || !v.position) return;
    camera.setPosition(...v.position);
    camera.setFocalPoint(...v.focal_point);
    camera.setViewUp(...v.view_up);
    camera.setViewAngle(v.view_angle || model.contract.views.view_angle_deg);
    renderer.resetCameraClippingRange();
    labels.place();
    requestRender();
  }

  // the server's preset (HipView.camera_preset): a named preset untouched is framed for the
  // view's aspect (framing.js), as jumpTo does; any other camera is applied as it is
  function applyPreset() {
    const v = model.camera_preset;
    if (v && v.name) state.view = v.name;
    const named = v && v.name && model.cameras && model.cameras[current.side || model.pose.side];
    const preset = named && named[v.name];
    const untouched = preset && v.position && preset.position.every((x, i) => x === v.position[i]);
    applyCamera(untouched ? framedCamera(v, canvasHost.clientWidth / canvasHost.clientHeight) : v);
  }

  function applyClassroom() {
    root.classList.toggle("gmed-classroom", model.classroom);
    labels.invalidateSizes();
    renderer.setBackground(...hex(model.contract.themes[model.classroom ? "classroom" : "light"].background));
    scene.applyPalette();
    plot.applyTheme();
    stance.applyPalette();
    stance.invalidateSizes();
    activity.applyPalette();
    requestRender();
  }

  unlisten.push(
    listen(model, "scene_data", () => {
      const side = state.shownSide || model.pose.side;
      state.shownSide = null;
      pose.setScene(model.scene_data);
      if (build(side) && current.side !== undefined) { frames.show(getPose()); frames.newPose(); }
      if (stance.isOn()) stance.setStance({}, "server");
      else if (activity.isOn()) activity.set({}, "server");
      requestRender();
      shapes.onScene();  // a shape asked for (gmed.setShape) is on show
    }),
    listen(model, "shape_status", () => shapes.onStatus()),
    listen(model, "shape_preview", () => { if (!special()) preview.update(); }),
    listen(model, "stance", () => {
      const st = model.stance || {};
      if (sameStanceState(st, { mode: stance.getMode(), ...stance.getStance() })) return;
      try {
        const { mode, ...fields } = st;
        if (Object.keys(fields).length) setStance(fields, "server");
        if (mode) stance.setMode(mode, "server");
      } catch (err) { showError(err); }
    }),
    listen(model, "activity", () => {
      const { mode: _mode, ...cur } = activity.getActivity();
      if (!model.activity || sameActivity(model.activity, cur)) return;
      try { activity.set(model.activity, "server"); } catch (err) { showError(err); }
    }),
    listen(model, "pose", () => {
      if (samePose(model.pose, getPose())) return;
      try { setPose(model.pose, "server"); } catch (err) { showError(err); }
    }),
    listen(model, "layers", applyLayers),
    listen(model, "muscle_opacity", applyOpacity),
    listen(model, "opacities", () => { applyOpacity(); if (lod.isOn()) lod.rebuild(); }),
    listen(model, "peel", () => { peelControl.update(); applyLayers(); }),
    listen(model, "camera_preset", applyPreset),
    listen(model, "classroom", applyClassroom),
    listen(model, "playing", () => {
      controls.update(getPose());
      stanceControls.update(stance.getMode(), stance.getStance());
      const m = special();
      if (model.playing) {
        if (m) m.play(); else playback.start();
      } else {
        if (m) m.stop(); else lod.rest();
        scheduleSync();
      }
    }),
  );
  const onHash = () => applyHash();
  window.addEventListener("hashchange", onHash);
  add({ delete: () => window.removeEventListener("hashchange", onHash) });

  // The first frame shows the light meshes at screen resolution: everything is there, and
  // it is drawn in a fraction of the time. Full detail, supersampled, follows at once.
  win.setScale(1);
  pose.setScene(model.scene_data);
  try {
    setPose(model.pose, "start");
  } catch (err) {
    status.textContent = String(err);
    throw err;
  }
  applyPreset();
  try {
    const { mode, ...fields } = model.stance || {};
    if (Object.keys(fields).length) setStance(fields, "start");
    if (model.activity && Object.keys(model.activity).length) activity.set(model.activity, "start");
    stanceControls.update(stance.getMode(), stance.getStance());
    if (mode) stance.setMode(mode, "start");
  } catch (err) {
    showError(err);
  }
  if (window.location.hash.length > 1) applyHash();
  const sd = scene.getSceneData();
  const lightStart = model.lod !== "off" && !!(sd && sd.meshes) && sd.meshes.some((m) => m.lod);
  loop.setLightStart(lightStart);
  if (lightStart) lod.set(true, 1);
  if (!status.classList.contains("gmed-error")) status.textContent = "";
  root.classList.add("gmed-ready");
  loop.whenDrawn().then(() => readyResolve());
  if (model.playing) { if (special()) special().play(); else playback.start(); }
}
