// playback.js: the abduction played in the browser, every drawn frame computed for its
// angle (muscleModel.js), back and forth when looping, at HipView.speed degrees a second; and
// the frame loop that every mode's playing runs on (newTicker).

// newPlayback({model, frames, current, stats, requestRender, noteInterval}): frames is the
// frames.js API, noteInterval(ms) gets the time between frames
// a requestAnimationFrame loop: step(dt, ms) on each frame after the first (dt in seconds, at
// most 0.1; ms the time since the last frame) while running() holds; start() again does nothing
export function newTicker(running, step) {
  const m = { raf: 0, lastT: null };
  const tick = (t) => {
    m.raf = 0;
    if (!running()) { m.lastT = null; return; }
    if (m.lastT !== null) step(Math.min(0.1, (t - m.lastT) / 1000), t - m.lastT);
    m.lastT = t;
    m.raf = requestAnimationFrame(tick);
  };
  return {
    start: () => { if (m.raf || !running()) return; m.lastT = null; m.raf = requestAnimationFrame(tick); },
    stop: () => { cancelAnimationFrame(m.raf); m.raf = 0; m.lastT = null; },
    running: () => m.raf !== 0,
  };
}

export function newPlayback({ model: hip, frames, current, stats, requestRender, noteInterval }) {
  const model = { direction: 1, deleted: false };
  const publicAPI = {};
  const ticker = newTicker(() => !model.deleted && hip.playing, (dt, ms) => {
    noteInterval(ms);
    const [lo, hi] = hip.contract.pose_range.abduction;
    let a = current.abduction + model.direction * hip.speed * dt;
    if (a >= hi) { a = hi; if (hip.loop) model.direction = -1; else hip.playing = false; }
    if (a <= lo) { a = lo; if (hip.loop) model.direction = 1; else hip.playing = false; }
    frames.show({ side: current.side, abduction: a, flexion: current.flexion, rotation: current.rotation });
    stats.playFrames = (stats.playFrames || 0) + 1;
    requestRender();
  });

  publicAPI.start = () => { if (current.side !== undefined) ticker.start(); };

  publicAPI.delete = () => {
    model.deleted = true;
    ticker.stop();
  };
  return publicAPI;
}
