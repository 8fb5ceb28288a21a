// framing.js: the camera of a view preset for the page's aspect, by the rule of
// viewer/framing.py with the numbers it computed (HipView.cameras[side][view].fit): the
// distance is the larger of fit.height_mm and the largest depth + reach / aspect of fit.width.

// distance (mm) from the focal point at which the preset's region fills a picture of aspect w / h
export function fitDistance(fit, aspect) {
  let d = fit.height_mm;
  for (const [depth, reach] of fit.width) d = Math.max(d, depth + reach / aspect);
  return d;
}

// the preset camera {position, focal_point, view_up, fit} moved along its axis to frame a
// picture of this aspect (the camera as it is without fit or aspect)
export function framedCamera(cam, aspect) {
  if (!cam.fit || !(aspect > 0) || !Number.isFinite(aspect)) return cam;
  const f = cam.focal_point, p = cam.position;
  const v = [p[0] - f[0], p[1] - f[1], p[2] - f[2]];
  const n = Math.hypot(...v), d = fitDistance(cam.fit, aspect);
  return { ...cam, position: v.map((x, i) => f[i] + (d * x) / n) };
}

// the renderer's camera set to look along ``d`` (from the focal point to the camera) with
// view-up ``up`` and view angle ``angle`` (degrees), at the distance where the world box ``b``
// ([xmin, xmax, ymin, ymax, zmin, zmax]) fills the view: its half extents across the view
// (up, right) and along it (depth) count, so it fills the view from any direction however deep
// it reaches. The part of the view above the controls (at its bottom, where they reach under
// the middle) holds the box, centred in it, and right of ``leftPanel`` (a selector of an
// element over the view's left side, such as a card) when it is shown.
export function fitBox(renderer, root, b, d, up, angle, leftPanel = null) {
  const f = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])];
  const dl = Math.hypot(...d);
  const unit = (v) => { const l = Math.hypot(...v); return v.map((x) => x / l); };
  const dir = unit(d), upv = unit(up);
  const right = unit([upv[1] * dir[2] - upv[2] * dir[1], upv[2] * dir[0] - upv[0] * dir[2], upv[0] * dir[1] - upv[1] * dir[0]]);
  const extent = (axis) => 0.5 * [0, 1, 2].reduce((sum, q) => sum + Math.abs(axis[q]) * (b[2 * q + 1] - b[2 * q]), 0);
  const halfUp = extent(upv), halfRight = extent(right), depth = extent(dir);
  const tan = Math.tan((angle * Math.PI) / 360);
  const host = root.querySelector(".gmed-canvas"), controls = root.querySelector(".gmed-controls");
  let free = 1, aspect = 1, left = 0;
  if (host && host.clientHeight) {
    aspect = host.clientWidth / host.clientHeight;
    const hr = host.getBoundingClientRect(), cr = controls && controls.getBoundingClientRect();
    // the controls count where they reach under the body (the middle of the view)
    if (cr && cr.right > hr.left + 0.3 * hr.width && cr.left < hr.left + 0.7 * hr.width) free = (cr.top - hr.top) / host.clientHeight;
    free = Math.max(0.55, Math.min(1, free));
    const panel = leftPanel && root.querySelector(leftPanel);
    if (panel && !panel.hidden && panel.offsetWidth) left = Math.max(0, Math.min(0.45, (panel.getBoundingClientRect().right - hr.left) / hr.width));
  }
  const dist = (1.06 * Math.max(halfUp / free, halfRight / (aspect * (1 - left)))) / tan + depth;
  const shift = (1 - free) * dist * tan, across = left * dist * tan * aspect;
  const fc = f.map((x, q) => x - upv[q] * shift - right[q] * across);
  const camera = renderer.getActiveCamera();
  camera.setFocalPoint(...fc);
  camera.setPosition(...fc.map((x, q) => x + (d[q] / dl) * dist));
  camera.setViewUp(...up);
  camera.setViewAngle(angle);
  renderer.resetCameraClippingRange();
}
