// playback.js: the abduction played in the browser, every drawn frame computed for its
// angle (muscleModel.js), back and forth when looping, at HipView.speed degrees a second.

// newPlayback({model, frames, current, stats, requestRender, noteInterval}): frames is the
// frames.js API, noteInterval(ms) gets the time between frames
export function newPlayback({ model: hip, frames, current, stats, requestRender, noteInterval }) {
  const model = { lastT: null, direction: 1, ticking: false, raf: 0, deleted: false };
  const publicAPI = {};

  publicAPI.start = () => {
    if (model.ticking || !hip.playing || current.side === undefined) return;
    model.ticking = true;
    model.lastT = null;
    model.raf = requestAnimationFrame(tick);
  };

  function tick(t) {
    if (model.deleted) return;
    if (!hip.playing) { model.lastT = null; model.ticking = false; return; }
    if (model.lastT !== null) {
      noteInterval(t - model.lastT);
      const dt = Math.min(0.1, (t - model.lastT) / 1000);
      const [lo, hi] = hip.contract.pose_range.abduction;
      let a = current.abduction + model.direction * hip.speed * dt;
      if (a >= hi) { a = hi; if (hip.loop) model.direction = -1; else hip.playing = false; }
      if (a <= lo) { a = lo; if (hip.loop) model.direction = 1; else hip.playing = false; }
      frames.show({ side: current.side, abduction: a, flexion: current.flexion, rotation: current.rotation });
      stats.playFrames = (stats.playFrames || 0) + 1;
      requestRender();
    }
    model.lastT = t;
    model.raf = requestAnimationFrame(tick);
  }

  publicAPI.delete = () => {
    model.deleted = true;
    cancelAnimationFrame(model.raf);
  };
  return publicAPI;
}
