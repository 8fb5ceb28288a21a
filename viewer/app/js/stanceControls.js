// stanceControls.js: the mode switch (Explore / Stance) and the Stance mode's inputs over the
// view: stance side, abductor strength, trunk lean, body mass and the cane (off, opposite
// hand, same hand, with its force in % body weight). They act in the browser, as the pose
// controls do; the server hears of them once input rests.

// newStanceControls({box, model, setMode, setStance}): box is the pose controls' element
// (controls.js); setMode(mode) and setStance(changes) apply them; update(mode, stance) shows them
export function newStanceControls({ box, model: hip, setMode, setStance }) {
  const contract = hip.contract, c = contract.stance;
  const t = (hip.texts && hip.texts.stance && hip.texts.stance.controls) || {};
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const button = (text, onclick) => { const b = el("button", null, text); b.type = "button"; b.onclick = onclick; return b; };

  // the mode switch, first in the box
  const modes = el("div", "gmed-modes");
  modes.setAttribute("role", "group");
  modes.setAttribute("aria-label", t.mode || "Mode");
  const modeButtons = {};
  for (const m of c.modes) {
    modeButtons[m] = button(t[`mode_${m}`] || m, () => setMode(m, "controls"));
    modeButtons[m].dataset.mode = m;
    modes.appendChild(modeButtons[m]);
  }
  box.insertBefore(modes, box.firstChild);

  // the stance inputs, shown in stance mode only
  const panel = el("div", "gmed-stance-controls");
  const top = el("div", "gmed-controls-row");
  const sides = el("div", "gmed-sides");
  sides.setAttribute("role", "group");
  sides.setAttribute("aria-label", t.side || "Stance side");
  const sideButtons = {};
  for (const side of contract.sides) {
    sideButtons[side] = button(t[`side_${side}`] || side, () => setStance({ side }, "controls"));
    sides.appendChild(sideButtons[side]);
  }
  const play = button(t.play || "\u25b6 Weakening", () => { hip.playing = !hip.playing; });
  play.className = "gmed-play";
  top.append(sides, play);
  panel.appendChild(top);

  const sliders = {};
  for (const key of ["strength", "lean", "body_mass", "cane"]) {
    const [lo, hi] = c.ranges[key];
    const row = el("label", "gmed-controls-row");
    const input = el("input");
    input.type = "range";
    input.min = String(lo); input.max = String(hi); input.step = String(c.steps[key]);
    input.setAttribute("aria-label", t[key] || key);
    input.dataset.stance = key;
    input.oninput = () => {
      if (key === "strength") hip.playing = false;
      setStance({ [key]: Number(input.value) }, "controls");
    };
    const value = el("b");
    if (key === "cane") {
      const hand = el("select");
      hand.setAttribute("aria-label", t.cane_hand || "Cane");
      hand.dataset.stance = "cane_hand";
      for (const h of c.cane_hands) {
        const o = el("option", null, t[`cane_${h}`] || h);
        o.value = h;
        hand.appendChild(o);
      }
      hand.onchange = () => setStance({ cane_hand: hand.value }, "controls");
      sliders.cane_hand = { input: hand };
      row.append(hand, input, value);
    } else {
      row.append(el("span", null, t[key] || key), input, value);
    }
    panel.appendChild(row);
    sliders[key] = { input, value };
  }
  box.appendChild(panel);

  const units = { strength: " %", lean: "\u00b0", body_mass: " kg", cane: " % BW" };
  const publicAPI = {};
  publicAPI.update = (mode, s) => {
    for (const [m, b] of Object.entries(modeButtons)) b.classList.toggle("gmed-on", m === mode);
    box.classList.toggle("gmed-mode-stance", mode === "stance");
    panel.hidden = mode !== "stance";
    for (const [side, b] of Object.entries(sideButtons)) b.classList.toggle("gmed-on", side === s.side);
    for (const [key, sl] of Object.entries(sliders)) {
      if (document.activeElement !== sl.input || key === "strength") sl.input.value = String(s[key]);
      if (sl.value) sl.value.textContent = `${Math.round(s[key])}${units[key]}`;
    }
    sliders.cane.input.disabled = s.cane_hand === "off";
    play.classList.toggle("gmed-on", mode === "stance" && !!hip.playing);
  };
  publicAPI.delete = () => { modes.remove(); panel.remove(); };
  return publicAPI;
}
