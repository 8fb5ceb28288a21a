// gmed-viewer browser view: vtk.js (served by Panel from its own wheel) driven from Python.
// Meshes arrive once as binary buffers; afterwards only frames (femur matrix, muscle and
// fibre points) arrive, or a precomputed abduction sweep that is played here in the browser.

function loadVtk(url) {
  if (window.vtk) return Promise.resolve(window.vtk);
  if (!window.__gmedVtkPromise) {
    window.__gmedVtkPromise = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => resolve(window.vtk);
      s.onerror = () => reject(new Error("could not load vtk.js from " + url));
      document.head.appendChild(s);
    });
  }
  return window.__gmedVtkPromise;
}

function buf(x) {
  // bytes arrive as ArrayBuffer, DataView or typed array depending on the path
  if (x instanceof ArrayBuffer) return x;
  if (ArrayBuffer.isView(x)) return x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength);
  if (x && x.buffer instanceof ArrayBuffer) return x.buffer;
  throw new Error("unexpected binary payload");
}
const F32 = (x) => new Float32Array(buf(x));
const U32 = (x) => new Uint32Array(buf(x));
const U8 = (x) => new Uint8Array(buf(x));

// still frames are drawn at this multiple of the screen resolution (anti-aliasing)
const SUPERSAMPLE = 1.5;
// while moving on a slow browser the view is drawn at this fraction of the resolution
const LOD_SCALE = 0.45;

function hex(c) {
  const v = c.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(v.slice(i, i + 2), 16) / 255);
}

function cells(tris) {
  const n = tris.length / 3;
  const out = new Uint32Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[4 * i] = 3;
    out[4 * i + 1] = tris[3 * i];
    out[4 * i + 2] = tris[3 * i + 1];
    out[4 * i + 3] = tris[3 * i + 2];
  }
  return out;
}

function vertexNormals(points, tris, out) {
  out.fill(0);
  for (let t = 0; t < tris.length; t += 3) {
    const a = 3 * tris[t], b = 3 * tris[t + 1], c = 3 * tris[t + 2];
    const ux = points[b] - points[a], uy = points[b + 1] - points[a + 1], uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a], vy = points[c + 1] - points[a + 1], vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const k of [a, b, c]) { out[k] += nx; out[k + 1] += ny; out[k + 2] += nz; }
  }
  for (let i = 0; i < out.length; i += 3) {
    const l = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= l; out[i + 1] /= l; out[i + 2] /= l;
  }
  return out;
}

function transformPoint(m, p) {
  // m: 16 floats, column-major
  return [
    m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12],
    m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13],
    m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14],
  ];
}
function transformVector(m, p) {
  return [m[0] * p[0] + m[4] * p[1] + m[8] * p[2], m[1] * p[0] + m[5] * p[1] + m[9] * p[2], m[2] * p[0] + m[6] * p[1] + m[10] * p[2]];
}

export async function render({ model, el }) {
  try {
    await renderView({ model, el });
  } catch (err) {
    console.error("gmed view failed:", err && err.stack ? err.stack : err);
    throw err;
  }
}

