// stanceMode.js: the Stance mode. It holds the mode (explore | stance) and the stance inputs,
// solves each stance in the page (stanceModel.js, the twin of viewer/mechanics/stance.py),
// draws it (stanceScene.js) with its read-out and badge (stanceReadout.js), frames the body
// for the preset views, and plays the weakening: strength 100 % -> 10 % -> 100 %.

// newStanceMode({vtk, renderer, win, model, root, pose, stats, requestRender, onChange,
// onModeChange}): pose is the poseModel (muscle models of both sides); onChange() after the
// mode or the stance changed (the controls, the sync to the server and the hash);
// onModeChange(mode) when the mode switches (the Explore scene hides or shows)
export function newStanceMode({ vtk, renderer, win, model: hip, root, pose, stats, requestRender, onChange, onModeChange }) {
  const c = hip.contract.stance;
  const el = (cls) => { const d = document.createElement("div"); d.className = cls; return d; };
  const arrowLayer = el("gmed-arrow-labels"), readoutEl = el("gmed-readout gmed-stance-readout");
  const badge = el("gmed-badge"), legend = el("gmed-legend");
  badge.hidden = true;
  badge.setAttribute("role", "status");
  const box = el("gmed-stance-box");
  box.append(readoutEl, badge, legend);
  root.append(arrowLayer, box);
  const scene = newStanceScene({ vtk, renderer, win, model: hip, arrowLayer, pose });
  const readout = newStanceReadout({ el: readoutEl, badge, legend, model: hip });
  const model = {
    mode: "explore", stance: defaultStance(hip.contract), twin: null, twinData: null, result: null,
    view: c.default_view, direction: -1, restTimer: null, deleted: false, slowMs: 0,
  };
  const publicAPI = { isOn: () => model.mode === "stance", getMode: () => model.mode, result: () => model.result };

  function twin() {
    const data = hip.scene_data.stance;
    if (model.twinData !== data) {
      model.twin = newStanceModel(data);
      model.twinData = data;
    }
    return model.twin;
  }

  publicAPI.getStance = () => ({ ...model.stance });

  // the stance solved and drawn (in stance mode); the time per pose in stats.stanceMs
  function draw() {
    const t0 = performance.now();
    model.result = twin().solve(stanceInput(model.stance));
    const t1 = performance.now();
    scene.show(model.result, model.stance);
    stats.stanceSolveMs = t1 - t0;
    stats.stanceMs = performance.now() - t0;
    stats.stanceFrames = (stats.stanceFrames || 0) + 1;
  }

  // a new stance at rest: drawn light at once on a slow machine, in full detail once input rests
  function newPose() {
    if (!hip.playing && hip.lod === "auto" && (stats.fullFrameMs || 0) > 50) {
      scene.setLight(true);
      clearTimeout(model.restTimer);
      model.restTimer = setTimeout(() => { if (!hip.playing) publicAPI.rest(); }, LOD_REST_MS);
    }
    requestRender();
  }
  publicAPI.rest = () => { model.slowMs = 0; scene.setLight(hip.lod === "always"); requestRender(); };
  // the time between two frames while the camera moves (exponential average): light when slow
  publicAPI.noteInterval = (ms) => {
    model.slowMs = model.slowMs ? 0.8 * model.slowMs + 0.2 * ms : ms;
    if (model.slowMs > 34 && hip.lod !== "off") scene.setLight(true);
  };

  // mode: "explore" | "stance"; throws one clear Error for another
  publicAPI.setMode = (mode, source) => {
    if (!c.modes.includes(mode)) throw new Error(`mode must be one of ${c.modes.join(", ")}, not ${JSON.stringify(mode)}`);
    if (mode === model.mode) return;
    if (hip.playing && source !== "server" && source !== "start") hip.playing = false;
    model.mode = mode;
    root.classList.toggle("gmed-stance", mode === "stance");
    box.hidden = mode !== "stance";
    model.avoid = null;
    onModeChange(mode);
    if (mode === "stance") {
      draw();
      publicAPI.setView(model.view);
    } else {
      scene.setVisible(false);
      scene.setLight(false);
      readout.reset();
    }
    onChange(source);
    requestRender();
  };

  // a partial stance ({side?, strength?, lean?, body_mass?, cane?, cane_hand?}); throws one
  // clear Error and changes nothing for a bad one; drawn at once in stance mode
  publicAPI.setStance = (changes, source) => {
    const s = mergeStance(hip.contract, model.stance, changes);
    if (hip.playing && "strength" in changes && source !== "server" && source !== "start") hip.playing = false;
    const sideChanged = s.side !== model.stance.side;
    model.stance = s;
    if (model.mode === "stance") {
      draw();
      if (sideChanged) publicAPI.setView(model.view);
      newPose();
    }
    onChange(source);
    return publicAPI.getStance();
  };

  // a preset view (contract.views.ids) looking at the whole standing body: the preset's
  // direction and view-up (HipView.cameras), the body's bounds filling the view
  publicAPI.setView = (name) => {
    const cams = hip.cameras && hip.cameras[model.stance.side];
    const cam = cams && cams[name];
    if (!cam) return false;
    model.view = name;
    if (!model.result) return true;
    // the body, the floor and room for a cane's arrow on either side (the frame stays put
    // while the stance changes)
    const b = scene.bounds();
    const reach = hip.scene_data.stance.cane_tip_mm + 40, below = model.result.floor_y - 0.3 * c.arrow_mm_per_bw - 10;
    b[2] = Math.min(b[2], below); b[4] = Math.min(b[4], -reach); b[5] = Math.max(b[5], reach);
    const d = [0, 1, 2].map((q) => cam.position[q] - cam.focal_point[q]);
    fitBox(renderer, root, b, d, cam.view_up, hip.contract.views.view_angle_deg);
    requestRender();
    return true;
  };
  publicAPI.viewName = () => model.view;

  // labels beside the arrows, for the current camera (each frame)
  publicAPI.place = () => {
    if (model.mode !== "stance") return;
    const host = root.querySelector(".gmed-canvas");
    const w = host.clientWidth, h = host.clientHeight;
    if (!w || !h) return;
    const size = win.getRenderWindow().getViews()[0].getSize();
    // the keep-out boxes are measured again when the read-out's box changes size (its rows and
    // the badge come and go), not every frame
    const boxSize = `${box.offsetWidth}x${box.offsetHeight}`;
    if (!model.avoid || model.avoidSize !== boxSize) { model.avoid = avoidBoxes(host); model.avoidSize = boxSize; }
    scene.arrows.place(projector(renderer.getActiveCamera(), renderer, size[0] / size[1]), w, h, model.avoid);
  };
  // the boxes over the view the arrows' labels keep clear of (measured again after a resize)
  function avoidBoxes(host) {
    const origin = host.getBoundingClientRect();
    return [box, root.querySelector(".gmed-controls"), root.querySelector(".gmed-panel")].filter(Boolean).map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top };
    });
  }
  // the read-out; the labels' boxes to avoid are measured again when its size may have changed
  publicAPI.updateReadout = () => {
    if (model.mode === "stance" && readout.update(model.result)) model.avoid = null;
  };

  publicAPI.applyPalette = () => { scene.applyPalette(); scene.invalidateSizes(); if (model.mode === "stance") { draw(); requestRender(); } };

  // the JS API's read-out in stance mode: the StanceResult's figures (degrees, mm, N, BW)
  publicAPI.readout = () => {
    const r = model.result;
    if (!r) return null;
    const keys = ["pelvic_drop_deg", "pelvic_drop_mm", "hip_adduction_deg", "knee_valgus_deg", "abductor_force_n",
      "abductor_available_n", "abductor_effort_pct", "abductor_force_bw", "hip_contact_force_n", "hip_contact_force_bw",
      "abductor_moment_arm_mm", "weight_lever_arm_mm", "cane_lever_arm_mm", "trendelenburg_positive"];
    return { mode: "stance", ...publicAPI.getStance(), ...Object.fromEntries(keys.map((k) => [k, r[k]])) };
  };

  // the weakening: strength down to contract.stance.play_range[0] and back up, at
  // contract.stance.play_pct_per_s; once round when not looping
  const ticker = newTicker(() => !model.deleted && hip.playing && model.mode === "stance", (dt) => {
    const [lo, hi] = c.play_range;
    let s = model.stance.strength + model.direction * c.play_pct_per_s * dt;
    if (s <= lo) { s = lo; model.direction = 1; }
    if (s >= hi) { s = hi; model.direction = -1; if (!hip.loop) hip.playing = false; }
    model.stance = { ...model.stance, strength: s };
    draw();
    stats.playFrames = (stats.playFrames || 0) + 1;
    requestRender();
    onChange("play");
  });
  publicAPI.play = () => {
    if (ticker.running() || !hip.playing || model.mode !== "stance") return;
    if (hip.lod !== "off") scene.setLight(true);
    const [lo, hi] = c.play_range;
    if (model.stance.strength <= lo) model.direction = 1;
    else if (model.stance.strength >= hi) model.direction = -1;
    ticker.start();
  };
  publicAPI.stop = () => {
    ticker.stop();
    publicAPI.rest();
  };

  publicAPI.invalidateSizes = () => { model.avoid = null; scene.invalidateSizes(); };

  publicAPI.delete = () => {
    model.deleted = true;
    ticker.stop();
    clearTimeout(model.restTimer);
    scene.delete();
    readout.delete();
    arrowLayer.remove();
    box.remove();
  };
  box.hidden = true;
  return publicAPI;
}
