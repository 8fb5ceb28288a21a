// api.js: the page's embedding API (window.gmed), the URL hash that carries the pose and
// the view, and a postMessage bridge for a page inside an iframe. The same on the served
// and the offline page; documented in README.md ("Embedding").

// the hash of a pose and view: #side=right&abduction=20&flexion=0&rotation=0&view=lateral
export function poseHash(pose, view) {
  const q = new URLSearchParams();
  for (const k of POSE_KEYS) q.set(k, k === "side" ? pose[k] : String(Math.round(pose[k] * 100) / 100));
  if (view) q.set("view", view);
  return "#" + q.toString();
}

// {pose: partial pose, view} read from a hash; throws one clear Error on a malformed field
export function parseHash(hash) {
  const q = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const pose = {};
  let view = null;
  for (const [k, v] of q) {
    if (k === "view") view = v;
    else if (k === "side") pose.side = v;
    else if (POSE_KEYS.includes(k)) {
      const x = v.trim() === "" ? NaN : Number(v);
      if (!Number.isFinite(x)) throw new Error(`URL: ${k}=${v} is not a number of degrees`);
      pose[k] = x;
    } else {
      throw new Error(`URL: unknown field ${k} (fields: ${[...POSE_KEYS, "view"].join(", ")})`);
    }
  }
  return { pose, view };
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
  };
  Object.freeze(api);
  win.gmed = api;

  // postMessage bridge: {gmed: "setPose", args: [{abduction: 20}], id} -> the caller gets
  // {gmed: "result", id, result} or {gmed: "error", id, error}; ready is announced once
  const methods = { setPose: 1, getPose: 1, readout: 1, setView: 1, getView: 1, ready: 1 };
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
