// util.js: pure helpers shared by the other modules (no vtk, no DOM): binary payloads as
// typed arrays, colours, vtk cell arrays, vertex normals, 4x4 transforms.

// bytes arrive as ArrayBuffer, DataView or typed array depending on the path
export function asArrayBuffer(x) {
  if (x instanceof ArrayBuffer) return x;
  if (ArrayBuffer.isView(x)) return x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength);
  if (x && x.buffer instanceof ArrayBuffer) return x.buffer;
  throw new Error("unexpected binary payload");
}
export const F32 = (x) => new Float32Array(asArrayBuffer(x));
export const U32 = (x) => new Uint32Array(asArrayBuffer(x));
export const U8 = (x) => new Uint8Array(asArrayBuffer(x));

// "#rrggbb" -> [r, g, b] in 0..1
export function hex(c) {
  const v = c.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(v.slice(i, i + 2), 16) / 255);
}

// "#rrggbb" -> [r, g, b] in 0..255
export const rgb255 = (c) => hex(c).map((v) => Math.round(255 * v));

// n copies of one [r, g, b] (0..255)
export function uniformRgb(n, rgb) {
  const c = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) c.set(rgb, 3 * i);
  return c;
}

// one colour per point from its part index (0, 1, 2 = contract.parts), 0..255
export function partRgb(partBytes, palette, parts) {
  const cols = parts.map((k) => rgb255(palette[k]));
  const part = U8(partBytes);
  const rgb = new Uint8Array(part.length * 3);
  for (let i = 0; i < part.length; i++) rgb.set(cols[part[i]], 3 * i);
  return rgb;
}

// triangle indices (a, b, c, ...) -> vtk cell array (3, a, b, c, ...)
export function cells(tris) {
  const n = tris.length / 3;
  const out = new Uint32Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[4 * i] = 3;
    out[4 * i + 1] = tris[3 * i];
    out[4 * i + 2] = tris[3 * i + 1];
    out[4 * i + 3] = tris[3 * i + 2];
  }
  return out;
}

// area-weighted vertex normals of a triangle mesh, written into out (same length as points)
export function vertexNormals(points, tris, out) {
  out.fill(0);
  for (let t = 0; t < tris.length; t += 3) {
    const a = 3 * tris[t], b = 3 * tris[t + 1], c = 3 * tris[t + 2];
    const ux = points[b] - points[a], uy = points[b + 1] - points[a + 1], uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a], vy = points[c + 1] - points[a + 1], vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const k of [a, b, c]) { out[k] += nx; out[k + 1] += ny; out[k + 2] += nz; }
  }
  for (let i = 0; i < out.length; i += 3) {
    const l = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= l; out[i + 1] /= l; out[i + 2] /= l;
  }
  return out;
}

// m: 16 floats, column-major
export function transformPoint(m, p) {
  return [
    m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12],
    m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13],
    m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14],
  ];
}
export function transformVector(m, p) {
  return [
    m[0] * p[0] + m[4] * p[1] + m[8] * p[2],
    m[1] * p[0] + m[5] * p[1] + m[9] * p[2],
    m[2] * p[0] + m[6] * p[1] + m[10] * p[2],
  ];
}

// watch model properties; returns a function that stops watching (for delete())
export function listen(model, names, callback) {
  const list = Array.isArray(names) ? names : [names];
  for (const n of list) model.on(n, callback);
  return () => { for (const n of list) model.off(n, callback); };
}

// the layer ids a module uses, checked against contract.layers (one error if Python renamed one)
export function contractLayers(contract, names) {
  const missing = names.filter((n) => !contract.layers.includes(n));
  if (missing.length) throw new Error(`contract.layers has no ${missing.join(", ")}: ${contract.layers.join(", ")}`);
  return Object.fromEntries(names.map((n) => [n, n]));
}

// how superficial a layer (or a group: a list of layers, the first decides) is: contract.peel
// lists them superficial to deep, and a layer it does not list (bones) is the deepest, 0
export function peelDepth(contract, layer) {
  const peel = contract.peel || [], id = Array.isArray(layer) ? layer[0] : layer;
  const k = peel.findIndex((step) => step.includes(id));
  return k < 0 ? 0 : peel.length - k;
}

// whether a mesh of ``group`` (one layer id, or a list of layer ids that must all be on) is
// shown with the layers ``on`` (a Set)
export function groupShown(on, group) {
  return Array.isArray(group) ? group.every((g) => on.has(g)) : on.has(group);
}

// the layers shown (a Set): HipView.layers less those peeled away (HipView.peel steps of
// contract.peel, superficial to deep)
export function shownLayers(hip) {
  const on = new Set(hip.layers);
  const steps = (hip.contract && hip.contract.peel) || [];
  for (let k = 0; k < Math.min(hip.peel || 0, steps.length); k++) for (const l of steps[k]) on.delete(l);
  return on;
}
