// activityControls.js: the Exercise and Walk modes' controls and card. In the controls' box:
// the gallery (highest reported gluteus medius activity first), the working side and the
// fault for an exercise, the gait variants for walking, play/pause and the scrub slider. Over
// the view: the card (aim, cues, the cited activity, the lever at the key pose; for walking
// the frame's pelvis, trunk and which gluteus medius is on). Words from texts.json "activity".

// newActivityControls({root, box, model, stanceFigures, set, togglePlay}): set(changes) applies a
// partial activity; stanceFigures(side) the stance model's {full, weak, weak_pct, mass} results;
// show(mode, twin) builds the mode's controls; update(mode, act, twin, placed, playing)
export function newActivityControls({ root, box, model: hip, stanceFigures, set, togglePlay }) {
  const t = hip.texts.activity;
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const button = (text, onclick, data = {}) => {
    const b = el("button", null, text);
    b.type = "button";
    b.onclick = onclick;
    Object.assign(b.dataset, data);
    return b;
  };
  const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
  const fmt = (v, d = 0) => Number(v).toFixed(d).replace(/^-(?=0(\.0*)?$)/, "").replace("-", "\u2212");

  const panel = el("div", "gmed-activity-controls");
  panel.hidden = true;
  box.appendChild(panel);
  const card = el("div", "gmed-activity-card");
  card.hidden = true;
  card.setAttribute("role", "region");
  card.setAttribute("aria-live", "polite");
  root.appendChild(card);
  const model = { mode: null, built: null, buttons: {}, play: null, slider: null, value: null, html: "", cardKey: "" };

  // the mode's controls, built when the mode (or the data) changes
  const publicAPI = {};
  publicAPI.show = (mode, twin) => {
    panel.hidden = card.hidden = !mode;
    box.classList.toggle("gmed-mode-activity", !!mode);
    root.classList.toggle("gmed-activity", !!mode);
    if (!mode || (model.mode === mode && model.built === twin)) return;
    model.mode = mode;
    model.built = twin;
    model.html = model.cardKey = "";
    panel.replaceChildren();
    model.buttons = { item: {}, side: {}, fault: {} };
    if (mode === "exercise") {
      const list = el("div", "gmed-gallery");
      list.setAttribute("role", "group");
      list.setAttribute("aria-label", t.controls.gallery);
      twin.exercises.forEach((e, k) => {
        const b = button(`${k + 1}. ${e.name}`, () => set({ exercise: e.id, phase: 0 }), { exercise: e.id });
        b.title = `${e.activity.text}`;
        model.buttons.item[e.id] = b;
        list.appendChild(b);
      });
      const row = el("div", "gmed-controls-row");
      for (const side of hip.contract.sides) {
        model.buttons.side[side] = button(t.controls[`side_${side}`], () => set({ side }), { side });
        row.appendChild(model.buttons.side[side]);
      }
      model.faultRow = el("div", "gmed-controls-row");
      panel.append(list, row, model.faultRow);
    } else {
      const row = el("div", "gmed-controls-row gmed-gaits");
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", t.controls.gait);
      for (const v of twin.variants) {
        model.buttons.item[v] = button(t.walk.variants[v].name, () => set({ gait: v }), { gait: v });
        row.appendChild(model.buttons.item[v]);
      }
      panel.appendChild(row);
    }
    const row = el("label", "gmed-controls-row");
    model.play = button(t.controls.play, () => togglePlay());
    model.play.className = "gmed-play";
    model.slider = el("input");
    model.slider.type = "range";
    model.slider.min = "0"; model.slider.max = "1"; model.slider.step = String(hip.contract.activity.phase_step / 4);
    model.slider.setAttribute("aria-label", t.controls.phase);
    model.slider.dataset.activity = "phase";
    model.slider.oninput = () => set({ phase: Number(model.slider.value) });
    model.value = el("b");
    row.append(model.play, model.slider, model.value);
    panel.appendChild(row);
  };

  // the controls and the card for the activity now drawn
  publicAPI.update = (mode, act, twin, placed, playing) => {
    if (!mode || !placed) return;
    const item = mode === "exercise" ? act.exercise : act.gait;
    for (const [k, b] of Object.entries(model.buttons.item)) b.classList.toggle("gmed-on", k === item);
    for (const [k, b] of Object.entries(model.buttons.side)) b.classList.toggle("gmed-on", k === act.side);
    if (mode === "exercise") faultButtons(twin.exercise(act.exercise), act.fault);
    model.play.textContent = playing ? t.controls.pause : t.controls.play;
    model.play.classList.toggle("gmed-on", !!playing);
    if (document.activeElement !== model.slider || playing) model.slider.value = String(act.phase);
    model.value.textContent = `${Math.round(100 * act.phase)} %`;
    const html = mode === "exercise" ? exerciseCard(twin.exercise(act.exercise), act, placed) : walkCard(twin, act, placed.frame);
    if (html !== model.html) card.innerHTML = model.html = html;
  };

  function faultButtons(ex, fault) {
    const key = `${ex.id}|${fault}`;
    if (model.cardKey === key) return;
    model.cardKey = key;
    model.faultRow.replaceChildren();
    model.buttons.fault = {};
    if (!ex.faults.length) return;
    const off = button(t.controls.fault_off, () => set({ fault: null }), { fault: "" });
    off.classList.toggle("gmed-on", !fault);
    model.faultRow.appendChild(off);
    for (const f of ex.faults) {
      const b = button(f.name, () => set({ fault: f.id }), { fault: f.id });
      b.classList.toggle("gmed-on", fault === f.id);
      model.faultRow.appendChild(b);
    }
  }

  function exerciseCard(ex, act, placed) {
    const c = t.card, a = ex.activity, lever = ex.lever[act.side];
    const parts = hip.contract.parts.filter((p) => lever[p]);
    const row = (key) => parts.map((p) => fmt(lever[p][key])).join(" / ");
    const k = hip.contract.activity.exercises.indexOf(ex.id) + 1;
    let h = `<h3>${k}. ${esc(ex.name)}</h3>`;
    h += `<div class="gmed-row gmed-activity-figure"><span>${esc(c.activity)}</span><b>${esc(a.text)}</b></div>`;
    h += `<div class="gmed-cite">${esc(a.detail)}; ${esc(a.citation)}${a.verified || /secondary/.test(a.detail) ? "" : ` (${esc(c.secondary)})`}</div>`;
    h += `<p class="gmed-aim"><b>${esc(c.aim)}</b> ${esc(ex.aim)}</p><ul>${ex.cues.map((q) => `<li>${esc(q)}</li>`).join("")}</ul>`;
    h += `<div class="gmed-lever"><div>${esc(c.lever.replace("{side}", act.side))}</div>`;
    h += `<div class="gmed-row"><span>${esc(c.abducts)}</span><b>${row("abduction_mm")} mm</b></div>`;
    h += `<div class="gmed-row"><span>${esc(c.rotates)}</span><b>${row("rotation_mm")} mm</b></div>`;
    h += `<div class="gmed-row"><span>${esc(c.length)}</span><b>${row("length_mm")} mm</b></div></div>`;
    const p = placed.at;
    h += `<div class="gmed-now">${esc(c.now.replace("{abduction}", fmt(p.abduction)).replace("{flexion}", fmt(p.flexion)).replace("{rotation}", fmt(p.rotation)).replace("{knee}", fmt(p.knee_flexion)))}</div>`;
    if (ex.stance_model) {
      const s = stanceFigures(act.side), f = s.full, w = s.weak;
      const fill = { side: act.side, mass: fmt(s.mass), force: fmt(f.abductor_force_bw, 2), drop: fmt(f.pelvic_drop_deg, 1),
        weak: fmt(s.weak_pct), weak_drop: fmt(w.pelvic_drop_deg, 1), sign: w.trendelenburg_positive ? c.positive : "" };
      h += `<p class="gmed-stance-figures">${esc(c.stance.replace(/\{(\w+)\}/g, (m, k) => fill[k]))}</p>`;
    }
    if (act.fault) {
      const f = ex.faults.find((x) => x.id === act.fault);
      h += `<p class="gmed-fault"><b>${esc(f.name)}:</b> ${esc(f.text)}</p>`;
    }
    return h;
  }

  function walkCard(twin, act, f) {
    const w = t.walk, d = hip.scene_data.activity.gait.variants[act.gait];
    const fill = (s) => s.replace("{drop}", fmt(d.extra_drop_deg, 1)).replace("{lean}", fmt(d.lean_deg, 1)).replace("{shift}", fmt(d.com_shift_mm, 0));
    const on = hip.contract.sides.filter((s) => f.gmed_active[s]).map((s) => w[s]);
    const up = f.pelvic_obliquity_deg >= 0 ? w.right : w.left;
    let h = `<h3>${esc(w.title.replace("{variant}", w.variants[act.gait].name))}</h3>`;
    h += `<p>${esc(fill(w.variants[act.gait].text))}</p>`;
    h += `<div class="gmed-row"><span>${esc(w.cycle)}</span><b>${fmt(f.percent, 0)} %</b></div>`;
    h += `<div class="gmed-row"><span>${esc(w.obliquity)}</span><b>${fmt(Math.abs(f.pelvic_obliquity_deg), 1)}\u00b0 ${esc(w.up.replace("{side}", up))}</b></div>`;
    h += `<div class="gmed-row"><span>${esc(w.lean)}</span><b>${fmt(Math.abs(f.trunk_lean_deg), 1)}\u00b0</b></div>`;
    h += `<div class="gmed-row gmed-on-row"><span>${esc(w.active)}</span><b>${esc(on.length ? on.join(", ") : w.none)}</b></div>`;
    h += `<div class="gmed-cite">${esc(w.timing)} ${hip.scene_data.activity.gait_sources.map(esc).join(" ")}</div>`;
    return h;
  }

  publicAPI.delete = () => { panel.remove(); card.remove(); };
  return publicAPI;
}
