// controls.js: the pose controls over the view (side, abduction, flexion, rotation, play),
// the same on the served and the offline page. They act in the browser: a drag computes
// every pose here, and the server hears of the pose only once input rests.

// newPoseControls({root, model, texts, setPose}): setPose(changes) applies a partial pose
// (poseModel.js mergePose); update(pose) shows the pose drawn
export function newPoseControls({ root, model: hip, setPose }) {
  const contract = hip.contract, t = (hip.texts && hip.texts.controls) || {};
  const box = document.createElement("div");
  box.className = "gmed-controls";
  const sides = document.createElement("div");
  sides.className = "gmed-sides";
  sides.setAttribute("role", "group");
  sides.setAttribute("aria-label", t.side || "Side");
  const sideButtons = {};
  for (const side of contract.sides) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = (t[side] || side);
    b.onclick = () => setPose({ side }, "controls");
    sideButtons[side] = b;
    sides.appendChild(b);
  }
  const play = document.createElement("button");
  play.type = "button";
  play.className = "gmed-play";
  play.textContent = t.play || "\u25b6 Play / pause";
  play.onclick = () => { hip.playing = !hip.playing; };
  const top = document.createElement("div");
  top.className = "gmed-controls-row";
  top.append(sides, play);
  box.appendChild(top);

  const sliders = {};
  for (const joint of ["abduction", "flexion", "rotation"]) {
    const [lo, hi] = contract.pose_range[joint];
    const row = document.createElement("label");
    row.className = "gmed-controls-row";
    const name = document.createElement("span");
    name.textContent = t[joint] || joint;
    const input = document.createElement("input");
    input.type = "range";
    input.min = String(lo); input.max = String(hi); input.step = String(contract.step_deg);
    input.setAttribute("aria-label", t[joint] || joint);
    input.dataset.joint = joint;
    const value = document.createElement("b");
    input.oninput = () => {
      if (joint === "abduction") hip.playing = false;
      setPose({ [joint]: Number(input.value) }, "controls");
    };
    row.append(name, input, value);
    box.appendChild(row);
    sliders[joint] = { input, value };
  }
  root.appendChild(box);

  const publicAPI = { box };
  publicAPI.update = (pose) => {
    for (const [side, b] of Object.entries(sideButtons)) b.classList.toggle("gmed-on", side === pose.side);
    for (const [joint, s] of Object.entries(sliders)) {
      if (document.activeElement !== s.input || joint === "abduction") s.input.value = String(pose[joint]);
      s.value.textContent = `${Math.round(pose[joint])}\u00b0`;
    }
    play.classList.toggle("gmed-on", !!hip.playing);
  };
  publicAPI.delete = () => box.remove();
  return publicAPI;
}

// newPeelControl({box, model, setPeel}): layer peeling as one slider in the pose controls,
// 0 (everything) .. contract.peel.length (bone), superficial to deep; update() shows model.peel
export function newPeelControl({ box, model: hip, setPeel }) {
  const t = (hip.texts && hip.texts.controls) || {};
  const names = t.peel_steps || [];
  const n = hip.contract.peel.length;
  const row = document.createElement("label");
  row.className = "gmed-controls-row gmed-peel";
  const name = document.createElement("span");
  name.textContent = t.peel || "Peel";
  const input = document.createElement("input");
  input.type = "range";
  input.min = "0"; input.max = String(n); input.step = "1";
  input.setAttribute("aria-label", t.peel || "Peel layers");
  input.dataset.peel = "1";
  const value = document.createElement("b");
  input.oninput = () => setPeel(Number(input.value));
  row.append(name, input, value);
  box.appendChild(row);
  const publicAPI = {};
  publicAPI.update = () => {
    const k = hip.peel || 0;
    input.value = String(k);
    value.textContent = names[k] || String(k);
  };
  publicAPI.update();
  publicAPI.delete = () => row.remove();
  return publicAPI;
}
