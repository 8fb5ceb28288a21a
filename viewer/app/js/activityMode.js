// activityMode.js: the Exercise and Walk modes. It holds what they show (activityState.js),
// poses each frame in the page (activityModel.js, the twin of viewer/mechanics/exercises.py and
// gait.py), draws it (activityScene.js), frames the whole movement once (one floor, one
// camera, as the exported pictures do), plays the repetition or the gait cycle in a loop, and
// lets the teacher pause and scrub it. Its card and controls are activityControls.js.

// newActivityMode({vtk, renderer, win, model, root, box, pose, stats, requestRender, onChange}):
// box is the controls' element; onChange(source) after the activity changed (sync and hash)
export function newActivityMode({ vtk, renderer, win, model: hip, root, box, pose, stats, requestRender, onChange }) {
  const c = () => hip.contract.activity;
  const scene = newActivityScene({ vtk, renderer, win, model: hip, pose });
  const model = {
    mode: null, act: defaultActivity(hip.contract), twin: null, twinData: null, framed: null, view: null,
    deleted: false, placed: null, restTimer: null,
  };
  const publicAPI = {};
  const controls = newActivityControls({
    root, box, model: hip, stanceFigures,
    set: (changes) => publicAPI.set(changes, "controls"),
    togglePlay: () => { hip.playing = !hip.playing; },
  });

  function twin() {
    const data = hip.scene_data.activity;
    if (model.twinData !== data) {
      model.twin = newActivityModel(data);
      model.twinData = data;
      model.framed = null;
    }
    return model.twin;
  }
  const look = () => hip.scene_data.activity.look;

  // the stance model (stanceModel.js, the twin of viewer/mechanics/stance.py) standing on ``side``
  // at the default body mass, at full and at the weak gaits' strength (the hip hike's card)
  function stanceFigures(side) {
    const data = hip.scene_data.stance;
    if (model.stanceData !== data) { model.stanceTwin = newStanceModel(data); model.stanceData = data; model.stanceFig = {}; }
    if (!model.stanceFig[side]) {
      const weak = hip.scene_data.activity.gait.weak_strength_pct;
      const at = (strength) => model.stanceTwin.solve(stanceInput({ ...hip.contract.stance.defaults, side, strength, cane_hand: "off" }));
      model.stanceFig[side] = { full: at(100), weak: at(weak), weak_pct: weak, mass: hip.contract.stance.defaults.body_mass };
    }
    return model.stanceFig[side];
  }

  // the placement of the activity at a phase (its fault's pose for an exercise with a fault)
  function placement(act, phase) {
    const t = twin();
    if (model.mode === "walk") {
      const frame = t.gaitFrame(act.gait, 100 * phase);
      return { ...t.gaitMatrices(frame, look().trunk_mm), frame };
    }
    const ex = t.exercise(act.exercise);
    const at = act.fault ? t.faultPose(ex, act.fault) : t.poseAt(ex, phase);
    return { ...t.exerciseMatrices(ex, act.side, at), at, bandLook: ex.band };
  }

  function show(placed) {
    scene.show(placed, placed.frame ? { active: placed.frame.gmed_active, trunk: placed.trunk } : {});
  }

  // the whole movement framed once: the bones' bounds over its key frames (a gait cycle's
  // look.frame_samples frames), the floor under them and the camera on them all
  function frameRoom() {
    const key = `${model.mode}|${model.act.exercise}|${model.act.side}|${model.act.gait}|${model.view}|${hip.classroom}`;
    if (model.framed === key) return;
    model.framed = key;
    const t = twin(), act = model.act;
    const phases = [];
    if (model.mode === "walk") for (let k = 0; k < look().frame_samples; k++) phases.push(k / look().frame_samples);
    else {
      const n = t.exercise(act.exercise).frames.length;
      for (let k = 0; k < n; k++) phases.push(k / (n - 1));
    }
    const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
    const grow = (bb) => { for (let q = 0; q < 3; q++) { b[2 * q] = Math.min(b[2 * q], bb[2 * q]); b[2 * q + 1] = Math.max(b[2 * q + 1], bb[2 * q + 1]); } };
    const samples = phases.map((p) => placement({ ...act, fault: null }, p));
    if (model.mode === "exercise" && act.fault) samples.push(placement(act, 0));
    for (const placed of samples) { scene.placeBones(placed); grow(scene.boneBounds()); }
    if (model.mode === "walk") for (const placed of samples) { for (const p of placed.trunk) grow([p[0], p[0], p[1], p[1], p[2], p[2]]); }
    const room = scene.setFloor(b);
    let d, up = [0, 1, 0];
    const cam = model.view && hip.cameras && hip.cameras[act.side] && hip.cameras[act.side][model.view];
    if (cam) {
      d = [0, 1, 2].map((q) => cam.position[q] - cam.focal_point[q]);
      up = cam.view_up;
    } else if (model.mode === "walk") d = look().walk_direction.slice();
    else {
      d = t.exercise(act.exercise).camera_direction.slice();
      if (act.side === "left") d[2] = -d[2];
    }
    fitBox(renderer, root, room, d, up, hip.contract.views.view_angle_deg, ".gmed-activity-card");
  }

  // the activity at its phase drawn; the time per frame in stats.activityMs
  function draw() {
    const t0 = performance.now();
    frameRoom();
    model.placed = placement(model.act, model.act.phase);
    show(model.placed);
    controls.update(model.mode, model.act, twin(), model.placed, hip.playing);
    stats.activityMs = performance.now() - t0;
    stats.activityFrames = (stats.activityFrames || 0) + 1;
    requestRender();
  }

  publicAPI.isOn = () => model.mode !== null;
  publicAPI.getActivity = () => ({ mode: model.mode, ...model.act });

  // called when the mode changes (stanceMode.setMode): "exercise" or "walk" shows the
  // activity, any other mode hides it
  publicAPI.setMode = (mode) => {
    const on = mode === "exercise" || mode === "walk";
    if (!on) {
      if (model.mode !== null) { publicAPI.stop(); scene.setVisible(false); scene.setLight(false); }
      model.mode = null;
      controls.show(null);
      return;
    }
    model.mode = mode;
    model.framed = null;
    controls.show(mode, twin());
    draw();
  };

  // a partial activity (activityState.js mergeActivity); throws one clear Error and changes
  // nothing for a bad one; drawn at once in exercise or walk mode
  publicAPI.set = (changes, source) => {
    const next = mergeActivity(hip.contract, model.act, changes);
    if (next.exercise !== model.act.exercise || next.gait !== model.act.gait || next.side !== model.act.side) model.view = null;
    const scrub = "phase" in changes && source !== "play";
    if (scrub && hip.playing && source !== "server" && source !== "start") hip.playing = false;
    model.act = next;
    if (model.mode) {
      if (scrub) lightUntilRest();
      draw();
    }
    onChange(source);
    return publicAPI.getActivity();
  };

  // a preset view (HipView.cameras' direction and view-up) on the whole movement
  publicAPI.setView = (name) => {
    model.view = name;
    if (model.mode) draw();
    return true;
  };
  publicAPI.viewName = () => model.view;

  // the JS API's read-out: the activity, the working hip's angles and, for walking, the frame
  publicAPI.readout = () => {
    if (!model.placed) return null;
    const out = publicAPI.getActivity();
    if (model.mode === "walk") {
      const f = model.placed.frame;
      return { ...out, percent: f.percent, pelvic_obliquity_deg: f.pelvic_obliquity_deg, trunk_lean_deg: f.trunk_lean_deg,
        gmed_active: { ...f.gmed_active }, hips: f.hips, knees: f.knees };
    }
    return { ...out, pose: { ...model.placed.at }, other_leg: { ...model.placed.legs[model.act.side === "right" ? "left" : "right"] } };
  };

  // bone id -> column-major matrix of what is drawn (tests)
  publicAPI.matrices = () => (model.placed ? { ...model.placed.bones } : null);

  // playing: the phase runs round the repetition (contract.activity.repetition_s) or the gait
  // cycle (cycle_s); once round when not looping
  const ticker = newTicker(() => !model.deleted && hip.playing && !!model.mode, (dt) => {
    let p = model.act.phase + dt / (model.mode === "walk" ? c().cycle_s : c().repetition_s);
    if (p >= 1) { if (hip.loop) p -= 1; else { p = 1; hip.playing = false; } }
    model.act = { ...model.act, phase: Math.min(p, 1) };
    draw();
    stats.playFrames = (stats.playFrames || 0) + 1;
  });
  publicAPI.play = () => {
    if (ticker.running() || !hip.playing || !model.mode) return;
    if (hip.lod !== "off") scene.setLight(true);
    if (model.act.phase >= 1) model.act = { ...model.act, phase: 0 };
    controls.update(model.mode, model.act, twin(), model.placed, true);
    ticker.start();
  };
  publicAPI.stop = () => {
    ticker.stop();
    publicAPI.rest();
    if (model.mode) controls.update(model.mode, model.act, twin(), model.placed, false);
  };
  // scrubbing on a slow (software-GL) machine: light meshes at once, full detail once it rests
  function lightUntilRest() {
    const slow = hip.lod === "auto" && (stats.fullFrameMs || 0) > 50;
    if (hip.playing || !slow) return;
    scene.setLight(true);
    clearTimeout(model.restTimer);
    model.restTimer = setTimeout(() => { if (!hip.playing && !model.deleted) publicAPI.rest(); }, LOD_REST_MS);
  }
  publicAPI.rest = () => { scene.setLight(hip.lod === "always"); requestRender(); };
  publicAPI.noteInterval = (ms) => { if (ms > 34 && hip.lod !== "off") scene.setLight(true); };
  // the arrow keys scrub (true: the key was used)
  publicAPI.step = (steps) => {
    if (!model.mode) return false;
    publicAPI.set({ phase: stepPhase(hip.contract, model.act.phase, steps) }, "keys");
    return true;
  };

  publicAPI.applyPalette = () => { scene.applyPalette(); model.framed = null; if (model.mode) draw(); };
  publicAPI.updateReadout = () => {};
  publicAPI.place = () => {};
  publicAPI.invalidateSizes = () => { model.framed = null; if (model.mode) draw(); };

  publicAPI.delete = () => {
    model.deleted = true;
    clearTimeout(model.restTimer);
    ticker.stop();
    scene.delete();
    controls.delete();
  };
  return publicAPI;
}
