// shapePreview.js: while a shape slider is dragged, the server sends the light bones of that
// shape, re-seated (HipView.shape_preview, viewer/app/shape_preview.py, about 0.1 s), and they
// stand in for the scene: the pelvis and femurs change at once, and the muscles, labels and
// lower legs come back with the shape's full build when the slider is released.

// newShapePreview({vtk, renderer, model, scene, stats, requestRender, onChange}): scene is the sceneActors
// (its light-mesh triangles, bone colour, femur matrix and layers); update() after a change of
// HipView.shape_preview; onChange(on) when the preview starts or ends
export function newShapePreview({ vtk, renderer, model: hip, scene, stats, requestRender, onChange }) {
  const model = { actors: [], on: false };

  function clear() {
    for (const e of model.actors) renderer.removeActor(e.actor);
    model.actors = [];
  }

  function update() {
    const t0 = performance.now();
    const p = hip.shape_preview, sd = scene.getSceneData();
    clear();
    if (!p || !p.bones || !Object.keys(p.bones).length || !sd) {
      if (model.on) { model.on = false; onChange(false); }
      requestRender();
      return;
    }
    const actors = scene.getActors(), on = shownLayers(hip);
    for (const m of sd.meshes) {
      const a = actors[m.id];
      if (!p.bones[m.id] || !m.lod || (a && !groupShown(on, a.group))) continue;
      const pts = F32(p.bones[m.id]), tris = U32(m.lod.tris);
      if (pts.length !== F32(m.lod.points).length) throw new Error(`shape preview: ${m.id} has ${pts.length / 3} points, its light mesh ${m.lod.points.byteLength / 12}`);
      const e = newMeshActor(vtk, renderer, pts, tris, sd.colors.bone, vertexNormals(pts, tris, new Float32Array(pts.length)));
      if (a && a.moves) e.actor.setUserMatrix(scene.getFemurMatrix());
      model.actors.push(e);
    }
    const was = model.on;
    model.on = true;
    // at: when the preview's actors were made (page clock); ms: the time that took
    stats.shapePreview = { shape: { ...p.shape }, bones: model.actors.length, at: performance.now(), ms: performance.now() - t0 };
    if (!was) onChange(true);
    requestRender();
  }

  return {
    update,
    isOn: () => model.on,
    delete: () => { clear(); model.on = false; },
  };
}
