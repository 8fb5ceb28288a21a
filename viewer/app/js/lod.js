// lod.js: level of detail while the view moves, when full detail cannot keep 30 frames per
// second (software WebGL, old laptops). Measured in headless Chromium: the cost is in draw
// calls, vertex uploads and pixels, so while moving the view shows three light meshes at
// LOD_SCALE of the resolution: everything static merged and decimated (uploaded once), the
// decimated femur with its insertion (moved by its matrix only) and the muscle with its
// fibres (the only upload per frame). Full detail returns when motion stops.

// while moving on a slow browser the view is drawn at this fraction of the resolution
export const LOD_SCALE = 0.45;
// a pose step on a slow machine is drawn light, and in full detail after input rests this long
export const LOD_REST_MS = 400;

// parts ({pts, normals, tris, rgb}) merged into one mesh entry; part.offset is set
function mergeInto(vtk, entry, parts) {
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
  setDirectScalars(vtk, entry, rgb);
  entry.parts = parts;
  entry.actor.getProperty().setInterpolationToGouraud();
}

// newLod({vtk, renderer, win, scene, model, stats, requestRender, showFull, isInteracting}):
// win is the render window (setScale), scene the sceneActors, model the HipView model;
// showFull() shows the full-detail actors again (by layer); isInteracting() is true while
// the camera is being moved
export function newLod({ vtk, renderer, win, scene, model: hip, stats, requestRender, showFull, isInteracting }) {
  const L = contractLayers(hip.contract, ["muscle", "fibres", "footprints"]);
  const model = { on: false, entries: null, key: null, slowMs: 0, fullFrameMs: 0, restTimer: null };
  const publicAPI = { isOn: () => model.on };

  // the light meshes merged for the current layers, colours and opacity
  publicAPI.rebuild = () => {
    const sd = scene.getSceneData(), actors = scene.getActors();
    const on = shownLayers(hip);
    const key = JSON.stringify([hip.layers, hip.peel, hip.opacities, hip.classroom, hip.muscle_opacity]);
    if (model.entries && key === model.key) { publicAPI.update(); return; }  // merged already: only the live part changes
    model.key = key;
    if (!model.entries) {
      const mk = () => newMeshActor(vtk, renderer, new Float32Array(3), new Uint32Array(0), sd.colors.bone, new Float32Array(3));
      model.entries = { still: mk(), femur: mk(), live: mk() };
      model.entries.live.actor.getProperty().setBackfaceCulling(false);  // holds the fibre ribbons
    }
    const still = [], femur = [], live = [];
    for (const m of sd.meshes) {
      const a = actors[m.id];
      if (!groupShown(on, a.group)) continue;
      // the other structures' still meshes (the other side's, the bursa, tract and nerve) are
      // drawn at rest only: while moving, the light view keeps the moving side's muscles
      if (a.layer) continue;
      const pd = a.lodPd || a.fullPd;  // decimated bones; the other muscle keeps its points
      const part = {
        pts: pd.getPoints().getData(), normals: pd.getPointData().getNormals().getData(),
        tris: m.lod ? U32(m.lod.tris) : U32(m.tris),
        rgb: m.part ? scene.partColors(m.part) : uniformRgb(pd.getPoints().getData().length / 3, rgb255(sd.colors.bone)),
      };
      (a.moves ? femur : still).push(part);
    }
    if (on.has(L.footprints)) {
      for (const f of sd.footprints) {
        const light = f.lod || f;  // fewer samples and sides
        const pts = F32(light.points), tris = U32(light.tris);
        const normals = vertexNormals(pts, tris, new Float32Array(pts.length));
        (f.moves ? femur : still).push({ pts, normals, tris, rgb: uniformRgb(pts.length / 3, rgb255(f.color)) });
      }
    }
    if (on.has(L.muscle)) live.push({ src: scene.getMuscle(), tris: U32(sd.muscle.lod_tris), rgb: scene.partColors(sd.muscle.part) });
    if (on.has(L.fibres)) live.push({ src: scene.getRibbon(), tris: U32(sd.muscle.lod_ribbon_tris), rgb: uniformRgb(sd.layout.ribbon / 3, rgb255(sd.colors.fibre)) });
    for (const f of scene.getFans()) {
      if (on.has(f.layer) && scene.opacityOf(f.layer, f.entry.opacity) >= 1) {
        live.push({ src: f.entry, tris: f.lodTris, rgb: uniformRgb(f.work.length / 3, rgb255(f.entry.color)) });
      }
    }
    for (const p of live) { p.pts = p.src.pd.getPoints().getData(); p.normals = p.src.pd.getPointData().getNormals().getData(); }
    const e = model.entries;
    mergeInto(vtk, e.still, still);
    mergeInto(vtk, e.femur, femur);
    mergeInto(vtk, e.live, live);
    e.femur.actor.setUserMatrix(scene.getFemurMatrix());
    e.live.actor.getProperty().setOpacity(hip.muscle_opacity);
  };

  // a new pose while the light meshes show: the femur matrix and the live muscle points
  publicAPI.update = () => {
    const e = model.entries;
    if (!e || !model.on) return;
    e.femur.actor.setUserMatrix(scene.getFemurMatrix());
    const points = e.live.pd.getPoints().getData();
    const normals = e.live.pd.getPointData().getNormals().getData();
    for (const p of e.live.parts) { points.set(p.src.pd.getPoints().getData(), 3 * p.offset); normals.set(p.src.pd.getPointData().getNormals().getData(), 3 * p.offset); }
    e.live.pd.getPoints().modified();
    e.live.pd.getPointData().getNormals().modified();
    e.live.pd.modified();
  };

  // light meshes at ``scale`` of the resolution, or full detail supersampled
  publicAPI.set = (on, scale = LOD_SCALE) => {
    if (on === model.on || !scene.getSceneData()) return;
    model.on = on;
    if (on) {
      publicAPI.rebuild();
      scene.hideAll();
      for (const e of Object.values(model.entries)) e.actor.setVisibility(true);
      win.setScale(scale);
    } else {
      if (model.entries) for (const e of Object.values(model.entries)) e.actor.setVisibility(false);
      win.setScale(SUPERSAMPLE);
      showFull();
    }
    stats.lod = on;
    requestRender();
  };
  // at rest: light meshes only if model.lod is "always"
  publicAPI.rest = () => { model.slowMs = 0; publicAPI.set(hip.lod === "always"); };

  // a new scene: its actors replaced every light mesh
  publicAPI.reset = () => { model.on = false; model.entries = null; };

  // the time between two frames while moving (exponential average): light meshes when slow
  publicAPI.noteInterval = (ms) => {
    model.slowMs = model.slowMs ? 0.8 * model.slowMs + 0.2 * ms : ms;
    if (model.slowMs > 34 && !model.on && hip.lod !== "off") publicAPI.set(true);
  };
  // time to draw a still frame in full detail
  publicAPI.noteFullFrame = (ms) => { model.fullFrameMs = ms; };

  // a new pose (key, slider, server frame) where a full-detail frame is slow (software
  // WebGL: 100-200 ms) is drawn light at once, in full detail once input rests
  publicAPI.newPose = () => {
    if (!hip.playing && hip.lod === "auto" && model.fullFrameMs > 50) {
      publicAPI.set(true);
      clearTimeout(model.restTimer);
      model.restTimer = setTimeout(() => { if (!hip.playing && !isInteracting()) publicAPI.set(false); }, LOD_REST_MS);
    }
  };

  publicAPI.delete = () => {
    clearTimeout(model.restTimer);
    model.entries = null;
  };
  return publicAPI;
}
