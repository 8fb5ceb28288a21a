// api.js: the page's embedding API (window.gmed), the URL hash that carries the pose and
// the view, and a postMessage bridge for a page inside an iframe. The same on the served
// and the offline page; documented in README.md ("Embedding").

// the hash of a pose and view: #side=right&abduction=20&flexion=0&rotation=0&view=lateral, and
// in stance mode the stance: &mode=stance&stance_side=right&strength=40&lean=0&body_mass=70&cane=0&cane_hand=off;
// in exercise or walk mode the activity: &mode=exercise&exercise=clamshell&exercise_side=right&phase=0.5
// or &mode=walk&gait=trendelenburg&phase=0.3 (activity is {mode, ...activityState})
export function poseHash(pose, view, stance = null, layers = null, activity = null) {
  const q = new URLSearchParams();
  for (const k of POSE_KEYS) q.set(k, k === "side" ? pose[k] : String(Math.round(pose[k] * 100) / 100));
  if (view) q.set("view", view);
  if (stance) for (const [k, v] of stanceHashFields(stance)) q.set(k, v);
  if (activity) for (const [k, v] of activityHashFields(activity.mode, activity)) q.set(k, v);
  // the layers (when not the defaults), opacities set by the user, and peeling (when on):
  // &layers=bones,muscle,maximus&opacity=maximus:0.6,muscle:0.8&peel=2
  if (layers) {
    if (layers.layers) q.set("layers", layers.layers.join(","));
    const op = Object.entries(layers.opacity || {});
    if (op.length) q.set("opacity", op.map(([k, v]) => `${k}:${Math.round(v * 100) / 100}`).join(","));
    if (layers.peel) q.set("peel", String(layers.peel));
  }
  return "#" + q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}

// the hash's layers ("a,b,c"; "" is none), opacities ("layer:0.5,layer:1") and peel (a whole
// number); a malformed value throws one clear Error (names and ranges are checked by the view)
export const LAYER_HASH_KEYS = ["layers", "opacity", "peel"];
function readLayerHashField(found, k, v) {
  if (k === "layers") found.layers = v.trim() === "" ? [] : v.split(",").map((x) => x.trim());
  else if (k === "opacity") {
    found.opacity = {};
    for (const item of v.split(",")) {
      const [name, value, extra] = item.split(":");
      const x = value === undefined || value.trim() === "" ? NaN : Number(value);
      if (extra !== undefined || !name || !Number.isFinite(x)) throw new Error(`URL: opacity=${v} is not a list of layer:opacity (like maximus:0.5)`);
      found.opacity[name.trim()] = x;
    }
  } else {
    const x = v.trim() === "" ? NaN : Number(v);
    if (!Number.isInteger(x)) throw new Error(`URL: peel=${v} is not a whole number of layers`);
    found.peel = x;
  }
}

// {pose: partial pose, view, mode, stance: partial stance} read from a hash; throws one clear
// Error on a malformed field (the stance's ranges are checked by setStance)
export function parseHash(hash, contract) {
  const q = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const pose = {}, found = { mode: null, stance: {}, layers: null, opacity: null, peel: null, activity: null };
  let view = null;
  for (const [k, v] of q) {
    if (k === "view") view = v;
    else if (k === "side") pose.side = v;
    else if (isStanceHashKey(k)) readStanceHashField(contract, found, k, v);
    else if (LAYER_HASH_KEYS.includes(k)) readLayerHashField(found, k, v);
    else if (isActivityHashKey(k)) readActivityHashField(found, k, v);
    else if (POSE_KEYS.includes(k)) {
      const x = v.trim() === "" ? NaN : Number(v);
      if (!Number.isFinite(x)) throw new Error(`URL: ${k}=${v} is not a number of degrees`);
      pose[k] = x;
    } else {
      throw new Error(`URL: unknown field ${k} (fields: ${[...POSE_KEYS, "view", "mode", ...STANCE_HASH_KEYS, ...LAYER_HASH_KEYS, ...ACTIVITY_HASH_KEYS].join(", ")})`);
    }
  }
  return { pose, view, mode: found.mode, stance: found.stance, layers: found.layers, opacity: found.opacity, peel: found.peel, activity: found.activity };
}

