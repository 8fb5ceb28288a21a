// renderLoop.js: one render per animation frame at most, then the labels and the read-out,
// with the timings the tests and benchmarks read (window.gmedStats: first frame, full
// detail, a key press to its pose on screen, a full-detail frame's cost). The first frame
// is drawn at screen resolution (with the light meshes when the scene has them); full
// detail, supersampled, follows at once.

// newRenderLoop({win, lod, labels, readout, current, stats, model}): request() asks for a
// frame, whenDrawn() waits for it; setLightStart(true) when the first frame shows the light meshes
export function newRenderLoop({ win, lod, labels, readout, current, stats, model: hip }) {
  const model = { pending: false, deleted: false, lightStart: false, waiters: [] };
  const publicAPI = {};

  publicAPI.setLightStart = (light) => { model.lightStart = light; };

  function draw() {
    model.pending = false;
    if (model.deleted) return;
    const t0 = performance.now();
    win.render();
    const t1 = performance.now();
    labels.place();
    readout.update(current);
    const t2 = performance.now();
    // the last frame's parts (benchmarks/browser.py): the key (if any) to this frame's start,
    // the render call, the labels and read-out
    stats.lastFrame = { keyToDrawMs: stats.keyAt ? t0 - stats.keyAt : null, renderMs: t1 - t0, labelsMs: t2 - t1 };
    const waiters = model.waiters;
    model.waiters = [];
    for (const resolve of waiters) resolve();
    stats.renders += 1;
    if (stats.poseWaiting) {
      stats.poseWaiting = false;
      // a key press -> its pose on screen: the next frame starts once this one is drawn
      // (software WebGL blocks the page until then)
      const k = stats.keyAt;
      stats.keyAt = 0;
      if (k) requestAnimationFrame(() => { stats.keyToFrameMs = performance.now() - k; });
    }
    const full = !lod.isOn() && win.getScale() === SUPERSAMPLE;
    if (full) requestAnimationFrame(() => lod.noteFullFrame(stats.fullFrameMs = performance.now() - t0));
    if (stats.renders === 1) {
      stats.firstRenderAt = t2;
      if (!hip.standalone) hip.drawn = true;  // the server may now use the CPU
      setTimeout(() => {
        if (model.deleted) return;
        if (model.lightStart) { model.lightStart = false; lod.set(hip.lod === "always"); }
        if (!lod.isOn()) { win.setScale(SUPERSAMPLE); publicAPI.request(); }
      }, 0);
    } else if (!stats.fullDetailAt && full) {
      stats.fullDetailAt = t2;
    }
  }

  publicAPI.request = () => {
    if (model.pending || model.deleted) return;
    model.pending = true;
    requestAnimationFrame(draw);
  };

  // a Promise resolved once the next frame is drawn (the JS API's setPose and setView)
  publicAPI.whenDrawn = () => new Promise((resolve) => {
    model.waiters.push(resolve);
    publicAPI.request();
  });

  publicAPI.delete = () => { model.deleted = true; };
  return publicAPI;
}
