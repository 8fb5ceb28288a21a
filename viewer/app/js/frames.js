// frames.js: a pose on screen. The poseModel computes it into the drawn buffers of the
// sceneActors; the femur matrix, the light meshes and the read-out follow.

// newFrames({pose, scene, lod, current, stats, requestRender}): current is what is shown:
// {side, abduction, flexion, rotation, readout}
export function newFrames({ pose, scene, lod, current, stats, requestRender }) {
  const model = { pending: null };  // the pose whose read-out is not computed yet
  const publicAPI = {};

  // ``p`` ({side, abduction, flexion, rotation}, checked) computed and drawn; its read-out
  // (lengths and moment arms: six more muscles) waits for settle(), which the render loop
  // calls once the frame's drawing is sent, so a key press reaches the screen without it
  publicAPI.show = (p) => {
    const t0 = performance.now();
    const { matrix } = pose.write(p, scene.poseBuffers(), false);
    scene.setFemurMatrix(matrix);
    scene.posePointsChanged();
    lod.update();
    Object.assign(current, { side: p.side, abduction: p.abduction, flexion: p.flexion, rotation: p.rotation });
    current.readout = null;
    model.pending = { side: p.side, abduction: p.abduction, flexion: p.flexion, rotation: p.rotation };
    stats.frames += 1;
    stats.poseMs = performance.now() - t0;
  };

  // current.readout for the shown pose (computed here if it is not yet)
  publicAPI.settle = () => {
    if (!model.pending) return;
    const p = model.pending;
    model.pending = null;
    current.readout = pose.readout(p);
  };

  // a new pose (key, slider, API): drawn light at once on a slow machine, in full detail
  // once input rests (see lod.js)
  publicAPI.newPose = () => {
    stats.framesShown = (stats.framesShown || 0) + 1;
    stats.poseWaiting = true;
    lod.newPose();
    requestRender();
  };

  publicAPI.delete = () => {};
  return publicAPI;
}
