// stanceReadout.js: the Stance mode's read-out over the view (pelvic drop in degrees and mm,
// forces in body weights and newtons, the abductor's effort, lever arms, knee valgus), the
// "Trendelenburg positive" badge (shown only when it is), and the arrows' scale. Words from
// texts.json "stance".

// newStanceReadout({el, badge, legend, model}): update(result) writes a StanceResult
// (stanceModel.js) into el (true when what it shows changed); the badge shows when
// result.trendelenburg_positive
export function newStanceReadout({ el, badge, legend, model: hip }) {
  const model = { html: "", badge: null, legend: "" };
  // fixed decimals, never "-0" (a drop of -0.0001 mm reads 0)
  const fmt = (v, d) => (v === null || v === undefined || !Number.isFinite(v) ? "\u2013" : Number(v).toFixed(d).replace(/^-(?=0(\.0*)?$)/, ""));
  const publicAPI = {};
  publicAPI.update = (r) => {
    if (!r) return;
    const t = hip.texts.stance.readout;
    const row = (name, value, cls = "") => `<div${cls ? ` class="${cls}"` : ""}><span>${name}</span><b>${value}</b></div>`;
    let html = row(t.drop, `${fmt(r.pelvic_drop_deg, 1)}\u00b0 \u00b7 ${fmt(r.pelvic_drop_mm, 0)} mm`, "gmed-drop");
    html += row(t.abductor, `${fmt(r.abductor_force_bw, 2)} BW \u00b7 ${fmt(r.abductor_force_n, 0)} N`);
    html += row(t.effort, `${fmt(r.abductor_effort_pct, 0)} %`);
    html += row(t.available, `${fmt(r.abductor_available_n / r.body_weight_n, 2)} BW \u00b7 ${fmt(r.abductor_available_n, 0)} N`);
    html += row(t.contact, `${fmt(r.hip_contact_force_bw, 2)} BW \u00b7 ${fmt(r.hip_contact_force_n, 0)} N`);
    html += row(t.moment_arm, `${fmt(r.abductor_moment_arm_mm, 0)} mm`);
    html += row(t.weight_arm, `${fmt(r.weight_lever_arm_mm, 0)} mm`);
    if (r.inp.cane_pct > 0) html += row(t.cane_arm, `${fmt(r.cane_lever_arm_mm, 0)} mm`);
    html += row(t.valgus, `${fmt(r.knee_valgus_deg, 1)}\u00b0`);
    let changed = false;
    if (html !== model.html) { el.innerHTML = model.html = html; changed = true; }
    const positive = !!r.trendelenburg_positive;
    if (positive !== model.badge) {
      model.badge = positive;
      badge.hidden = !positive;
      badge.textContent = hip.texts.stance.badge;
      changed = true;
    }
    const lg = hip.texts.stance.legend.replace("{mm}", String(hip.contract.stance.arrow_mm_per_bw));
    if (lg !== model.legend) { legend.textContent = model.legend = lg; changed = true; }
    return changed;  // the box over the view changed its size
  };
  publicAPI.reset = () => { model.html = ""; model.badge = null; model.legend = ""; };
  publicAPI.delete = () => { el.innerHTML = ""; badge.hidden = true; };
  return publicAPI;
}
