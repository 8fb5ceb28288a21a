// readout.js: the pose, muscle length and abduction moment arm box over the view.

// newReadout(el, model): update(current) writes the shown pose and current.readout
// ({length_mm, moment_arm_mm}, muscleModel.js) with the model's texts (texts.json readout)
export function newReadout(el, hip) {
  const fmt = (v, d) => (v === null || v === undefined ? "\u2013" : Number(v).toFixed(d));
  const model = { html: "" };
  const publicAPI = {};
  publicAPI.update = (current) => {
    const t = (hip.texts && hip.texts.readout) || {};
    const r = current.readout || {};
    const arm = r.moment_arm_mm ? r.moment_arm_mm.abduction : null;
    const row = (name, value) => `<div><span>${name}</span><b>${value}</b></div>`;
    let html = row(t.angle || "Abduction", `${fmt(current.abduction, 0)}\u00b0`);
    if (current.flexion) html += row(t.flexion || "Flexion", `${fmt(current.flexion, 0)}\u00b0`);
    if (current.rotation) html += row(t.rotation || "Internal rotation", `${fmt(current.rotation, 0)}\u00b0`);
    html += row(t.length || "Length", `${fmt(r.length_mm, 0)} mm`) + row(t.moment_arm || "Moment arm", `${fmt(arm, 0)} mm`);
    if (html !== model.html) el.innerHTML = model.html = html;
  };
  publicAPI.delete = () => { el.innerHTML = ""; };
  return publicAPI;
}