async function renderView({ model, el }) {
  const root = document.createElement("div");
  root.className = "gmed-root";
  const canvasHost = document.createElement("div");
  canvasHost.className = "gmed-canvas";
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "gmed-leaders");
  const labelLayer = document.createElement("div");
  labelLayer.className = "gmed-labels";
  const readout = document.createElement("div");
  readout.className = "gmed-readout";
  const status = document.createElement("div");
  status.className = "gmed-status";
  status.textContent = "Loading 3D view\u2026";
  root.append(canvasHost, svg, labelLayer, readout, status);
  el.appendChild(root);

  let vtk;
  try {
    vtk = await loadVtk(model.vtk_url);
  } catch (err) {
    status.textContent = String(err);
    console.error(err);
    return;
  }
  // The render window is assembled by hand (not vtkGenericRenderWindow) so that the WebGL
  // context is created without multisampling: MSAA costs several times the fill rate in
  // software WebGL. Still frames are supersampled instead (SUPERSAMPLE below).
  const grw = (() => {
    const renderWindow = vtk.Rendering.Core.vtkRenderWindow.newInstance();
    const renderer = vtk.Rendering.Core.vtkRenderer.newInstance({ background: [1, 1, 1] });
    renderWindow.addRenderer(renderer);
    const gl = renderWindow.newAPISpecificView();
    // the first getContext call fixes the attributes; vtk.js then gets this same context
    gl.getCanvas().getContext("webgl2", {
      preserveDrawingBuffer: false, depth: true, alpha: true, antialias: false, powerPreference: "high-performance",
    });
    renderWindow.addView(gl);
    gl.setContainer(canvasHost);
    const interactor = vtk.Rendering.Core.vtkRenderWindowInteractor.newInstance();
    interactor.setView(gl);
    interactor.initialize();
    interactor.bindEvents(canvasHost);
    interactor.setInteractorStyle(vtk.Interaction.Style.vtkInteractorStyleTrackballCamera.newInstance());
    let scale = 1;
    const resize = () => {
      const w = canvasHost.clientWidth, h = canvasHost.clientHeight;
      if (!w || !h) return;
      const dpr = window.devicePixelRatio || 1;
      gl.setSize(Math.max(1, Math.round(w * dpr * scale)), Math.max(1, Math.round(h * dpr * scale)));
      const c = gl.getCanvas();
      c.style.width = "100%"; c.style.height = "100%";
    };
    return {
      getRenderer: () => renderer, getRenderWindow: () => renderWindow, getInteractor: () => interactor,
      getApiSpecificRenderWindow: () => gl, resize, setScale: (s) => { scale = s; resize(); }, getScale: () => scale,
    };
  })();
  const renderer = grw.getRenderer();
  const renderWindow = grw.getRenderWindow();
  const interactor = grw.getInteractor();
  const camera = renderer.getActiveCamera();
  renderer.setTwoSidedLighting(true);

  const actors = {};       // id -> {actor, group, moves, pd}
  let femurMatrix = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  let muscle = null;       // {pd, points, normals, tris, rgb}
  let ribbon = null;
  let labels = [];
  let labelSizes = null, lodTris = null, stillCache = null;  // see placeLabels
  let layout = null;
  let sweep = null, sweepMeta = null;
  let current = { angle: model.angle, length: null, moment_arm: null };
  const stats = { frames: 0, renders: 0, start: performance.now(), lastRenderMs: 0 };
  window.gmedStats = stats;

  function makeActor(points, tris, color, normals) {
    const pd = vtk.Common.DataModel.vtkPolyData.newInstance();
    pd.getPoints().setData(points, 3);
    pd.getPolys().setData(cells(tris));
    if (normals) {
      pd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({ name: "Normals", numberOfComponents: 3, values: normals }));
    }
    const mapper = vtk.Rendering.Core.vtkMapper.newInstance();
    mapper.setInputData(pd);
    const actor = vtk.Rendering.Core.vtkActor.newInstance();
    actor.setMapper(mapper);
    const prop = actor.getProperty();
    prop.setColor(...hex(color));
    prop.setInterpolationToPhong();
    prop.setSpecular(0.15);
    prop.setSpecularPower(20);
    // bones, muscles and footprints are closed and wound outward (tested in Python): their
    // back faces are never seen, and skipping them saves a third of the software-GL time
    prop.setBackfaceCulling(true);
    renderer.addActor(actor);
    return { actor, pd, mapper };
  }

  function partColors(partBytes) {
    const palette = model.classroom ? sceneData.colors.classroom : sceneData.colors.normal;
    const cols = ["anterior", "middle", "posterior"].map((k) => hex(palette[k]).map((c) => Math.round(255 * c)));
    const part = U8(partBytes);
    const rgb = new Uint8Array(part.length * 3);
    for (let i = 0; i < part.length; i++) rgb.set(cols[part[i]], 3 * i);
    return rgb;
  }

  function setScalars(entry, rgb) {
    const arr = vtk.Common.Core.vtkDataArray.newInstance({ name: "rgb", numberOfComponents: 3, values: rgb });
    entry.pd.getPointData().setScalars(arr);
    entry.mapper.setColorModeToDirectScalars();
    entry.mapper.setScalarVisibility(true);
    entry.pd.modified();
  }

  let sceneData = null;
  function build() {
    sceneData = model.scene_data;
    if (!sceneData || !sceneData.meshes) return;
    renderer.removeAllActors();
    for (const k of Object.keys(actors)) delete actors[k];
    layout = sceneData.layout;
    for (const m of sceneData.meshes) {
      const pts = F32(m.points);
      const normals = m.normals ? F32(m.normals) : vertexNormals(pts, U32(m.tris), new Float32Array(pts.length));
      const a = makeActor(pts, U32(m.tris), m.color, normals);
      if (m.part) setScalars(a, partColors(m.part));
      let lodPd = null;
      if (m.lod && m.lod.normals) {
        lodPd = vtk.Common.DataModel.vtkPolyData.newInstance();
        lodPd.getPoints().setData(F32(m.lod.points), 3);
        lodPd.getPolys().setData(cells(U32(m.lod.tris)));
        lodPd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({ name: "Normals", numberOfComponents: 3, values: F32(m.lod.normals) }));
      }
      actors[m.id] = { ...a, group: m.group, moves: m.moves, part: m.part, fullPd: a.pd, lodPd };
    }
    lodOn = false;
    lod = null;
    for (const f of sceneData.footprints) {
      const pts = F32(f.points);
      const a = makeActor(pts, U32(f.tris), f.color, vertexNormals(pts, U32(f.tris), new Float32Array(pts.length)));
      actors["footprint_" + f.id] = { ...a, group: "footprints", moves: f.moves };
    }
    const mt = U32(sceneData.muscle.tris);
    const mpts = new Float32Array(layout.muscle);
    muscle = { ...makeActor(mpts, mt, sceneData.colors.bone, new Float32Array(layout.muscle)), tris: mt, group: "muscle" };
    setScalars(muscle, partColors(sceneData.muscle.part));
    muscle.actor.getProperty().setSpecular(0.3);
    actors.muscle = muscle;
    const rt = U32(sceneData.muscle.ribbon_tris);
    ribbon = { ...makeActor(new Float32Array(layout.ribbon), rt, sceneData.colors.fibre, new Float32Array(layout.ribbon)), tris: rt, group: "fibres" };
    ribbon.actor.getProperty().setSpecular(0.0);
    ribbon.actor.getProperty().setBackfaceCulling(false);  // an open strip on the surface
    actors.fibres = ribbon;
    labels = sceneData.labels.map((l) => ({ ...l, div: null }));
    buildLabels();
    applyLayers();
    applyOpacity();
    applyView();
    if (model.frame && model.frame.byteLength !== 0) showFrame(F32(model.frame), 0, model.readout);
  }

  function buildLabels() {
    labelSizes = null;
    lodTris = null;
    stillCache = null;
    labelLayer.innerHTML = "";
    svg.innerHTML = "";
    for (const l of labels) {
      const d = document.createElement("div");
      d.className = "gmed-label" + (l.emphasis ? " gmed-label-main" : "");
      d.textContent = l.text;
      d.dataset.id = l.id;
      labelLayer.appendChild(d);
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      svg.appendChild(line);
      const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("r", "4");
      svg.appendChild(dot);
      l.div = d; l.line = line; l.dot = dot;
    }
  }

  // Level of detail while the view moves, when full detail cannot keep 30 frames per
  // second (software WebGL, old laptops). Measured in headless Chromium here: the cost is
  // in draw calls, vertex uploads and pixels, so while moving the view shows three light
  // meshes at half resolution: everything static merged and decimated (uploaded once),
  // the decimated femur with its insertion (moved by its matrix only) and the muscle with
  // its fibres (the only upload per frame). Full detail returns when motion stops.
  let lodOn = false, slowMs = 0, lod = null;
  const RGB = (c) => hex(c).map((v) => Math.round(255 * v));
  function uniformRgb(n, rgb) { const c = new Uint8Array(n * 3); for (let i = 0; i < n; i++) c.set(rgb, 3 * i); return c; }
  function mergeInto(entry, parts) {
    let nv = 0, nt = 0;
    for (const p of parts) { p.offset = nv; nv += p.pts.length / 3; nt += p.tris.length / 3; }
    const points = new Float32Array(Math.max(3, nv * 3)), normals = new Float32Array(Math.max(3, nv * 3)), rgb = new Uint8Array(Math.max(3, nv * 3));
    const polys = new Uint32Array(nt * 4);
    let k = 0;
    for (const p of parts) {
      points.set(p.pts, 3 * p.offset); normals.set(p.normals, 3 * p.offset); rgb.set(p.rgb, 3 * p.offset);
      for (let t = 0; t < p.tris.length; t += 3) {
        polys[k++] = 3; polys[k++] = p.tris[t] + p.offset; polys[k++] = p.tris[t + 1] + p.offset; polys[k++] = p.tris[t + 2] + p.offset;
      }
    }
    entry.pd.getPoints().setData(points, 3);
    entry.pd.getPolys().setData(polys);
    entry.pd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({ name: "Normals", numberOfComponents: 3, values: normals }));
    setScalars(entry, rgb);
    entry.parts = parts;
    entry.actor.getProperty().setInterpolationToGouraud();
  }
  let lodKey = null;
  function buildLod() {
    const on = new Set(model.layers);
    const key = JSON.stringify([model.layers, model.classroom, model.muscle_opacity]);
    if (lod && key === lodKey) { updateLod(); return; }  // merged already: only the live part changes
    lodKey = key;
    if (!lod) {
      const mk = () => makeActor(new Float32Array(3), new Uint32Array(0), sceneData.colors.bone, new Float32Array(3));
      lod = { still: mk(), femur: mk(), live: mk() };
      lod.live.actor.getProperty().setBackfaceCulling(false);  // holds the fibre ribbons
    }
    const still = [], femur = [], live = [];
    for (const m of sceneData.meshes) {
      const a = actors[m.id];
      if (!on.has(a.group)) continue;
      const pd = a.lodPd || a.fullPd;  // decimated bones; the other muscle keeps its points
      const part = {
        pts: pd.getPoints().getData(), normals: pd.getPointData().getNormals().getData(),
        tris: m.lod ? U32(m.lod.tris) : U32(m.tris),
        rgb: m.part ? partColors(m.part) : uniformRgb(pd.getPoints().getData().length / 3, RGB(sceneData.colors.bone)),
      };
      (a.moves ? femur : still).push(part);
    }
    if (on.has("footprints")) {
      for (const f of sceneData.footprints) {
        const light = f.lod || f;  // fewer samples and sides
        const pts = F32(light.points), tris = U32(light.tris);
        const normals = vertexNormals(pts, tris, new Float32Array(pts.length));
        (f.moves ? femur : still).push({ pts, normals, tris, rgb: uniformRgb(pts.length / 3, RGB(f.color)) });
      }
    }
    if (on.has("muscle")) live.push({ src: muscle, tris: U32(sceneData.muscle.lod_tris), rgb: partColors(sceneData.muscle.part) });
    if (on.has("fibres")) live.push({ src: ribbon, tris: U32(sceneData.muscle.lod_ribbon_tris), rgb: uniformRgb(layout.ribbon / 3, RGB(sceneData.colors.fibre)) });
    for (const p of live) { p.pts = p.src.pd.getPoints().getData(); p.normals = p.src.pd.getPointData().getNormals().getData(); }
    mergeInto(lod.still, still);
    mergeInto(lod.femur, femur);
    mergeInto(lod.live, live);
    lod.femur.actor.setUserMatrix(femurMatrix);
    lod.live.actor.getProperty().setOpacity(model.muscle_opacity);
  }
  function updateLod() {
    if (!lod || !lodOn) return;
    lod.femur.actor.setUserMatrix(femurMatrix);
    const points = lod.live.pd.getPoints().getData();
    const normals = lod.live.pd.getPointData().getNormals().getData();
    for (const p of lod.live.parts) { points.set(p.src.pd.getPoints().getData(), 3 * p.offset); normals.set(p.src.pd.getPointData().getNormals().getData(), 3 * p.offset); }
    lod.live.pd.getPoints().modified();
    lod.live.pd.getPointData().getNormals().modified();
    lod.live.pd.modified();
  }
  function setLod(on, scale = LOD_SCALE) {
    if (on === lodOn || !sceneData) return;
    lodOn = on;
    if (on) {
      buildLod();
      for (const a of Object.values(actors)) a.actor.setVisibility(false);
      for (const e of Object.values(lod)) e.actor.setVisibility(true);
      grw.setScale(scale);
    } else {
      if (lod) for (const e of Object.values(lod)) e.actor.setVisibility(false);
      grw.setScale(SUPERSAMPLE);
      applyLayers();
    }
    stats.lod = on;
    requestRender();
  }
  function noteInterval(ms) {
    // exponential average of the time between frames while moving
    slowMs = slowMs ? 0.8 * slowMs + 0.2 * ms : ms;
    if (slowMs > 34 && !lodOn && model.lod !== "off") setLod(true);
  }

  function applyFemurMatrix() {
    for (const a of Object.values(actors)) {
      if (a.moves) a.actor.setUserMatrix(femurMatrix);
    }
  }

  function showFrame(all, offset, read) {
    const m = layout.matrix, nm = layout.muscle, nr = layout.ribbon;
    femurMatrix = all.slice(offset, offset + m);
    applyFemurMatrix();
    const mp = all.subarray(offset + m, offset + m + nm);
    const rp = all.subarray(offset + m + nm, offset + m + nm + nr);
    for (const [entry, pts] of [[muscle, mp], [ribbon, rp]]) {
      vertexNormals(pts, entry.tris, entry.pd.getPointData().getNormals().getData());
      setPoly(entry, pts);
    }
    finishFrame(read);
  }

  function finishFrame(read) {
    updateLod();
    if (read) { current.length = read.length; current.moment_arm = read.moment_arm; }
    stats.frames += 1;
  }

  // Normals of each sweep frame, computed once when first shown: playback then only blends
  // two frames' points and normals (no normals recomputed per drawn frame).
  let sweepNormals = [];
  function sweepFrameNormals(i) {
    if (!sweepNormals[i]) {
      const n = layout.matrix + layout.muscle + layout.ribbon, a = i * n + layout.matrix;
      const mp = sweep.subarray(a, a + layout.muscle), rp = sweep.subarray(a + layout.muscle, a + layout.muscle + layout.ribbon);
      sweepNormals[i] = {
        muscle: vertexNormals(mp, muscle.tris, new Float32Array(layout.muscle)),
        ribbon: vertexNormals(rp, ribbon.tris, new Float32Array(layout.ribbon)),
      };
    }
    return sweepNormals[i];
  }

  // sweep frames i0 and i1 blended with weight w, written straight into the drawn buffers
  function showBlend(i0, i1, w, read) {
    const n = layout.matrix + layout.muscle + layout.ribbon, a = i0 * n, b = i1 * n, v = 1 - w;
    const mat = new Float32Array(layout.matrix);
    for (let k = 0; k < layout.matrix; k++) mat[k] = sweep[a + k] * v + sweep[b + k] * w;
    femurMatrix = mat;
    applyFemurMatrix();
    const n0 = sweepFrameNormals(i0), n1 = sweepFrameNormals(i1);
    let off = layout.matrix;
    for (const [entry, size, key] of [[muscle, layout.muscle, "muscle"], [ribbon, layout.ribbon, "ribbon"]]) {
      const pts = entry.pd.getPoints().getData(), nrm = entry.pd.getPointData().getNormals().getData();
      const na = n0[key], nb = n1[key];
      for (let k = 0; k < size; k++) {
        pts[k] = sweep[a + off + k] * v + sweep[b + off + k] * w;
        nrm[k] = na[k] * v + nb[k] * w;  // renormalised by the shader
      }
      setPoly(entry, null);
      off += size;
    }
    finishFrame(read);
  }

  // points (copied in when given) and normals changed
  function setPoly(entry, pts) {
    const points = entry.pd.getPoints();
    if (pts) points.getData().set(pts);
    points.modified();
    entry.pd.getPointData().getNormals().modified();
    entry.pd.modified();
  }

  function applyLayers() {
    const on = new Set(model.layers);
    if (lodOn) { buildLod(); } else {
      for (const a of Object.values(actors)) a.actor.setVisibility(on.has(a.group));
    }
    root.classList.toggle("gmed-no-labels", !on.has("labels"));
    requestRender();
  }

  function applyOpacity() {
    if (!muscle) return;
    muscle.actor.getProperty().setOpacity(model.muscle_opacity);
    ribbon.actor.getProperty().setOpacity(Math.min(1, model.muscle_opacity + 0.2));
    requestRender();
  }

  function applyView() {
    const v = model.camera_preset;
    if (!v || !v.position) return;
    camera.setPosition(...v.position);
    camera.setFocalPoint(...v.focal_point);
    camera.setViewUp(...v.view_up);
    camera.setViewAngle(v.view_angle || 30);
    renderer.resetCameraClippingRange();
    requestRender();
  }

  function applyClassroom() {
    root.classList.toggle("gmed-classroom", model.classroom);
    labelSizes = null;
    const bg = model.classroom ? [0, 0, 0] : [1, 1, 1];
    renderer.setBackground(...bg);
    if (sceneData) {
      setScalars(muscle, partColors(sceneData.muscle.part));
      for (const m of sceneData.meshes) if (m.part) setScalars(actors[m.id], partColors(m.part));
    }
    requestRender();
  }

  // world -> normalized display (x, y in 0..1 from the lower left, z depth) for the current
  // camera: the same transform as renderer.worldToNormalizedDisplay, with the matrices
  // composed once instead of per point
  function projector(aspect) {
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

  // label box sizes, measured once per text and style (reading them every frame forces a
  // layout of the page each frame)
  function measureLabels() {
    labelSizes = labels.map((l) => [l.div.offsetWidth, l.div.offsetHeight]);
  }

  // is screen point s (x, y, depth) behind one of these projected triangles?
  function covered(m, s) {
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

  // the shown bones that never move (pelvis, sacrum, the other femur), light meshes in
  // screen coordinates; recomputed only when the camera, the size or the layers change
  function stillBones(project, w, h) {
    const key = [camera.getMTime(), w, h, model.layers.join()].join("/");
    if (stillCache && stillCache.key === key) return stillCache.tris.length ? stillCache : null;
    const on = new Set(model.layers);
    const parts = [];
    let n = 0, nt = 0;
    for (const m of sceneData.meshes) {
      const a = actors[m.id];
      if (m.moves || !a.lodPd || !on.has(a.group)) continue;
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
    stillCache = { key, sx, sy, sz, tris };
    return nt ? stillCache : null;
  }

  function placeLabels() {
    if (!labels.length || !muscle || root.classList.contains("gmed-no-labels")) return;
    const size = renderWindow.getViews()[0].getSize();
    const w = canvasHost.clientWidth, h = canvasHost.clientHeight;
    if (!w || !h) return;
    if (!labelSizes || labelSizes.length !== labels.length || !labelSizes.some((b) => b[0] > 0)) measureLabels();
    const project = projector(size[0] / size[1]);
    const cam = camera.getPosition();
    const mpts = muscle.pd.getPoints().getData();
    const mn = muscle.pd.getPointData().getNormals().getData();
    let cx = 0, cy = 0;
    const screen = [];
    const d = [0, 0, 0];
    labels.forEach((l, li) => {
      let p, n;
      if (l.attach === "muscle") {
        const i = 3 * l.vertex;
        p = [mpts[i], mpts[i + 1], mpts[i + 2]];
        n = [mn[i], mn[i + 1], mn[i + 2]];
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
      screen.push({ l, x, y, depth: d[2], facing, bw: labelSizes[li][0], bh: labelSizes[li][1] });
      cx += x; cy += y;
    });
    cx /= screen.length; cy /= screen.length;
    // anchors hidden behind the muscle are drawn faded with dashed leaders (tested against
    // the light muscle: every other fibre and sample)
    if (muscle.actor.getVisibility() && model.muscle_opacity > 0.5) {
      const np = mpts.length / 3;
      const sx = new Float32Array(np), sy = new Float32Array(np), sz = new Float32Array(np);
      for (let i = 0; i < np; i++) {
        project(mpts[3 * i], mpts[3 * i + 1], mpts[3 * i + 2], d);
        sx[i] = d[0] * w; sy[i] = (1 - d[1]) * h; sz[i] = d[2];
      }
      const light = { sx, sy, sz, tris: lodTris || (lodTris = U32(sceneData.muscle.lod_tris)) };
      for (const s of screen) {
        if (s.l.attach !== "muscle" && s.facing && covered(light, s)) s.facing = false;
      }
    }
    // so are anchors on the muscle or the femur behind the bones that do not move (their
    // light meshes, projected once per camera)
    const still = stillBones(project, w, h);
    if (still) {
      for (const s of screen) {
        if (s.l.attach !== "pelvis" && s.facing && covered(still, s)) s.facing = false;
      }
    }
    // labels go outward from the centre of the anchors, left or right, then are spread vertically
    const reach = model.classroom ? 170 : 120;
    for (const s of screen) {
      const side = s.x < cx ? -1 : 1;
      s.side = side;
      s.lx = s.x + side * reach;
      s.ly = s.y + (s.y - cy) * 0.25;
    }
    // spread each column so that no two labels overlap (their own heights plus a margin)
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

  function updateReadout() {
    const t = model.texts || {};
    const fmt = (v, d) => (v === null || v === undefined ? "\u2013" : Number(v).toFixed(d));
    readout.innerHTML =
      `<div><span>${t.angle || "Abduction"}</span><b>${fmt(current.angle, 0)}\u00b0</b></div>` +
      `<div><span>${t.length || "Length"}</span><b>${fmt(current.length, 0)} mm</b></div>` +
      `<div><span>${t.moment_arm || "Moment arm"}</span><b>${fmt(current.moment_arm, 0)} mm</b></div>`;
  }

  let renderPending = false;
  function requestRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => {
      renderPending = false;
      const t0 = performance.now();
      renderWindow.render();
      const t1 = performance.now();
      placeLabels();
      updateReadout();
      const t2 = performance.now();
      stats.renders += 1;
      if (stats.poseWaiting) {
        stats.poseWaiting = false;
        // a key press -> its pose on screen: the next frame starts once this one is drawn
        // (software WebGL blocks the page until then)
        const k = stats.keyAt;
        stats.keyAt = 0;
        if (k) requestAnimationFrame(() => { stats.keyToFrameMs = performance.now() - k; });
      }
      if (!lodOn && grw.getScale() === SUPERSAMPLE) {
        requestAnimationFrame(() => { fullFrameMs = stats.fullFrameMs = performance.now() - t0; });
      }
      if (stats.renders === 1) {
        stats.firstRenderAt = t2;
        if (!model.standalone) model.drawn = true;  // the server may now use the CPU
        setTimeout(() => {
          if (lightStart) { lightStart = false; setLod(model.lod === "always"); }
          if (!lodOn) { grw.setScale(SUPERSAMPLE); requestRender(); }
        }, 0);
      } else if (!stats.fullDetailAt && !lodOn && grw.getScale() === SUPERSAMPLE) {
        stats.fullDetailAt = t2;
      }
      stats.lastRenderMs = t1 - t0;
      stats.lastLabelsMs = t2 - t1;
    });
  }

  // ---------------------------------------------------------------- playback in the browser
  let lastT = null, direction = 1, playAngle = model.angle, ticking = false;
  function startPlayback() {
    if (ticking) return;
    if (!sweep) loadSweep();
    if (!model.playing || !sweep) return;
    ticking = true;
    playAngle = current.angle ?? model.angle;
    requestAnimationFrame(tick);
  }
  function tick(t) {
    if (!model.playing || !sweep) { lastT = null; ticking = false; return; }
    sweepMeta = model.sweep_meta;
    if (!sweepMeta || !sweepMeta.angles) { requestAnimationFrame(tick); return; }
    if (lastT !== null) {
      noteInterval(t - lastT);
      const dt = Math.min(0.1, (t - lastT) / 1000);
      playAngle += direction * model.speed * dt;
      const lo = sweepMeta.angles[0], hi = sweepMeta.angles[sweepMeta.angles.length - 1];
      if (playAngle >= hi) { playAngle = hi; if (model.loop) direction = -1; else model.playing = false; }
      if (playAngle <= lo) { playAngle = lo; if (model.loop) direction = 1; else model.playing = false; }
      const f = (playAngle - lo) / (sweepMeta.angles[1] - lo);
      const i0 = Math.max(0, Math.min(sweepMeta.angles.length - 1, Math.floor(f)));
      const i1 = Math.min(sweepMeta.angles.length - 1, i0 + 1);
      const w = f - i0;
      showBlend(i0, i1, w, {
        length: sweepMeta.length[i0] * (1 - w) + sweepMeta.length[i1] * w,
        moment_arm: sweepMeta.moment_arm[i0] * (1 - w) + sweepMeta.moment_arm[i1] * w,
      });
      current.angle = playAngle;
      requestRender();
    }
    lastT = t;
    requestAnimationFrame(tick);
  }

  // an abduction angle shown from the sweep held here, without a round trip to the server;
  // ``nearest``: the closest sweep angle (the offline page), else only an exact one
  function showLocal(angle, nearest = false) {
    sweepMeta = model.sweep_meta;  // may arrive after the "sweep" event
    if (!sweep || !sweepMeta || !sweepMeta.angles || !layout) return false;
    const angles = sweepMeta.angles, lo = angles[0], step = angles[1] - lo;
    let i = Math.round((angle - lo) / step);
    if (nearest) i = Math.max(0, Math.min(angles.length - 1, i));
    else if (i < 0 || i >= angles.length || Math.abs(angles[i] - angle) > 1e-6) return false;
    showBlend(i, i, 0, { length: sweepMeta.length[i], moment_arm: sweepMeta.moment_arm[i] });
    current.angle = angles[i];
    stats.localFrames = (stats.localFrames || 0) + 1;
    newPose();
    return true;
  }

  // A new pose (arrow key, slider, a frame from the server) on a machine where a full-detail
  // frame is slow (software WebGL: 100-200 ms here) is shown at once with the light meshes,
  // and in full detail once the input has rested for REST_MS.
  const REST_MS = 400;
  let fullFrameMs = 0, restTimer = null;
  function newPose() {
    stats.framesShown = (stats.framesShown || 0) + 1;
    stats.poseWaiting = true;
    if (!model.playing && model.lod === "auto" && fullFrameMs > 50) {
      setLod(true);
      clearTimeout(restTimer);
      restTimer = setTimeout(() => { if (!model.playing && lastInteract === null) setLod(false); }, REST_MS);
    }
    requestRender();
  }

  function loadSweep() {
    if (!model.sweep || model.sweep.byteLength === 0) { sweep = null; stats.sweepLoaded = false; return; }
    sweep = F32(model.sweep);
    sweepNormals = [];
    sweepMeta = model.sweep_meta;
    stats.sweepLoaded = true;
  }

  // ---------------------------------------------------------------- model events
  model.on("scene_data", () => { build(); applyClassroom(); });
  model.on("frame", () => {
    if (model.playing || !layout) return;
    current.angle = model.angle;
    showFrame(F32(model.frame), 0, model.readout);
    stats.framesReceived = (stats.framesReceived || 0) + 1;
    newPose();
  });
  model.on("angle", () => {
    if (!model.playing && !model.standalone && Math.abs(model.angle - current.angle) > 1e-6) showLocal(model.angle);
  });
  model.on("sweep", () => { loadSweep(); startPlayback(); });
  model.on("layers", applyLayers);
  model.on("muscle_opacity", applyOpacity);
  model.on("camera_preset", applyView);
  model.on("classroom", applyClassroom);
  model.on("playing", () => {
    if (model.playing) {
      startPlayback();
    } else {
      model.angle = Math.round(playAngle);
      slowMs = 0;
      setLod(model.lod === "always");
    }
  });

  // camera reported back (for screenshots) when an interaction ends
  let lastInteract = null;
  interactor.onAnimation(() => {
    const t = performance.now();
    if (lastInteract !== null) noteInterval(t - lastInteract);
    lastInteract = t;
  });
  interactor.onEndAnimation(() => {
    lastInteract = null;
    if (!model.playing) { slowMs = 0; setLod(model.lod === "always"); }
    model.camera = {
      position: camera.getPosition(),
      focal_point: camera.getFocalPoint(),
      view_up: camera.getViewUp(),
      view_angle: camera.getViewAngle(),
    };
  });
  interactor.onAnimation(() => placeLabels());

  // the abduction slider draws from the sweep while it is dragged (see GmedApp._abduction_slider)
  if (!model.standalone) window.gmedLocalAngle = (a) => { if (!model.playing) showLocal(a); };

  // arrow keys are drawn at once; the server is told the angle once the keys rest
  let tellTimer = null, keyAngle = null, lastKeyAt = 0;
  const tellAngle = (a) => {
    clearTimeout(tellTimer);
    tellTimer = setTimeout(() => { model.angle = a; }, 150);
  };

  // keyboard shortcuts
  const keys = (ev) => {
    if (ev.target && ["INPUT", "TEXTAREA", "SELECT"].includes(ev.target.tagName)) return;
    if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") stats.keyAt = performance.now();
    if (ev.key === " ") { model.playing = !model.playing; ev.preventDefault(); }
    else if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
      // step from the last angle asked for, so fast repeats add up before frames arrive
      const recent = keyAngle !== null && performance.now() - lastKeyAt < 1000 && !model.playing;
      if (!recent) keyAngle = Math.round(current.angle ?? model.angle);
      lastKeyAt = performance.now();
      model.playing = false;
      const to = keyAngle = Math.max(-15, Math.min(45, keyAngle + (ev.key === "ArrowRight" ? 1 : -1)));
      if (!model.standalone && showLocal(to)) tellAngle(to);
      else model.angle = to;
      ev.preventDefault();
    }
    else if (["1", "2", "3", "4"].includes(ev.key)) { model.view_key = ev.key; model.view_key_nonce = (model.view_key_nonce || 0) + 1; }
    else if (ev.key === "l" || ev.key === "L") { model.labels_key = (model.labels_key || 0) + 1; }
    else if (ev.key === "f" || ev.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen(); else root.requestFullscreen().catch(() => {});
    }
  };
  document.addEventListener("keydown", keys);

  const resize = new ResizeObserver(() => { labelSizes = null; grw.resize(); requestRender(); });
  resize.observe(canvasHost);

  // a file opened without a server: its own play button and angle slider over the view
  if (model.standalone) {
    const bar = document.createElement("div");
    bar.className = "gmed-standalone";
    const play = document.createElement("button");
    play.textContent = "\u25b6 Play / pause";
    const range = document.createElement("input");
    range.type = "range"; range.min = "-15"; range.max = "45"; range.step = "1"; range.value = String(model.angle);
    const label = document.createElement("span");
    bar.append(play, range, label);
    root.appendChild(bar);
    const showAngle = (a) => {
      loadSweep();
      if (showLocal(a, true)) label.textContent = `${current.angle}\u00b0`;
    };
    play.onclick = () => { model.playing = !model.playing; };
    range.oninput = () => { model.playing = false; showAngle(Number(range.value)); };
    model.on("angle", () => { range.value = String(Math.round(model.angle)); if (!model.playing) showAngle(model.angle); });
    window.gmedShowAngle = showAngle;
  }

  // The first frame shows the light meshes at screen resolution: everything is there, and
  // it is drawn in a fraction of the time. Full detail, supersampled, follows at once.
  grw.setScale(1);
  build();
  let lightStart = model.lod !== "off" && !!sceneData && sceneData.meshes.some((m) => m.lod);
  if (lightStart) setLod(true, 1);
  loadSweep();
  applyClassroom();
  status.textContent = "";
  root.classList.add("gmed-ready");
  requestRender();
}
