// readout.js: the abduction, muscle length and moment arm box over the view.

// newReadout(el, model): update(current) writes {angle, length, moment_arm} with the
// model's texts (HipView.texts)
export function newReadout(el, hip) {
  const fmt = (v, d) => (v === null || v === undefined ? "\u2013" : Number(v).toFixed(d));
  const publicAPI = {};
  publicAPI.update = (current) => {
    const t = hip.texts || {};
    el.innerHTML =
      `<div><span>${t.angle || "Abduction"}</span><b>${fmt(current.angle, 0)}\u00b0</b></div>` +
      `<div><span>${t.length || "Length"}</span><b>${fmt(current.length, 0)} mm</b></div>` +
      `<div><span>${t.moment_arm || "Moment arm"}</span><b>${fmt(current.moment_arm, 0)} mm</b></div>`;
  };
  publicAPI.delete = () => { el.innerHTML = ""; };
  return publicAPI;
}
