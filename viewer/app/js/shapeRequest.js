// shapeRequest.js: the LLP26 shape of the page (gmed.setShape, gmed.getShape). The served page
// asks (HipView.shape), the server builds the shape and sends its scene_data, whose .shape is
// the shape shown; HipView.shape_status says while it builds, or why it was refused. The
// offline page holds the one shape it was exported with.

// the page's shape keys: mode1 .. modeN (contract.shape.modes)
export function shapeKeys(contract) {
  return Array.from({ length: contract.shape.modes }, (_, i) => `mode${i + 1}`);
}

// {mode1: sd, ...} -> "mode 2 -1.5 SD, mode 5 +1 SD" (or "the mean")
export function describeShape(shape) {
  const items = Object.entries(shape || {}).filter(([, v]) => v).map(([k, v]) => `mode ${k.slice(4)} ${v > 0 ? "+" : "\u2212"}${Math.abs(v)} SD`);
  return items.length ? items.join(", ") : "the mean";
}

// current shape with changes ({mode1: sd, ...}) applied; throws one clear Error on an unknown
// mode, a weight that is not a finite number or one outside contract.shape.sd_range
export function checkShape(contract, changes, current) {
  const keys = shapeKeys(contract), [lo, hi] = contract.shape.sd_range;
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
    throw new Error(`setShape: give {mode1: sd, ...} with modes ${keys.join(", ")} in SD (${lo}..${hi})`);
  }
  const out = {};
  for (const k of keys) out[k] = Number((current || {})[k]) || 0;
  for (const [k, v] of Object.entries(changes)) {
    if (!keys.includes(k)) throw new Error(`setShape: no ${k} (modes: ${keys.join(", ")})`);
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`setShape: ${k}=${JSON.stringify(v)} is not a number of SD`);
    if (v < lo || v > hi) throw new Error(`setShape: ${k}=${v} SD is outside ${lo}..${hi} SD`);
    out[k] = v;
  }
  return out;
}

export function sameShape(a, b) {
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  for (const k of keys) if (Math.abs((Number((a || {})[k]) || 0) - (Number((b || {})[k]) || 0)) > 1e-9) return false;
  return true;
}

// newShapeRequest({model, status, showError, whenDrawn}): setShape(changes) -> Promise of the
// shape once drawn; getShape(); onScene() when scene_data changed; onStatus() when
// shape_status changed. status is the view's one-line status element.
export function newShapeRequest({ model, status, showError, whenDrawn }) {
  let pending = [];  // {shape, resolve, reject}, oldest first
  const shown = () => checkShape(model.contract, {}, (model.scene_data && model.scene_data.shape) || {});
  const building = () => !!(model.shape_status && model.shape_status.building);

  function setShape(changes) {
    if (model.standalone) {
      throw new Error(`setShape: this offline page holds one shape (${describeShape(shown())}); export another with gmed export-html --shape`);
    }
    const base = model.shape && Object.keys(model.shape).length ? model.shape : shown();
    const want = checkShape(model.contract, changes, base);
    if (sameShape(want, shown()) && sameShape(base, want) && !building()) return whenDrawn().then(() => shown());
    return new Promise((resolve, reject) => {
      for (const p of pending) p.reject(new Error(`setShape: ${describeShape(p.shape)} was superseded by ${describeShape(want)}`));
      pending = [{ shape: want, resolve, reject }];
      if (!sameShape(model.shape, want)) model.shape = want;
    });
  }

  function onScene() {
    const s = shown();
    const done = pending.filter((p) => sameShape(p.shape, s));
    pending = pending.filter((p) => !sameShape(p.shape, s));
    if (done.length) whenDrawn().then(() => { for (const p of done) p.resolve({ ...s }); });
  }

  function onStatus() {
    const st = model.shape_status || {};
    const busy = status.classList.contains("gmed-shape-busy");
    if (st.building || st.finding) {  // a shape being built, or the shape of a clinical target sought
      if (!status.classList.contains("gmed-error")) {
        status.textContent = st.building ? `Building the shape (${describeShape(st.building)})\u2026` : `Finding the shape with ${st.finding}\u2026`;
        status.classList.add("gmed-shape-busy");
      }
    } else if (busy) {
      status.textContent = "";
      status.classList.remove("gmed-shape-busy");
    }
    if (st.error) {
      const err = new Error(st.error);
      for (const p of pending) p.reject(err);
      pending = [];
      showError(err);
    }
  }

  return {
    setShape,
    getShape: () => shown(),
    onScene,
    onStatus,
    delete: () => { for (const p of pending) p.reject(new Error("gmed: the view was removed")); pending = []; },
  };
}
