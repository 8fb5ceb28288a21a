// standalone.js: the offline page (no server) has its own play button and abduction slider
// over the view, the slider's range and step from the contract.

// newStandaloneBar({root, model, current, playback})
export function newStandaloneBar({ root, model: hip, current, playback }) {
  const [lo, hi] = hip.contract.pose_range.abduction;
  const bar = document.createElement("div");
  bar.className = "gmed-standalone";
  const play = document.createElement("button");
  play.textContent = "\u25b6 Play / pause";
  const range = document.createElement("input");
  range.type = "range"; range.min = String(lo); range.max = String(hi); range.step = String(hip.contract.step_deg);
  range.value = String(hip.angle);
  range.setAttribute("aria-label", "Abduction");
  const label = document.createElement("span");
  bar.append(play, range, label);
  root.appendChild(bar);

  const showAngle = (a) => {
    playback.loadSweep();
    if (playback.showLocal(a, true)) label.textContent = `${current.angle}\u00b0`;
  };
  play.onclick = () => { hip.playing = !hip.playing; };
  range.oninput = () => { hip.playing = false; showAngle(Number(range.value)); };
  const unlisten = listen(hip, "angle", () => {
    range.value = String(Math.round(hip.angle));
    if (!hip.playing) showAngle(hip.angle);
  });

  return {
    delete: () => { unlisten(); bar.remove(); },
  };
}
