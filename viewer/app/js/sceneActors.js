// sceneActors.js: the full-detail vtk actors of a scene (bones, the other side's muscle,
// footprints, the moving muscle and its fibre ribbons): built from scene_data, shown by
// layer, coloured by part (normal or classroom palette), the femur moved by its matrix.

// a lit, back-face-culled mesh actor added to renderer: {actor, pd, mapper}
export function newMeshActor(vtk, renderer, points, tris, color, normals) {
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

// per-point colours (0..255) drawn as they are
export function setDirectScalars(vtk, entry, rgb) {
  const arr = vtk.Common.Core.vtkDataArray.newInstance({ name: "rgb", numberOfComponents: 3, values: rgb });
  entry.pd.getPointData().setScalars(arr);
  entry.mapper.setColorModeToDirectScalars();
  entry.mapper.setScalarVisibility(true);
  entry.pd.modified();
}

// newSceneActors({vtk, renderer, model}): model is the HipView model (classroom, layers,
// muscle_opacity, contract)
export function newSceneActors({ vtk, renderer, model: hip }) {
  const L = contractLayers(hip.contract, ["muscle", "fibres", "footprints"]);
  const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const model = {
    sceneData: null,
    actors: {},  // id -> {actor, pd, mapper, group, moves, fullPd, lodPd}
    muscle: null,  // the moving muscle: {actor, pd, mapper, tris, group}
    ribbon: null,  // its fibre ribbons
    femurMatrix: new Float32Array(IDENTITY),
    fans: [],  // the other fan muscles of the moving side: {id, layer, entry, work, tris}
  };
  const publicAPI = {
    getSceneData: () => model.sceneData,
    getActors: () => model.actors,
    getMuscle: () => model.muscle,
    getRibbon: () => model.ribbon,
    getFemurMatrix: () => model.femurMatrix,
    getFans: () => model.fans,
  };

  // muscle part colours of the current palette
  publicAPI.partColors = (partBytes) => {
    const c = model.sceneData.colors;
    return partRgb(partBytes, hip.classroom ? c.classroom : c.normal, hip.contract.parts);
  };

  // (re)build every actor from scene_data; false if there is no scene yet
  publicAPI.build = (sceneData) => {
    model.sceneData = sceneData;
    if (!sceneData || !sceneData.meshes) return false;
    const mesh = (...args) => newMeshActor(vtk, renderer, ...args);
    renderer.removeAllActors();
    model.actors = {};
    const actors = model.actors, layout = sceneData.layout;
    for (const m of sceneData.meshes) {
      const pts = F32(m.points);
      const normals = m.normals ? F32(m.normals) : vertexNormals(pts, U32(m.tris), new Float32Array(pts.length));
      const a = mesh(pts, U32(m.tris), m.color, normals);
      if (m.part) setDirectScalars(vtk, a, publicAPI.partColors(m.part));
      let lodPd = null;
      if (m.lod && m.lod.normals) {
        lodPd = vtk.Common.DataModel.vtkPolyData.newInstance();
        lodPd.getPoints().setData(F32(m.lod.points), 3);
        lodPd.getPolys().setData(cells(U32(m.lod.tris)));
        lodPd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({ name: "Normals", numberOfComponents: 3, values: F32(m.lod.normals) }));
      }
      actors[m.id] = { ...a, group: m.group, moves: m.moves, fullPd: a.pd, lodPd, layer: m.layer, opacity: m.opacity };
    }
    model.fans = [];
    for (const f of sceneData.fans || []) {
      const pts = F32(f.points), tris = U32(f.tris);
      const a = mesh(new Float32Array(pts), tris, f.color, vertexNormals(pts, tris, new Float32Array(pts.length)));
      a.actor.getProperty().setSpecular(0.25);
      const entry = { ...a, group: f.layer, tris, layer: f.layer, opacity: f.opacity, color: f.color, fan: true };
      actors["fan_" + f.id] = entry;
      const lodTris = f.lod_tris ? U32(f.lod_tris) : tris;
      model.fans.push({ id: f.id, layer: f.layer, entry, tris, lodTris, work: new Float64Array(pts.length) });
    }
    for (const f of sceneData.footprints) {
      const pts = F32(f.points);
      const a = mesh(pts, U32(f.tris), f.color, vertexNormals(pts, U32(f.tris), new Float32Array(pts.length)));
      actors["footprint_" + f.id] = { ...a, group: L.footprints, moves: f.moves };
    }
    const mt = U32(sceneData.muscle.tris);
    const muscle = { ...mesh(new Float32Array(layout.muscle), mt, sceneData.colors.bone, new Float32Array(layout.muscle)), tris: mt, group: L.muscle };
    setDirectScalars(vtk, muscle, publicAPI.partColors(sceneData.muscle.part));
    muscle.actor.getProperty().setSpecular(0.3);
    actors.muscle = model.muscle = muscle;
    const rt = U32(sceneData.muscle.ribbon_tris);
    const ribbon = { ...mesh(new Float32Array(layout.ribbon), rt, sceneData.colors.fibre, new Float32Array(layout.ribbon)), tris: rt, group: L.fibres };
    ribbon.actor.getProperty().setSpecular(0.0);
    ribbon.actor.getProperty().setBackfaceCulling(false);  // an open strip on the surface
    actors.fibres = model.ribbon = ribbon;
    // translucent layers blend superficial over deep (contract.peel: superficial to deep)
    for (const a of Object.values(actors)) setBlendDepth(a.actor, peelDepth(hip.contract, a.layer || a.group));
    return true;
  };

  // each actor shown if its layer (group) is in the set
  publicAPI.showLayers = (on) => {
    for (const a of Object.values(model.actors)) a.actor.setVisibility(groupShown(on, a.group));
  };
  publicAPI.hideAll = () => {
    for (const a of Object.values(model.actors)) a.actor.setVisibility(false);
  };

  publicAPI.applyOpacity = () => {
    if (!model.muscle) return false;
    model.muscle.actor.getProperty().setOpacity(hip.muscle_opacity);
    model.ribbon.actor.getProperty().setOpacity(Math.min(1, hip.muscle_opacity + 0.2));
    for (const a of Object.values(model.actors)) {
      if (a.layer && a.layer !== "muscle") a.actor.getProperty().setOpacity(publicAPI.opacityOf(a.layer, a.opacity));
    }
    return true;
  };
  // a structure layer's opacity: set by the user (HipView.opacities), else its style default
  publicAPI.opacityOf = (layer, fallback = 1) => {
    if (layer === "muscle") return hip.muscle_opacity;
    const set = hip.opacities || {};
    return typeof set[layer] === "number" ? set[layer] : fallback;
  };

  // muscle colours of the current palette (normal or classroom)
  publicAPI.applyPalette = () => {
    const sd = model.sceneData;
    if (!sd || !model.muscle) return;
    setDirectScalars(vtk, model.muscle, publicAPI.partColors(sd.muscle.part));
    for (const m of sd.meshes) if (m.part) setDirectScalars(vtk, model.actors[m.id], publicAPI.partColors(m.part));
  };

  // the drawn pose buffers, written by poseModel
  publicAPI.poseBuffers = () => {
    const block = (e) => ({ points: e.pd.getPoints().getData(), normals: e.pd.getPointData().getNormals().getData() });
    const fans = model.fans.map((f) => ({ id: f.id, tris: f.tris, work: f.work, ...block(f.entry) }));
    return { muscle: block(model.muscle), ribbon: block(model.ribbon), fans };
  };
  // after the pose buffers were written: points and normals changed
  publicAPI.posePointsChanged = () => {
    for (const e of [model.muscle, model.ribbon, ...model.fans.map((f) => f.entry)]) {
      e.pd.getPoints().modified();
      e.pd.getPointData().getNormals().modified();
      e.pd.modified();
    }
  };
  publicAPI.setFemurMatrix = (m) => {
    model.femurMatrix = m;
    for (const a of Object.values(model.actors)) if (a.moves) a.actor.setUserMatrix(m);
  };

  publicAPI.delete = () => {
    renderer.removeAllActors();
    model.actors = {};
    model.muscle = model.ribbon = model.sceneData = null;
    model.fans = [];
  };
  return publicAPI;
}
