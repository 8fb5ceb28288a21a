// labels.js: anatomy labels over the view. Each anchor is projected to the screen, faded
// when it faces away or is hidden (behind the light muscle, or behind the bones that never
// move), and its label is placed outward from the anchors' centre, columns spread so that
// no two labels overlap. Box sizes are measured once per text and style.

const SVG_NS = "http://www.w3.org/2000/svg";

// world -> normalized display (x, y in 0..1 from the lower left, z depth) for the current
// camera: the same transform as renderer.worldToNormalizedDisplay, with the matrices
// composed once instead of per point
export function projector(camera, renderer, aspect) {
  const V = camera.getViewMatrix(), P = camera.getProjectionMatrix(aspect, -1, 1);  // row-major
  const M = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
    let acc = 0;
    for (let k = 0; k < 4; k++) acc += P[4 * r + k] * V[4 * k + c];
    M[4 * r + c] = acc;
  }
  const vp = renderer.getViewport();
  return (x, y, z, out) => {
    const w = M[12] * x + M[13] * y + M[14] * z + M[15] || 1;
    const px = (M[0] * x + M[1] * y + M[2] * z + M[3]) / w;
    const py = (M[4] * x + M[5] * y + M[6] * z + M[7]) / w;
    const pz = (M[8] * x + M[9] * y + M[10] * z + M[11]) / w;
    out[0] = 0.5 * (px + 1) * (vp[2] - vp[0]) + vp[0];
    out[1] = 0.5 * (py + 1) * (vp[3] - vp[1]) + vp[1];
    out[2] = 0.5 * (pz + 1);
    return out;
  };
}

// is screen point s (x, y, depth) behind one of these projected triangles {sx, sy, sz, tris}?
export function covered(m, s) {
  const { sx, sy, sz, tris } = m;
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t], b = tris[t + 1], c = tris[t + 2];
    const x0 = sx[a], y0 = sy[a], x1 = sx[b], y1 = sy[b], x2 = sx[c], y2 = sy[c];
    if (s.x < Math.min(x0, x1, x2) || s.x > Math.max(x0, x1, x2) || s.y < Math.min(y0, y1, y2) || s.y > Math.max(y0, y1, y2)) continue;
    const den = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2);
    if (Math.abs(den) < 1e-9) continue;
    const l0 = ((y1 - y2) * (s.x - x2) + (x2 - x1) * (s.y - y2)) / den;
    const l1 = ((y2 - y0) * (s.x - x2) + (x0 - x2) * (s.y - y2)) / den;
    const l2 = 1 - l0 - l1;
    if (l0 < 0 || l1 < 0 || l2 < 0) continue;
    if (l0 * sz[a] + l1 * sz[b] + l2 * sz[c] < s.depth - 1e-5) return true;
  }
  return false;
}

