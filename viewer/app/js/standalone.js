// standalone.js: the offline page (no server) has the rest of the app's controls over the
// view: layers, views, classroom mode, loop and speed, and the info panel (texts.json).

const domEl = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// newStandalonePanel({root, model, setView}): setView(name) jumps to a preset view
export function newStandalonePanel({ root, model: hip, setView }) {
  const contract = hip.contract, texts = hip.texts || {}, t = texts.controls || {};
  const panel = domEl("div", "gmed-panel");
  const toggle = domEl("button", "gmed-panel-toggle", t.menu || "\u2630 Menu");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  const body = domEl("div", "gmed-panel-body");
  body.hidden = true;
  toggle.onclick = () => {
    body.hidden = !body.hidden;
    toggle.setAttribute("aria-expanded", String(!body.hidden));
  };
  panel.append(toggle, body);

  // layers
  body.appendChild(domEl("h4", null, t.layers || "Layers"));
  const boxes = {}, ranges = {};
  for (const layer of contract.layers) {
    const row = domEl("label", "gmed-check");
    const box = domEl("input");
    box.type = "checkbox";
    box.checked = hip.layers.includes(layer);
    box.onchange = () => {
      const on = new Set(hip.layers);
      if (box.checked) on.add(layer); else on.delete(layer);
      hip.layers = contract.layers.filter((l) => on.has(l));
    };
    row.append(box, document.createTextNode(" " + ((t.layer_names && t.layer_names[layer]) || layer.replace("_", " "))));
    if (layer !== "muscle" && contract.opacity_layers && contract.opacity_layers.includes(layer)) {
      // this structure's own opacity
      const r = domEl("input");
      r.type = "range"; r.min = String(contract.min_opacity); r.max = "1"; r.step = "0.05";
      r.className = "gmed-layer-opacity";
      r.dataset.layer = layer;
      r.setAttribute("aria-label", `${t.layer_opacity || "Opacity"}: ${(t.layer_names && t.layer_names[layer]) || layer}`);
      r.oninput = () => { hip.opacities = { ...(hip.opacities || {}), [layer]: Number(r.value) }; };
      row.append(" ", r);
      ranges[layer] = r;
    }
    body.appendChild(row);
    boxes[layer] = box;
  }
  const showRanges = () => {
    for (const [layer, r] of Object.entries(ranges)) {
      const v = (hip.opacities || {})[layer];
      r.value = String(typeof v === "number" ? v : contract.default_opacity[layer]);
    }
  };
  showRanges();
  const opacity = domEl("input");
  opacity.type = "range"; opacity.min = "0.1"; opacity.max = "1"; opacity.step = "0.05";
  opacity.value = String(hip.muscle_opacity);
  opacity.setAttribute("aria-label", t.opacity || "Muscle opacity");
  opacity.oninput = () => { hip.muscle_opacity = Number(opacity.value); };
  const orow = domEl("label", "gmed-check", (t.opacity || "Muscle opacity") + " ");
  orow.appendChild(opacity);
  body.appendChild(orow);

  // views
  body.appendChild(domEl("h4", null, t.views || "View"));
  const views = domEl("div", "gmed-buttons");
  for (const id of contract.views.ids) {
    const b = domEl("button", null, contract.views.labels[id]);
    b.type = "button";
    b.onclick = () => setView(id);
    views.appendChild(b);
  }
  body.appendChild(views);

  // playback and mode
  body.appendChild(domEl("h4", null, t.playback || "Playback"));
  const loopRow = domEl("label", "gmed-check");
  const loop = domEl("input");
  loop.type = "checkbox"; loop.checked = hip.loop;
  loop.onchange = () => { hip.loop = loop.checked; };
  loopRow.append(loop, document.createTextNode(" " + (t.loop || "Loop")));
  const speed = domEl("input");
  speed.type = "range"; speed.min = "2"; speed.max = "60"; speed.step = "1"; speed.value = String(hip.speed);
  speed.setAttribute("aria-label", t.speed || "Speed");
  speed.oninput = () => { hip.speed = Number(speed.value); };
  const speedRow = domEl("label", "gmed-check", (t.speed || "Speed (\u00b0/s)") + " ");
  speedRow.appendChild(speed);
  const classroomRow = domEl("label", "gmed-check");
  const classroom = domEl("input");
  classroom.type = "checkbox"; classroom.checked = hip.classroom;
  classroom.onchange = () => { hip.classroom = classroom.checked; };
  classroomRow.append(classroom, document.createTextNode(" " + (t.classroom || "Classroom mode")));
  body.append(loopRow, speedRow, classroomRow);

  // the info panel
  const info = domEl("div", "gmed-info-box");
  info.hidden = true;
  if (texts.title) {
    let html = `<h2>${texts.title}</h2><p><i>${texts.subtitle || ""}</i></p>`;
    for (const s of texts.sections || []) html += `<h3>${s.heading}</h3><p>${s.text}</p>`;
    if ((texts.structures || []).length) html += "<h2>Its neighbours</h2>";
    for (const s of texts.structures || []) {
      html += `<h3>${s.heading}</h3><p>${s.text}</p><p><small>Sources: ${s.sources.join("; ")}</small></p>`;
    }
    const st = texts.stance;
    html += `<h2>${st.title}</h2>`;
    for (const s of st.sections) html += `<h3>${s.heading}</h3><p>${s.text}</p>`;
    const sources = [...(texts.sources || []), ...(st.sources || [])];
    html += `<h3>Sources</h3><ul>${sources.map((x) => `<li>${x}</li>`).join("")}</ul>`;
    html += `<p><small>${texts.shortcuts || ""}<br>${st.shortcuts}</small></p>`;
    info.innerHTML = html;
  }
  const infoButton = domEl("button", null, t.info || "About the muscle");
  infoButton.type = "button";
  infoButton.onclick = () => { info.hidden = !info.hidden; };
  body.appendChild(infoButton);
  root.append(panel, info);

  const unlisten = listen(hip, ["layers", "classroom", "loop", "speed", "muscle_opacity", "opacities"], () => {
    showRanges();
    for (const [layer, box] of Object.entries(boxes)) box.checked = hip.layers.includes(layer);
    classroom.checked = hip.classroom; loop.checked = hip.loop; speed.value = String(hip.speed);
    opacity.value = String(hip.muscle_opacity);
  });
  return {
    delete: () => { unlisten(); panel.remove(); info.remove(); },
  };
}