// newApi({view, win}): view has getPose(), setPose(changes, source) (throws), readout(),
// setView(name) (throws), viewName(), whenDrawn() (a Promise of the next drawn frame) and
// ready (a Promise of the first); win is the window the API is installed on
export function newApi({ view, win = window }) {
  const api = {
    ready: view.ready,
    // a partial pose; rejects out-of-range values; resolves (with the pose) once it is drawn
    setPose: (changes) => {
      try {
        const p = view.setPose(changes, "api");
        return view.whenDrawn().then(() => ({ ...p }));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    getPose: () => ({ ...view.getPose() }),
    readout: () => view.readout(),
    setView: (name) => {
      try {
        view.setView(name, "api");
        return view.whenDrawn().then(() => name);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    getView: () => view.viewName(),
    // the Stance mode: a partial stance {side, strength, lean, body_mass, cane, cane_hand}
    // (rejects a bad one in one line); resolves with the stance once drawn
    setStance: (changes) => {
      try {
        const s = view.setStance(changes, "api");
        return view.whenDrawn().then(() => ({ ...s }));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    getStance: () => view.getStance(),
    // "explore" (the free femur) or "stance" (standing on one leg)
    setMode: (mode) => {
      try {
        view.setMode(mode, "api");
        return view.whenDrawn().then(() => mode);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    getMode: () => view.getMode(),
    // layers: a list of the layers on, or {layer: true|false}; resolves with the list once drawn
    setLayers: (changes) => call(() => view.setLayers(changes, "api")),
    getLayers: () => view.getLayers(),
    // opacity per structure layer: {maximus: 0.5, muscle: 1, ...}; resolves with every layer's
    setOpacity: (changes) => call(() => view.setOpacity(changes, "api")),
    getOpacity: () => view.getOpacity(),
    // layer peeling: 0 (all) .. contract.peel.length (bone), superficial to deep
    setPeel: (k) => call(() => view.setPeel(k, "api")),
    getPeel: () => view.getPeel(),
    // the Exercise mode: an exercise of the gallery (contract.activity.exercises), with options
    // {side, fault, phase}; rejects a bad one in one line; resolves with the activity once drawn
    setExercise: (id, options = {}) => activityCall("exercise", { ...(options || {}), exercise: id }),
    // the Walk mode: a gait variant (normal, trendelenburg, duchenne), options {phase}
    setGait: (variant, options = {}) => activityCall("walk", { ...(options || {}), gait: variant }),
    // the phase (0..1) of the repetition or the gait cycle shown (pauses a playing one)
    setPhase: (phase) => call(() => view.setActivity({ phase }, "api")),
    getActivity: () => view.getActivity(),
    // bone id -> column-major 4x4 of the exercise or gait frame drawn (tests), or null
    activityMatrices: () => view.activityMatrices(),
    // the LLP26 shape {mode1: sd, ..., mode5: sd} (the others kept), built by the server: resolves
    // with the shape once drawn (a few seconds), rejects a bad one in one line; the offline page
    // holds the shape it was exported with (gmed export-html --shape)
    setShape: (changes) => {
      try {
        return view.setShape(changes);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    getShape: () => view.getShape(),
    // per drawn actor: {visible, points, opacity, layer} (tests and debugging)
    structures: (withPoints = false) => view.structures(withPoints),
  };
  function activityCall(mode, changes) {
    return call(() => {
      if (changes && typeof changes === "object" && "mode" in changes) throw new Error(`set${mode === "walk" ? "Gait" : "Exercise"} has no option mode`);
      view.setActivity(changes, "api");
      view.setMode(mode, "api");
      return view.getActivity();
    });
  }
  function call(f) {
    try {
      const r = f();
      return view.whenDrawn().then(() => r);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  Object.freeze(api);
  win.gmed = api;

  // postMessage bridge: {gmed: "setPose", args: [{abduction: 20}], id} -> the caller gets
  // {gmed: "result", id, result} or {gmed: "error", id, error}; ready is announced once
  const methods = { setPose: 1, getPose: 1, readout: 1, setView: 1, getView: 1, setStance: 1, getStance: 1, setMode: 1, getMode: 1, ready: 1,
    setLayers: 1, getLayers: 1, setOpacity: 1, getOpacity: 1, setPeel: 1, getPeel: 1, structures: 1,
    setExercise: 1, setGait: 1, setPhase: 1, getActivity: 1, activityMatrices: 1, setShape: 1, getShape: 1 };
  function onMessage(ev) {
    const m = ev.data;
    if (!m || typeof m !== "object" || typeof m.gmed !== "string" || m.gmed === "result" || m.gmed === "error") return;
    const reply = (msg) => { if (ev.source) ev.source.postMessage({ ...msg, id: m.id }, ev.origin === "null" || !ev.origin ? "*" : ev.origin); };
    if (!Object.hasOwn(methods, m.gmed)) { reply({ gmed: "error", error: `gmed: no method ${m.gmed} (methods: ${Object.keys(methods).join(", ")})` }); return; }
    const run = m.gmed === "ready" ? api.ready : Promise.resolve().then(() => api[m.gmed](...(Array.isArray(m.args) ? m.args : [])));
    run.then((result) => reply({ gmed: "result", result: result === undefined ? null : result }),
      (err) => reply({ gmed: "error", error: String(err && err.message ? err.message : err) }));
  }
  win.addEventListener("message", onMessage);
  view.ready.then(() => { if (win.parent && win.parent !== win) win.parent.postMessage({ gmed: "ready" }, "*"); });

  return {
    delete: () => {
      win.removeEventListener("message", onMessage);
      if (win.gmed === api) delete win.gmed;
    },
  };
}