// newLabels({root, layer, svg, canvasHost, win, scene, model}): layer holds the label
// boxes, svg their leaders; win is the render window, scene the sceneActors
export function newLabels({ root, layer, svg, canvasHost, win, scene, model: hip }) {
  const renderer = win.getRenderer(), camera = win.getCamera();
  const model = { labels: [], sizes: null, lodTris: null, stillCache: null };
  const publicAPI = {};

  // label boxes and leaders for scene_data.labels
  publicAPI.build = (specs) => {
    model.labels = specs.map((l) => ({ ...l, div: null }));
    model.sizes = null;
    model.lodTris = null;
    model.stillCache = null;
    layer.innerHTML = "";
    svg.innerHTML = "";
    for (const l of model.labels) {
      const d = document.createElement("div");
      d.className = "gmed-label" + (l.emphasis ? " gmed-label-main" : "");
      d.textContent = l.text;
      d.dataset.id = l.id;
      layer.appendChild(d);
      const line = document.createElementNS(SVG_NS, "line");
      svg.appendChild(line);
      const dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("r", "4");
      svg.appendChild(dot);
      l.div = d; l.line = line; l.dot = dot;
    }
  };
  // box sizes are measured again at the next place() (new size or style)
  publicAPI.invalidateSizes = () => { model.sizes = null; };

  // reading box sizes every frame would force a layout of the page each frame
  function measure() {
    model.sizes = model.labels.map((l) => [l.div.offsetWidth, l.div.offsetHeight]);
  }

  // the shown bones that never move (pelvis, sacrum, the other femur), light meshes in
  // screen coordinates; recomputed only when the camera, the size or the layers change
  function stillBones(project, w, h) {
    const cache = model.stillCache;
    const key = [camera.getMTime(), w, h, hip.layers.join()].join("/");
    if (cache && cache.key === key) return cache.tris.length ? cache : null;
    const on = new Set(hip.layers), actors = scene.getActors();
    const parts = [];
    let n = 0, nt = 0;
    for (const m of scene.getSceneData().meshes) {
      const a = actors[m.id];
      if (m.moves || !a.lodPd || !groupShown(on, a.group)) continue;
      const pts = a.lodPd.getPoints().getData(), tris = U32(m.lod.tris);
      parts.push({ pts, tris, offset: n });
      n += pts.length / 3; nt += tris.length;
    }
    const sx = new Float32Array(n), sy = new Float32Array(n), sz = new Float32Array(n), tris = new Uint32Array(nt);
    const d = [0, 0, 0];
    let k = 0;
    for (const p of parts) {
      for (let i = 0; i < p.pts.length / 3; i++) {
        project(p.pts[3 * i], p.pts[3 * i + 1], p.pts[3 * i + 2], d);
        sx[p.offset + i] = d[0] * w; sy[p.offset + i] = (1 - d[1]) * h; sz[p.offset + i] = d[2];
      }
      for (let t = 0; t < p.tris.length; t++) tris[k++] = p.tris[t] + p.offset;
    }
    model.stillCache = { key, sx, sy, sz, tris };
    return nt ? model.stillCache : null;
  }

  // every anchor on screen: {l, x, y, depth, facing, bw, bh}
  function anchors(project, w, h) {
    const muscle = scene.getMuscle(), femurMatrix = scene.getFemurMatrix();
    const cam = camera.getPosition();
    const mpts = muscle.pd.getPoints().getData();
    const mn = muscle.pd.getPointData().getNormals().getData();
    const d = [0, 0, 0];
    return model.labels.map((l, li) => {
      let p, n;
      if (l.attach === "muscle") {
        const i = 3 * l.vertex;
        p = [mpts[i], mpts[i + 1], mpts[i + 2]];
        n = [mn[i], mn[i + 1], mn[i + 2]];
      } else if (l.attach === "fan") {
        // another fan muscle, posed here (sceneActors fans)
        const a = scene.getActors()["fan_" + l.fan], i = 3 * l.vertex;
        const fp = a.pd.getPoints().getData(), fnrm = a.pd.getPointData().getNormals().getData();
        p = [fp[i], fp[i + 1], fp[i + 2]];
        n = [fnrm[i], fnrm[i + 1], fnrm[i + 2]];
      } else if (l.attach === "femur") {
        p = transformPoint(femurMatrix, l.point);
        n = transformVector(femurMatrix, l.normal);
      } else {
        p = l.point; n = l.normal;
      }
      project(p[0], p[1], p[2], d);
      const x = d[0] * w, y = (1 - d[1]) * h;
      let facing = true;
      if (n) {
        // facing the camera, or grazing: seen
        const v = [cam[0] - p[0], cam[1] - p[1], cam[2] - p[2]];
        const cos = (v[0] * n[0] + v[1] * n[1] + v[2] * n[2]) / (Math.hypot(...v) * Math.hypot(...n) || 1);
        facing = cos > -0.2;
      }
      return { l, x, y, depth: d[2], facing, bw: model.sizes[li][0], bh: model.sizes[li][1] };
    });
  }

  // anchors hidden behind the muscle are drawn faded with dashed leaders (tested against
  // the light muscle: every other fibre and sample); so are anchors on the muscle or the
  // femur behind the bones that do not move
  function fadeHidden(screen, project, w, h) {
    const muscle = scene.getMuscle();
    if (muscle.actor.getVisibility() && hip.muscle_opacity > 0.5) {
      const mpts = muscle.pd.getPoints().getData();
      const np = mpts.length / 3;
      const sx = new Float32Array(np), sy = new Float32Array(np), sz = new Float32Array(np);
      const d = [0, 0, 0];
      for (let i = 0; i < np; i++) {
        project(mpts[3 * i], mpts[3 * i + 1], mpts[3 * i + 2], d);
        sx[i] = d[0] * w; sy[i] = (1 - d[1]) * h; sz[i] = d[2];
      }
      const light = { sx, sy, sz, tris: model.lodTris || (model.lodTris = U32(scene.getSceneData().muscle.lod_tris)) };
      for (const s of screen) {
        if (s.l.attach !== "muscle" && s.facing && covered(light, s)) s.facing = false;
      }
    }
    const still = stillBones(project, w, h);
    if (still) {
      for (const s of screen) {
        if (s.l.attach !== "pelvis" && s.facing && covered(still, s)) s.facing = false;
      }
    }
  }

  // labels go outward from the centre of the anchors, left or right, then each column is
  // spread so that no two labels overlap (their own heights plus a margin)
  function layOut(screen, w, h) {
    let cx = 0, cy = 0;
    for (const s of screen) { cx += s.x; cy += s.y; }
    cx /= screen.length; cy /= screen.length;
    const reach = hip.classroom ? 170 : 120;
    for (const s of screen) {
      const side = s.x < cx ? -1 : 1;
      s.side = side;
      s.lx = s.x + side * reach;
      s.ly = s.y + (s.y - cy) * 0.25;
    }
    for (const side of [-1, 1]) {
      const group = screen.filter((s) => s.side === side).sort((a, b) => a.ly - b.ly);
      for (let i = 1; i < group.length; i++) {
        const gap = 0.5 * (group[i].bh + group[i - 1].bh) + 6;
        if (group[i].ly - group[i - 1].ly < gap) group[i].ly = group[i - 1].ly + gap;
      }
    }
    for (const s of screen) {
      const div = s.l.div;
      const bw = s.bw, bh = s.bh;
      let left = s.side < 0 ? s.lx - bw : s.lx;
      left = Math.max(4, Math.min(w - bw - 4, left));
      const top = Math.max(4, Math.min(h - bh - 4, s.ly - bh / 2));
      div.style.transform = `translate(${left}px, ${top}px)`;
      div.classList.toggle("gmed-label-behind", !s.facing);
      const ex = s.side < 0 ? left + bw : left;
      s.l.line.setAttribute("x1", s.x); s.l.line.setAttribute("y1", s.y);
      s.l.line.setAttribute("x2", ex); s.l.line.setAttribute("y2", top + bh / 2);
      s.l.line.setAttribute("class", s.facing ? "gmed-leader" : "gmed-leader gmed-leader-behind");
      s.l.dot.setAttribute("cx", s.x); s.l.dot.setAttribute("cy", s.y);
      s.l.dot.setAttribute("class", s.facing ? "gmed-dot" : "gmed-dot gmed-leader-behind");
    }
  }

  // every label placed for the current camera and pose (nothing while labels are hidden)
  publicAPI.place = () => {
    if (!model.labels.length || !scene.getMuscle() || root.classList.contains("gmed-no-labels")) return;
    const size = win.getRenderWindow().getViews()[0].getSize();
    const w = canvasHost.clientWidth, h = canvasHost.clientHeight;
    if (!w || !h) return;
    const sizes = model.sizes;
    if (!sizes || sizes.length !== model.labels.length || !sizes.some((b) => b[0] > 0)) measure();
    const project = projector(camera, renderer, size[0] / size[1]);
    // a structure's label shows while its layer does (not hidden or peeled away)
    const on = shownLayers(hip);
    for (const l of model.labels) {
      const layer = l.layer || (l.attach === "muscle" ? "muscle" : null);  // the medius' own too
      const off = !!layer && !on.has(layer);
      l.div.hidden = off;
      l.line.style.display = l.dot.style.display = off ? "none" : "";
    }
    const screen = anchors(project, w, h).filter((s) => !s.l.div.hidden);
    fadeHidden(screen, project, w, h);
    layOut(screen, w, h);
  };

  publicAPI.delete = () => {
    layer.innerHTML = "";
    svg.innerHTML = "";
    model.labels = [];
    model.stillCache = null;
  };
  return publicAPI;
}
