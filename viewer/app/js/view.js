// view.js: the HipView component. render({model, el}) builds the page elements, loads
// vtk.js (served by Panel from its own wheel) and wires the modules; model.on("remove")
// deletes each. Meshes arrive once as binary buffers; afterwards only frames (femur matrix,
// muscle and fibre points) arrive, or a precomputed abduction sweep played in the browser.

// the fields of HipView.contract (viewer.contract.as_json()) read by this code
const CONTRACT_FIELDS = [
  "pose_range.abduction", "step_deg", "layers", "parts", "views.keys", "views.view_angle_deg",
  "keys.play", "keys.step_up", "keys.step_down", "keys.labels", "keys.fullscreen",
  "themes.light.background", "themes.classroom.background",
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

export async function render({ model, el }) {
  try {
    await renderView({ model, el });
  } catch (err) {
    console.error("gmed view failed:", err && err.stack ? err.stack : err);
    throw err;
  }
}

async function renderView({ model, el }) {
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
  const current = { angle: model.angle, length: null, moment_arm: null };
  const L = contractLayers(model.contract, ["labels"]);
  const add = (part) => { parts.push(part); return part; };

  const win = add(newRenderWindow(vtk, canvasHost, { onResize: () => { labels.invalidateSizes(); requestRender(); } }));
  const renderer = win.getRenderer(), camera = win.getCamera();
  renderer.setTwoSidedLighting(true);
  const scene = add(newSceneActors({ vtk, renderer, model }));
  const pose = add(newPoseModel());
  let cameraWatch = null;
  const lod = add(newLod({
    vtk, renderer, win, scene, model, stats, requestRender, showFull: applyLayers,
    isInteracting: () => cameraWatch.isInteracting(),
  }));
  const frames = add(newFrames({ pose, scene, lod, current, stats, requestRender }));
  const labels = add(newLabels({ root, layer: labelLayer, svg, canvasHost, win, scene, model }));
  const readout = add(newReadout(readoutEl, model));
  const playback = add(newPlayback({ model, pose, frames, current, stats, requestRender, noteInterval: lod.noteInterval }));
  cameraWatch = add(newCameraWatch({ interactor: win.getInteractor(), camera, model, lod, onMove: labels.place }));
  add(newKeys({ model, root, current, stats, showLocal: playback.showLocal }));
  if (model.standalone) add(newStandaloneBar({ root, model, current, playback }));
  const loop = add(newRenderLoop({ win, lod, labels, readout, current, stats, model }));
  // hoisted: the modules above hold it before the loop exists, and call it only later
  function requestRender() { loop.request(); }

  function build() {
    const sd = model.scene_data;
    if (!scene.build(sd)) return;
    lod.reset();
    pose.setLayout({ layout: sd.layout, muscleTris: scene.getMuscle().tris, ribbonTris: scene.getRibbon().tris });
    labels.build(sd.labels);
    applyLayers();
    applyOpacity();
    applyView();
    if (model.frame && model.frame.byteLength !== 0) frames.showFrame(F32(model.frame), 0, model.readout);
  }

  function applyLayers() {
    const on = new Set(model.layers);
    if (lod.isOn()) lod.rebuild(); else scene.showLayers(on);
    root.classList.toggle("gmed-no-labels", !on.has(L.labels));
    requestRender();
  }

  function applyOpacity() {
    if (scene.applyOpacity()) requestRender();
  }

  function applyView() {
    const v = model.camera_preset;
    if (!v || !v.position) return;
    camera.setPosition(...v.position);
    camera.setFocalPoint(...v.focal_point);
    camera.setViewUp(...v.view_up);
    camera.setViewAngle(v.view_angle || model.contract.views.view_angle_deg);
    renderer.resetCameraClippingRange();
    requestRender();
  }

  function applyClassroom() {
    root.classList.toggle("gmed-classroom", model.classroom);
    labels.invalidateSizes();
    renderer.setBackground(...hex(model.contract.themes[model.classroom ? "classroom" : "light"].background));
    scene.applyPalette();
    requestRender();
  }

  unlisten.push(
    listen(model, "scene_data", () => { build(); applyClassroom(); }),
    listen(model, "frame", () => {
      if (model.playing || !pose.getLayout()) return;
      current.angle = model.angle;
      frames.showFrame(F32(model.frame), 0, model.readout);
      stats.framesReceived = (stats.framesReceived || 0) + 1;
      frames.newPose();
    }),
    listen(model, "angle", () => {
      if (!model.playing && !model.standalone && Math.abs(model.angle - current.angle) > 1e-6) playback.showLocal(model.angle);
    }),
    listen(model, "sweep", () => { playback.loadSweep(); playback.start(); }),
    listen(model, "layers", applyLayers),
    listen(model, "muscle_opacity", applyOpacity),
    listen(model, "camera_preset", applyView),
    listen(model, "classroom", applyClassroom),
    listen(model, "playing", () => {
      if (model.playing) {
        playback.start();
      } else {
        model.angle = Math.round(playback.getAngle());
        lod.rest();
      }
    }),
  );

  // the abduction slider draws from the sweep while it is dragged (see GmedApp._abduction_slider)
  if (!model.standalone) {
    const localAngle = (a) => { if (!model.playing) playback.showLocal(a); };
    window.gmedLocalAngle = localAngle;
    add({ delete: () => { if (window.gmedLocalAngle === localAngle) delete window.gmedLocalAngle; } });
  }

  // The first frame shows the light meshes at screen resolution: everything is there, and
  // it is drawn in a fraction of the time. Full detail, supersampled, follows at once.
  win.setScale(1);
  build();
  const sd = scene.getSceneData();
  const lightStart = model.lod !== "off" && !!(sd && sd.meshes) && sd.meshes.some((m) => m.lod);
  loop.setLightStart(lightStart);
  if (lightStart) lod.set(true, 1);
  playback.loadSweep();
  applyClassroom();
  status.textContent = "";
  root.classList.add("gmed-ready");
  requestRender();
}
