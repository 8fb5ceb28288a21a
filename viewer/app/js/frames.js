// frames.js: a pose on screen. A frame from the server, or sweep frames blended, are
// written by the poseModel into the drawn buffers of the sceneActors; the light meshes and
// the read-out follow.

// newFrames({pose, scene, lod, current, stats, requestRender}): current is the shown
// {angle, length, moment_arm}
export function newFrames({ pose, scene, lod, current, stats, requestRender }) {
  const publicAPI = {};

  function finish(read) {
    scene.posePointsChanged();
    lod.update();
    if (read) { current.length = read.length; current.moment_arm = read.moment_arm; }
    stats.frames += 1;
  }

  // the frame at ``offset`` floats of ``all`` (its normals computed here)
  publicAPI.showFrame = (all, offset, read) => {
    scene.setFemurMatrix(pose.writeFrame(all, offset, scene.poseBuffers()));
    finish(read);
  };

  // sweep frames i0 and i1 blended with weight w, written straight into the drawn buffers
  publicAPI.showBlend = (i0, i1, w, read) => {
    const buffers = scene.poseBuffers();
    scene.setFemurMatrix(pose.writeBlend(i0, i1, w, buffers));
    finish(read);
  };

  // a new pose (arrow key, slider, a frame from the server): drawn light at once on a slow
  // machine, in full detail once input rests (see lod.js)
  publicAPI.newPose = () => {
    stats.framesShown = (stats.framesShown || 0) + 1;
    stats.poseWaiting = true;
    lod.newPose();
    requestRender();
  };

  publicAPI.delete = () => {};
  return publicAPI;
}
