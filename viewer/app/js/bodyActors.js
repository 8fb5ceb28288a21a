// bodyActors.js: the whole skeleton and both gluteus medius as vtk actors, for the scenes that
// place every bone by a world matrix (stanceScene.js, activityScene.js): every bone of
// scene_data once (full and light meshes), each side's muscle regenerated for its pose by its
// muscle model (muscleModel.js) and drawn with the pelvis matrix. Light while it moves.

// newBodyActors({vtk, renderer, win, model, pose}): pose is the poseModel (its muscle models);
// build() once per scene_data (true when it built anew)
export function newBodyActors({ vtk, renderer, win, model: hip, pose }) {
  const model = { built: null, bones: [], muscles: {}, light: false };
  const publicAPI = { bones: () => model.bones, muscles: () => model.muscles };

  publicAPI.build = () => {
    const sd = hip.scene_data;
    if (model.built === sd) return false;
    publicAPI.clear();
    model.built = sd;
    for (const b of sd.bones) {
      const e = newMeshActor(vtk, renderer, F32(b.points), U32(b.tris), b.color, F32(b.normals));
      let lodPd = null;
      if (b.lod) {
        lodPd = vtk.Common.DataModel.vtkPolyData.newInstance();
        lodPd.getPoints().setData(F32(b.lod.points), 3);
        lodPd.getPolys().setData(cells(U32(b.lod.tris)));
        lodPd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({ name: "Normals", numberOfComponents: 3, values: F32(b.lod.normals) }));
      }
      model.bones.push({ ...e, id: b.id, fullPd: e.pd, lodPd, present: true });
    }
    for (const side of hip.contract.sides) {
      const m = sd.sides[side].muscle, tris = U32(m.tris), n = sd.layout.muscle;
      const e = newMeshActor(vtk, renderer, new Float32Array(n), tris, m.color, new Float32Array(n));
      e.actor.getProperty().setSpecular(0.3);
      model.muscles[side] = { ...e, tris, cells: cells(tris), lodCells: cells(U32(m.lod_tris)), buf: new Float64Array(n) };
    }
    publicAPI.applyPalette();
    model.light = false;
    return true;
  };

  publicAPI.actors = () => [...model.bones.map((b) => b.actor), ...Object.values(model.muscles).map((m) => m.actor)];

  // every actor back in the renderer (the Explore scene empties it when it rebuilds)
  publicAPI.attach = () => { for (const a of publicAPI.actors()) if (!renderer.hasViewProp(a)) renderer.addActor(a); };

  // the muscles in the classroom palette or the normal one
  publicAPI.applyPalette = () => {
    const sd = hip.scene_data;
    for (const [side, m] of Object.entries(model.muscles)) {
      setDirectScalars(vtk, m, partRgb(sd.sides[side].muscle.part, hip.classroom ? sd.colors.classroom : sd.colors.normal, hip.contract.parts));
    }
  };

  // bones placed by matrices (bone id -> column-major 4x4, or a function of the id); a bone
  // without one is hidden (present false)
  publicAPI.placeBones = (matrixOf) => {
    for (const b of model.bones) {
      const m = matrixOf(b.id);
      if (m) b.actor.setUserMatrix(Float32Array.from(m));
      b.present = !!m;
      b.actor.setVisibility(b.present);
    }
  };

  // a side's muscle regenerated for its pose ({abduction, flexion, rotation} or a stance pose)
  // and drawn with the pelvis matrix (column-major); returns muscleModel.surface's result
  publicAPI.poseMuscle = (side, p, pelvis) => {
    const m = model.muscles[side], mm = pose.muscleModel(side);
    const s = mm.surface(p, m.buf);
    const pts = m.pd.getPoints().getData();
    pts.set(s.vertices);
    vertexNormals(pts, m.tris, m.pd.getPointData().getNormals().getData());
    m.pd.getPoints().modified();
    m.pd.getPointData().getNormals().modified();
    m.pd.modified();
    m.actor.setUserMatrix(Float32Array.from(pelvis));
    return s;
  };

  // light bones and muscles (every other fibre and sample) at LOD_SCALE of the resolution
  // while it moves; full detail, supersampled, at rest
  publicAPI.setLight = (on) => {
    if (on === model.light) return;
    model.light = on;
    for (const b of model.bones) if (b.lodPd) b.mapper.setInputData(on ? b.lodPd : b.fullPd);
    for (const m of Object.values(model.muscles)) {
      m.pd.getPolys().setData(on ? m.lodCells : m.cells);
      m.pd.modified();
    }
    win.setScale(on ? LOD_SCALE : SUPERSAMPLE);
  };
  publicAPI.isLight = () => model.light;

  // world bounds of the bones on show and of ``extra`` actors: [xmin, xmax, ymin, ymax, zmin, zmax]
  publicAPI.bounds = (extra = []) => {
    const out = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
    for (const a of [...model.bones.filter((b) => b.present).map((b) => b.actor), ...extra]) {
      const bb = a.getBounds();
      for (let q = 0; q < 3; q++) { out[2 * q] = Math.min(out[2 * q], bb[2 * q]); out[2 * q + 1] = Math.max(out[2 * q + 1], bb[2 * q + 1]); }
    }
    return out;
  };

  publicAPI.clear = () => {
    for (const a of publicAPI.actors()) renderer.removeActor(a);
    model.bones = []; model.muscles = {};
    model.built = null;
  };
  publicAPI.delete = publicAPI.clear;
  return publicAPI;
}
