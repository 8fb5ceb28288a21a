// layerState.js: the layers shown, the structures' opacities and layer peeling of the Explore
// scene, set by the JS API, the hash and the controls (each checked, one clear Error), and
// what the hash carries of them; a per-actor summary of what is drawn (tests, debugging).

// newLayerState({model, scene, onPeel, scheduleSync}): model is the HipView model (layers,
// opacities, muscle_opacity, peel, contract); scene the Explore scene (sceneActors.js)
export function newLayerState({ model, scene, onPeel, scheduleSync }) {
  // the layers shown ({layer: bool, ...} or a list of the layers on); throws one clear Error
  function setLayers(changes, source) {
    const all = model.contract.layers;
    let next;
    if (Array.isArray(changes)) {
      const bad = changes.filter((l) => !all.includes(l));
      if (bad.length) throw new Error(`setLayers: no layer ${bad.join(", ")} (layers: ${all.join(", ")})`);
      next = all.filter((l) => changes.includes(l));
    } else if (changes && typeof changes === "object") {
      const on = new Set(model.layers);
      for (const [k, v] of Object.entries(changes)) {
        if (!all.includes(k)) throw new Error(`setLayers: no layer ${k} (layers: ${all.join(", ")})`);
        if (typeof v !== "boolean") throw new Error(`setLayers: ${k} must be true or false, not ${JSON.stringify(v)}`);
      }
      for (const [k, v] of Object.entries(changes)) if (v) on.add(k); else on.delete(k);
      next = all.filter((l) => on.has(l));
    } else {
      throw new Error("setLayers takes a list of layers or an object {layer: true|false}");
    }
    model.layers = next;
    if (source !== "start") scheduleSync();
    return getLayers();
  }
  function getLayers() { return [...model.layers]; }

  // the opacity of structure layers ({layer: 0.05..1}); throws one clear Error and changes nothing
  function setOpacity(changes, source) {
    const ids = model.contract.opacity_layers, lo = model.contract.min_opacity;
    if (!changes || typeof changes !== "object" || Array.isArray(changes)) throw new Error(`setOpacity takes {layer: opacity}, layers: ${ids.join(", ")}`);
    for (const [k, v] of Object.entries(changes)) {
      if (!ids.includes(k)) throw new Error(`setOpacity: no layer ${k} (layers: ${ids.join(", ")})`);
      if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > 1) throw new Error(`opacity of ${k} ${JSON.stringify(v)} is outside ${lo}..1`);
    }
    const rest = { ...(model.opacities || {}) };
    for (const [k, v] of Object.entries(changes)) {
      if (k === "muscle") model.muscle_opacity = v; else rest[k] = v;
    }
    model.opacities = rest;
    if (source !== "start") scheduleSync();
    return getOpacity();
  }
  function getOpacity() {
    const out = {};
    for (const l of model.contract.opacity_layers) out[l] = scene.opacityOf(l, model.contract.default_opacity[l]);
    return out;
  }

  // layer peeling: the first k steps of contract.peel hidden (0 hides nothing)
  function setPeel(k, source) {
    const n = model.contract.peel.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`peel ${JSON.stringify(k)} is outside 0..${n} (a whole number of layers)`);
    model.peel = k;
    onPeel();
    if (source !== "start") scheduleSync();
    return k;
  }
  function getPeel() { return model.peel || 0; }

  // what is drawn: per structure actor id, whether shown and its vertex count (tests, debugging)
  // ``withPoints``: their points too (flat, mm, before the actor's matrix)
  function structureCounts(withPoints = false) {
    const out = {};
    for (const [id, a] of Object.entries(scene.getActors())) {
      if (withPoints) out[id] = { xyz: Array.from(a.pd.getPoints().getData()) };
      out[id] = {
        ...(out[id] || {}),
        visible: !!a.actor.getVisibility(), points: a.pd.getPoints().getNumberOfPoints(),
        opacity: a.actor.getProperty().getOpacity(), layer: a.layer || a.group, bounds: a.actor.getBounds(),
        matrix: Array.from(a.actor.getUserMatrix()),
      };
    }
    return out;
  }

  // the layers, opacities and peeling the hash carries when they differ from the defaults
  function layerHashState() {
    const def = model.contract.default_layers, on = model.layers;
    const sameLayers = def.length === on.length && def.every((l) => on.includes(l));
    const op = getOpacity(), changed = {};
    for (const l of model.contract.opacity_layers) if (op[l] !== model.contract.default_opacity[l]) changed[l] = op[l];
    return { layers: sameLayers ? null : on, opacity: changed, peel: getPeel() };
  }

  return { setLayers, getLayers, setOpacity, getOpacity, setPeel, getPeel, layerHashState, structureCounts, delete: () => {} };
}
