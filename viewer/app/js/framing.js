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
