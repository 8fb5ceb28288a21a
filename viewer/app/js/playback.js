// playback.js: the abduction sweep held in the browser. Played back (blending the two
// nearest sweep frames for each drawn frame, back and forth when looping), or one angle of
// it shown without a round trip to the server (arrow keys, slider, the offline page).

// newPlayback({model, pose, frames, current, stats, requestRender, noteInterval}): pose is
// the poseModel, frames the frames.js API, noteInterval(ms) gets the time between frames
export function newPlayback({ model: hip, pose, frames, current, stats, requestRender, noteInterval }) {
  const model = { lastT: null, direction: 1, angle: hip.angle, ticking: false, raf: 0, deleted: false };
  const publicAPI = {};

  // the sweep the model holds now (or none)
  publicAPI.loadSweep = () => {
    if (!hip.sweep || hip.sweep.byteLength === 0) { pose.setSweep(null); stats.sweepLoaded = false; return; }
    pose.setSweep(F32(hip.sweep));
    stats.sweepLoaded = true;
  };

  // the angle playback reached (the pose shown when it stops)
  publicAPI.getAngle = () => model.angle;

  publicAPI.start = () => {
    if (model.ticking) return;
    if (!pose.hasSweep()) publicAPI.loadSweep();
    if (!hip.playing || !pose.hasSweep()) return;
    model.ticking = true;
    model.angle = current.angle ?? hip.angle;
    model.raf = requestAnimationFrame(tick);
  };

  function tick(t) {
    if (model.deleted) return;
    if (!hip.playing || !pose.hasSweep()) { model.lastT = null; model.ticking = false; return; }
    const meta = hip.sweep_meta;
    if (!meta || !meta.angles) { model.raf = requestAnimationFrame(tick); return; }
    if (model.lastT !== null) {
      noteInterval(t - model.lastT);
      const dt = Math.min(0.1, (t - model.lastT) / 1000);
      model.angle += model.direction * hip.speed * dt;
      const lo = meta.angles[0], hi = meta.angles[meta.angles.length - 1];
      if (model.angle >= hi) { model.angle = hi; if (hip.loop) model.direction = -1; else hip.playing = false; }
      if (model.angle <= lo) { model.angle = lo; if (hip.loop) model.direction = 1; else hip.playing = false; }
      const { i0, i1, w } = sweepPosition(meta.angles, model.angle);
      frames.showBlend(i0, i1, w, blendReadout(meta, i0, i1, w));
      current.angle = model.angle;
      requestRender();
    }
    model.lastT = t;
    model.raf = requestAnimationFrame(tick);
  }

  // an abduction angle shown from the sweep held here, without a round trip to the server;
  // ``nearest``: the closest sweep angle (the offline page), else only an exact one
  publicAPI.showLocal = (angle, nearest = false) => {
    const meta = hip.sweep_meta;  // may arrive after the "sweep" event
    if (!pose.hasSweep() || !meta || !meta.angles || !pose.getLayout()) return false;
    const i = sweepIndex(meta.angles, angle, nearest);
    if (i < 0) return false;
    frames.showBlend(i, i, 0, { length: meta.length[i], moment_arm: meta.moment_arm[i] });
    current.angle = meta.angles[i];
    stats.localFrames = (stats.localFrames || 0) + 1;
    frames.newPose();
    return true;
  };

  publicAPI.delete = () => {
    model.deleted = true;
    cancelAnimationFrame(model.raf);
  };
  return publicAPI;
}
