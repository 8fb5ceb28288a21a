// frames.js: a pose on screen. The poseModel computes it into the drawn buffers of the
// sceneActors; the femur matrix, the light meshes and the read-out follow.

// newFrames({pose, scene, lod, current, stats, requestRender}): current is what is shown:
// {side, abduction, flexion, rotation, readout}
export function newFrames({ pose, scene, lod, current, stats, requestRender }) {
  const publicAPI = {};

  // ``p`` ({side, abduction, flexion, rotation}, checked) computed and drawn, with its read-out
  publicAPI.show = (p) => {
    const t0 = performance.now();
    const { matrix, readout } = pose.write(p, scene.poseBuffers());
    scene.setFemurMatrix(matrix);
    scene.posePointsChanged();
    lod.update();
    Object.assign(current, { side: p.side, abduction: p.abduction, flexion: p.flexion, rotation: p.rotation });
    current.readout = readout;
    stats.frames += 1;
    stats.poseMs = performance.now() - t0;
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
