// muscleModel.js: the browser's twin of the muscle generator, PURE (no vtk, no DOM). Every pose of
// a fan muscle (the gluteus medius and its neighbours) is computed here from the arrays Python
// sends once (viewer/twin.py twin_data). Python stays the one source of truth; this file
// repeats only the per-pose steps, in the same order of floating-point operations, and
// tests/test_twin.py holds it to Python's numbers (to about 1e-12 mm):
//   femurMatrix  viewer/anatomy.py   Pose.rotation_matrix, HipModel.femur_transform (.T, column-major)
//   surface      viewer/muscles/fan.py FanMuscle.sheets, ._wrap, .surface (deep, then superficial);
//                viewer/muscles/layers.py lift_at (the lift over the structures beneath)
//                viewer/geometry.py  HeightField.__call__ (bilinear, highest corner across cliffs)
//   ribbons      viewer/presentation.py ribbon_points, sheet_normals; viewer/posed.py Hip.ribbon_points
//   lengths      viewer/muscles/fan.py FanMuscle.lengths (mid-thickness fibre polylines, part means)
//   readout      viewer/muscles/moment.py moment_arm (-dL/dθ, central difference, one-sided at range ends)
// Uses util.js (asArrayBuffer). Arrays are (row-major) flat: sheets are nu fibres x nv samples x 3.

// newMuscleModel(twinData) -> { checkPose, femurMatrix, surface, ribbons, lengths, readout }.
// twinData is viewer.twin.twin_data as the browser receives it: arrays as JSON lists, or as
// bytes (ArrayBuffer, DataView or typed array; viewer.twin.as_binary: ``heights`` float32, the
// rest float64, little-endian, read in the host's byte order, little-endian on every browser
// platform). A pose is {abduction, flexion, rotation} in degrees (frontal: true for a pure
// ab/adduction in the wider frontal_range, anatomy.Pose(frontal=True)); lengths are mm. Results can
// be written into preallocated arrays (the ``out`` arguments): nothing else is allocated per
// pose but the read-out's small objects.

const MM_D2R = Math.PI / 180; // np.radians multiplies by this
const MM_JOINTS = ["abduction", "flexion", "rotation"];

// a value of an error message: strings quoted
const mmShow = (v) => (typeof v === "string" ? JSON.stringify(v) : String(v));

// one array of the twin data as a Float64Array: a JSON list, or bytes of little-endian
// float64 (bytes = 8) or float32 (bytes = 4) values; its length checked when given
function mmFloats(x, path, bytes, length) {
  let a;
  if (Array.isArray(x)) a = Float64Array.from(x);
  else if (x instanceof Float64Array && bytes === 8) a = x;
  else if (x instanceof Float32Array && bytes === 4) a = Float64Array.from(x);
  else {
    let buf;
    try {
      buf = asArrayBuffer(x);
    } catch (e) {
      throw new Error(`muscle twin data ${path} is neither a list nor bytes`);
    }
    if (buf.byteLength % bytes) throw new Error(`muscle twin data ${path}: ${buf.byteLength} bytes are not float${8 * bytes} values`);
    a = bytes === 8 ? new Float64Array(buf) : Float64Array.from(new Float32Array(buf));
  }
  if (length !== undefined && a.length !== length) throw new Error(`muscle twin data ${path} has ${a.length} values, not ${length}`);
  return a;
}

// C = A B for 3x3 row-major matrices, summed as numpy does (k = 0, 1, 2)
function mmMul3(A, B, C) {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) C[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j];
  }
}

// The hot functions below are top-level and take the model's state ``m`` (one object shape for
// every side), so that V8 compiles them once for both sides.

// a height field ({origin, spacing, nx, ny, empty, heights}) as mmHeight reads it
function mmField(f) {
  const nx = f.nx, ny = f.ny, spacing = f.spacing;
  return {
    ox: f.origin[0], oy: f.origin[1], inv: 1.0 / spacing, ny,
    fxMax: nx - 1.000001, fyMax: ny - 1.000001, xEnd: nx - 1, yEnd: ny - 1,
    cliff: 2.0 * spacing, empty: f.empty, flat: Float32Array.from(f.heights),
  };
}

// geometry.HeightField.__call__ at one point: the height (mm) at (x, y), ``empty`` outside;
// bilinear, or the highest corner at the rim and across cliffs
function mmHeight(f, x, y) {
  const gx = (x - f.ox) * f.inv, gy = (y - f.oy) * f.inv;
  if (!(gx >= 0 && gy >= 0 && gx < f.xEnd && gy < f.yEnd)) return f.empty;
  const fx = gx < f.fxMax ? gx : f.fxMax, fy = gy < f.fyMax ? gy : f.fyMax;
  const i0 = fx | 0, j0 = fy | 0; // truncation, as astype(np.intp) (fx, fy >= 0)
  const tx = fx - i0, ty = fy - j0;
  const ny = f.ny, flat = f.flat, k = i0 * ny + j0;
  const c00 = flat[k], c01 = flat[k + 1], c10 = flat[k + ny], c11 = flat[k + ny + 1];
  const top = Math.max(Math.max(c00, c01), Math.max(c10, c11));
  const low = Math.min(Math.min(c00, c01), Math.min(c10, c11));
  if (top - low <= f.cliff) return c00 + tx * (c10 - c00) + ty * (c01 - c00) + tx * ty * (c00 - c10 - c01 + c11);
  return top;
}

// Pose.rotation_matrix and HipModel.femur_transform into m.R (row-major), m.T; m.LAT the
// femur's lateral axis
function mmSetPose(m, abduction, flexion, rotation) {
  const s = m.s, R = m.R, T = m.T, c = m.centre, RZ = m.RZ, RX = m.RX, RY = m.RY;
  m.flexion = flexion;
  const af = flexion * MM_D2R, aa = -s * abduction * MM_D2R, ar = s * rotation * MM_D2R;
  const cf = Math.cos(af), sf = Math.sin(af), ca = Math.cos(aa), sa = Math.sin(aa), cr = Math.cos(ar), sr = Math.sin(ar);
  RZ[0] = cf;
  RZ[1] = -sf;
  RZ[3] = sf;
  RZ[4] = cf;
  RX[4] = ca;
  RX[5] = -sa;
  RX[7] = sa;
  RX[8] = ca;
  RY[0] = cr;
  RY[2] = sr;
  RY[6] = -sr;
  RY[8] = cr;
  mmMul3(RZ, RX, m.RZX);
  mmMul3(m.RZX, RY, R);
  for (let a = 0; a < 3; a++) {
    T[a] = c[a] - (R[3 * a] * c[0] + R[3 * a + 1] * c[1] + R[3 * a + 2] * c[2]);
    m.LAT[a] = s * R[3 * a + 2];
  }
}

// GluteusMedius._wrap for the point at P[o]: out of the posed femur along its lateral axis,
// then out of the hip bone along the pelvis' lateral axis, by at least the clearance c
function mmWrapAt(m, P, o, c) {
  const R = m.R, T = m.T, L = m.LAT, s = m.s;
  let x = P[o], y = P[o + 1], z = P[o + 2];
  const dx = x - T[0], dy = y - T[1], dz = z - T[2];
  const qx = dx * R[0] + dy * R[3] + dz * R[6];
  const qy = dx * R[1] + dy * R[4] + dz * R[7];
  const qz = (dx * R[2] + dy * R[5] + dz * R[8]) * s;
  let up = mmHeight(m.femur, qx, qy) + c - qz;
  if (!(up > 0)) up = 0;
  x += up * L[0];
  y += up * L[1];
  z += up * L[2];
  up = mmHeight(m.pelvis, x, y) + c - z * s;
  if (!(up > 0)) up = 0;
  P[o] = x;
  P[o + 1] = y;
  P[o + 2] = z + s * up;
}

// _wrap of the free part of a deep sheet (samples j0 on)
function mmWrapFree(m, P) {
  const nu = m.nu, nv = m.nv, j0 = m.j0, CL = m.CL;
  for (let i = 0; i < nu; i++) for (let j = j0; j < nv; j++) mmWrapAt(m, P, 3 * (i * nv + j), CL[i * nv + j]);
}

// three-point smoothing (0.25, 0.5, 0.25) of fibres i0..i1-1 at samples from..to-1, along v
// (step 3) or u (step 3 nv): each point from its neighbours' values before the pass
function mmSmooth(P, nv, i0, i1, from, to, alongV) {
  const step = alongV ? 3 : 3 * nv, outer = alongV ? 3 * nv : 3, n = alongV ? to - from : i1 - i0;
  const lines = alongV ? i1 - i0 : to - from;
  for (let line = 0, start = 3 * (i0 * nv + from); line < lines; line++, start += outer) {
    let o = start, px = P[o - step], py = P[o - step + 1], pz = P[o - step + 2];
    for (let q = 0; q < n; q++, o += step) {
      const x = P[o], y = P[o + 1], z = P[o + 2];
      P[o] = 0.25 * px + 0.5 * x + 0.25 * P[o + step];
      P[o + 1] = 0.25 * py + 0.5 * y + 0.25 * P[o + step + 1];
      P[o + 2] = 0.25 * pz + 0.5 * z + 0.25 * P[o + step + 2];
      px = x;
      py = y;
      pz = z;
    }
  }
}

// np.cross(np.gradient(P, axis=0), np.gradient(P, axis=1)) of a sheet into N, and the
// gradient along u into DU: central differences inside ((next - previous) / 2), one-sided
// first differences at the edges (the factors 1 and 0.5 are exact)
function mmCross(P, nu, nv, N, DU) {
  const row3 = 3 * nv;
  for (let i = 0, o = 0; i < nu; i++) {
    const du0 = i === 0 ? 0 : -row3, du1 = i === nu - 1 ? 0 : row3, fu = du1 - du0 === row3 ? 1 : 0.5;
    for (let j = 0; j < nv; j++, o += 3) {
      const u0 = o + du0, u1 = o + du1;
      const v0 = j === 0 ? o : o - 3, v1 = j === nv - 1 ? o : o + 3, fv = v1 - v0 === 3 ? 1 : 0.5;
      const ax = (P[u1] - P[u0]) * fu, ay = (P[u1 + 1] - P[u0 + 1]) * fu, az = (P[u1 + 2] - P[u0 + 2]) * fu;
      const bx = (P[v1] - P[v0]) * fv, by = (P[v1 + 1] - P[v0 + 1]) * fv, bz = (P[v1 + 2] - P[v0 + 2]) * fv;
      N[o] = ay * bz - az * by;
      N[o + 1] = az * bx - ax * bz;
      N[o + 2] = ax * by - ay * bx;
      DU[o] = ax;
      DU[o + 1] = ay;
      DU[o + 2] = az;
    }
  }
}

// GluteusMedius.sheets for the pose of mmSetPose: deep sheet into P, superficial into S;
// returns the turn (+1 when the (u, v) grid turns from deep to superficial)
function mmLift(m, P) { // FanMuscle.sheets' lift over what lies beneath (layers.py lift_at)
  const K = m.LK, f = m.flexion, n = m.nu * m.nv;
  let k = 0; // np.searchsorted(knots, f, "right") - 1, within 0..knots - 2
  while (k + 2 < K.length && K[k + 1] <= f) k++;
  const f0 = K[k], f1 = K[k + 1], w = (f - f0) / (f1 - f0), w1 = 1.0 - w;
  const A = k * n, B = (k + 1) * n, dx = m.LD[0], dy = m.LD[1], dz = m.LD[2];
  for (let q = 0, o = 0; q < n; q++, o += 3) {
    const L = m.LIFT[A + q] * w1 + m.LIFT[B + q] * w;
    P[o] += L * dx;
    P[o + 1] += L * dy;
    P[o + 2] += L * dz;
  }
  return P;
}

function mmSheets(m, P, S) {
  const { nu, nv, na, k, s, R, T, INS, ATT, TV, TV1, N, TH, CL } = m;
  const row3 = 3 * nv, n3 = nu * row3;
  // straight from the end of the footprint to the posed insertion
  for (let i = 0; i < nu; i++) {
    const a = 3 * i, base = i * row3, att = i * na * 3;
    const x = INS[a], y = INS[a + 1], z = INS[a + 2];
    const ix = x * R[0] + y * R[1] + z * R[2] + T[0];
    const iy = x * R[3] + y * R[4] + z * R[5] + T[1];
    const iz = x * R[6] + y * R[7] + z * R[8] + T[2];
    for (let o = 0; o < 3 * k; o++) P[base + o] = ATT[att + o];
    const sx = ATT[att + 3 * k], sy = ATT[att + 3 * k + 1], sz = ATT[att + 3 * k + 2];
    for (let jj = 0, o = base + 3 * k; jj < nv - k; jj++, o += 3) {
      const w = TV[jj], w1 = TV1[jj];
      P[o] = sx * w1 + ix * w;
      P[o + 1] = sy * w1 + iy * w;
      P[o + 2] = sz * w1 + iz * w;
    }
  }
  mmWrapFree(m, P);
  for (let pass = 0; pass < m.passes; pass++) {
    // q = p[:, j0 - 1:]: sample j0 - 1 and the insertion (the last) stay
    mmSmooth(P, nv, 0, nu, m.j0, nv - 1, true);
    mmSmooth(P, nv, 1, nu - 1, m.j0, nv - 1, false);
    mmWrapFree(m, P);
  }
  if (m.LIFT) mmWrapFree(m, mmLift(m, P));
  mmCross(P, nu, nv, N, m.DU);
  let sum = 0;
  for (let o = 2; o < n3; o += 3) sum += s * N[o];
  const turn = sum >= 0 ? 1 : -1;
  if (turn < 0) for (let o = 0; o < n3; o++) N[o] = -N[o]; // away from the bone
  for (let pass = 0; pass < 2; pass++) {
    mmSmooth(N, nv, 0, nu, 1, nv - 1, true);
    mmSmooth(N, nv, 1, nu - 1, 0, nv, false);
  }
  for (let q = 0, o = 0; q < nu * nv; q++, o += 3) {
    const l = Math.sqrt(N[o] * N[o] + N[o + 1] * N[o + 1] + N[o + 2] * N[o + 2]);
    const t = TH[q];
    S[o] = P[o] + t * (N[o] / l);
    S[o + 1] = P[o + 1] + t * (N[o + 1] / l);
    S[o + 2] = P[o + 2] + t * (N[o + 2] / l);
    mmWrapAt(m, S, o, CL[q]);
  }
  return turn;
}

// GluteusMedius.lengths into m.lengths (mm): the mean mid-thickness fibre length of each
// part, then of the whole muscle
function mmMeasure(m, P, S) {
  const { nu, nv, PART, PSUM, PCOUNT, nparts, lengths } = m;
  PSUM.fill(0);
  let whole = 0;
  for (let i = 0; i < nu; i++) {
    let len = 0, o = 3 * i * nv;
    let px = 0.5 * (P[o] + S[o]), py = 0.5 * (P[o + 1] + S[o + 1]), pz = 0.5 * (P[o + 2] + S[o + 2]);
    for (let j = 1; j < nv; j++) {
      o += 3;
      const x = 0.5 * (P[o] + S[o]), y = 0.5 * (P[o + 1] + S[o + 1]), z = 0.5 * (P[o + 2] + S[o + 2]);
      len += Math.sqrt((x - px) * (x - px) + (y - py) * (y - py) + (z - pz) * (z - pz));
      px = x;
      py = y;
      pz = z;
    }
    PSUM[PART[i]] += len;
    whole += len;
  }
  for (let p = 0; p < nparts; p++) lengths[p] = PSUM[p] / PCOUNT[p];
  lengths[nparts] = whole / nu;
  return lengths;
}

// presentation.ribbon_points (sheet_normals): for each drawn fibre and sample the two edges
// of its ribbon, lift_mm over the outer sheet S and width_mm wide across the fan, into out
function mmRibbons(m, S, out) {
  const { nu, nv, NR, DU, ROWS, width, lift } = m;
  const n3 = 3 * nu * nv, row3 = 3 * nv;
  let cx = 0, cy = 0, cz = 0;
  for (let o = 0; o < n3; o += 3) {
    cx += S[o];
    cy += S[o + 1];
    cz += S[o + 2];
  }
  cx /= nu * nv;
  cy /= nu * nv;
  cz /= nu * nv;
  mmCross(S, nu, nv, NR, DU);
  let dot = 0;
  for (let o = 0; o < n3; o += 3) {
    const l = Math.sqrt(NR[o] * NR[o] + NR[o + 1] * NR[o + 1] + NR[o + 2] * NR[o + 2]);
    NR[o] /= l;
    NR[o + 1] /= l;
    NR[o + 2] /= l;
    dot += NR[o] * (S[o] - cx) + NR[o + 1] * (S[o + 1] - cy) + NR[o + 2] * (S[o + 2] - cz);
  }
  const sign = dot < 0 ? -1 : 1; // the outer side faces away from the bone
  const half = 0.5 * width;
  let w = 0;
  for (let r = 0; r < ROWS.length; r++) {
    for (let j = 0, o = ROWS[r] * row3; j < nv; j++, o += 3) {
      const l = Math.sqrt(DU[o] * DU[o] + DU[o + 1] * DU[o + 1] + DU[o + 2] * DU[o + 2]);
      for (let c = 0; c < 3; c++) {
        const mid = S[o + c] + lift * (sign * NR[o + c]);
        const h = half * (DU[o + c] / l);
        out[w + c] = mid - h;
        out[w + 3 + c] = mid + h;
      }
      w += 6;
    }
  }
  return out;
}

export function newMuscleModel(data) {
  const need = (path) => {
    let x = data;
    for (const key of path.split(".")) x = x == null ? undefined : x[key];
    if (x === undefined || x === null) throw new Error(`muscle twin data (viewer.twin.twin_data) has no ${path}`);
    return x;
  };
  const num = (path) => {
    const x = need(path);
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`muscle twin data ${path} is not a number: ${mmShow(x)}`);
    return x;
  };
  const floats = (path, length, bytes = 8) => mmFloats(need(path), path, bytes, length);
  const field = (path) => {
    const f = { origin: floats(`${path}.origin`, 2), spacing: num(`${path}.spacing`), nx: num(`${path}.nx`), ny: num(`${path}.ny`), empty: num(`${path}.empty`) };
    f.heights = floats(`${path}.heights`, f.nx * f.ny, 4);
    if (!(f.spacing > 0 && f.nx >= 2 && f.ny >= 2)) throw new Error(`muscle twin data ${path}: ${f.nx} x ${f.ny} heights, ${f.spacing} mm apart`);
    const out = mmField(f);
    // kept as float32 (half the memory): Python rounds the heights so (geometry.HeightField)
    if (out.flat.some((h, i) => h !== f.heights[i])) throw new Error(`muscle twin data ${path}.heights are not float32 values`);
    return out;
  };

  const side = need("side"), s = num("s"), nu = num("nu"), nv = num("nv"), na = num("n_attached");
  if (!(nu >= 3 && nv >= 3 && na >= 2 && na <= nv)) throw new Error(`muscle twin data: ${nu} fibres x ${nv} samples, ${na} attached`);
  const parts = need("parts").slice(), nparts = parts.length;
  const range = {};
  for (const j of MM_JOINTS) {
    const r = need(`pose_range.${j}`);
    if (!(r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) throw new Error(`muscle twin data pose_range.${j} is not [lo, hi]: ${mmShow(r)}`);
    range[j] = [r[0], r[1]];
  }
  // a frontal pose ({..., frontal: true}: anatomy.Pose(frontal=True), pure ab/adduction as the
  // stance hip moves) has its own abduction range
  const fr = need("frontal_range");
  if (!(fr.length === 2 && Number.isFinite(fr[0]) && Number.isFinite(fr[1]) && fr[0] < fr[1])) throw new Error(`muscle twin data frontal_range is not [lo, hi]: ${mmShow(fr)}`);
  const frontalRange = { ...range, abduction: [fr[0], fr[1]] };
  const rangesOf = (pose) => (pose.frontal === true ? frontalRange : range);
  const step = num("step_deg");
  const k = na - 1; // the free part starts where the footprint ends
  const n3 = nu * nv * 3;
  const m = {
    s, nu, nv, na, k,
    j0: Math.max(1, k - num("smoothing_overlap")), // smoothed from a little before that
    passes: num("smoothing_passes"),
    centre: floats("hip_centre", 3),
    ATT: floats("attached", nu * na * 3),
    INS: floats("insertion_neutral", nu * 3),
    CL: floats("clearance", nu * nv),
    TH: floats("thickness", nu * nv),
    LK: need("lifted") ? floats("lift_flexion") : null, LD: need("lifted") ? floats("lift_direction", 3) : null,
    TV: new Float64Array(nv - k),
    TV1: new Float64Array(nv - k),
    pelvis: field("pelvis_height"),
    femur: field("femur_height"),
    ROWS: Int32Array.from(floats("ribbon.rows")),
    width: num("ribbon.width_mm"),
    lift: num("ribbon.lift_mm"),
    PART: Int32Array.from(floats("part_of_u", nu)),
    nparts,
    PSUM: new Float64Array(nparts),
    PCOUNT: new Float64Array(nparts),
    lengths: new Float64Array(nparts + 1),
    // the pose
    R: new Float64Array(9), T: new Float64Array(3), LAT: new Float64Array(3),
    RZ: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), RX: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
    RY: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), RZX: new Float64Array(9),
    // scratch
    N: new Float64Array(n3), NR: new Float64Array(n3), DU: new Float64Array(n3),
  };
  if (m.LK && !(m.LK.length >= 2)) throw new Error("muscle twin data lift_flexion needs two knots or more");
  m.LIFT = m.LK ? floats("lift", m.LK.length * nu * nv) : null;
  const V = floats("v", nv);
  for (let jj = 0; jj < nv - k; jj++) {
    m.TV[jj] = (V[k + jj] - V[k]) / (1 - V[k]);
    m.TV1[jj] = 1 - m.TV[jj];
  }
  if (m.ROWS.some((r) => r < 0 || r >= nu)) throw new Error(`muscle twin data ribbon.rows must lie in 0..${nu - 1}`);
  if (m.PART.some((p) => p < 0 || p >= nparts)) throw new Error(`muscle twin data part_of_u must lie in 0..${nparts - 1}`);
  for (let i = 0; i < nu; i++) m.PCOUNT[m.PART[i]] += 1;

  // the sheets of the read-out's poses, and the last pose whose lengths are known
  const scratch = new Float64Array(2 * n3), scratchP = scratch.subarray(0, n3), scratchS = scratch.subarray(n3);
  const last = { a: NaN, f: NaN, r: NaN, lengths: new Float64Array(nparts + 1) };
  const remember = (a, f, r) => {
    last.a = a;
    last.f = f;
    last.r = r;
    last.lengths.set(m.lengths);
    return last.lengths;
  };
  // lengths at a pose (mm, by part and whole), computed unless it was the last one
  const lengthsAt = (a, f, r) => {
    if (a === last.a && f === last.f && r === last.r) return last.lengths;
    mmSetPose(m, a, f, r);
    mmSheets(m, scratchP, scratchS);
    mmMeasure(m, scratchP, scratchS);
    return remember(a, f, r);
  };
  const byPart = (values) => {
    const out = {};
    for (let p = 0; p < nparts; p++) out[parts[p]] = values[p];
    out.whole = values[nparts];
    return out;
  };

  const api = { side, nu, nv, parts, rows: m.ROWS };

  // throws one line naming the field, its value and its range unless the pose is valid
  api.checkPose = (pose) => {
    if (pose === null || typeof pose !== "object") throw new Error(`a pose is {abduction, flexion, rotation} in degrees, not ${mmShow(pose)}`);
    const ranges = rangesOf(pose);
    if (pose.frontal === true && (pose.flexion !== 0 || pose.rotation !== 0)) throw new Error("a frontal pose has no flexion or rotation");
    for (const j of MM_JOINTS) {
      const v = pose[j], [lo, hi] = ranges[j];
      if (v === undefined) throw new Error(`${j} is missing: give degrees in ${lo}..${hi}`);
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${j} ${mmShow(v)} is not a finite number of degrees in ${lo}..${hi}`);
      if (v < lo || v > hi) throw new Error(`${j} ${v} is outside ${lo}..${hi} degrees`);
    }
  };

  // the neutral femur -> its pose, 4x4 column-major (vtk.js user matrices), into out if given
  api.femurMatrix = (pose, out = new Float64Array(16)) => {
    api.checkPose(pose);
    mmSetPose(m, pose.abduction, pose.flexion, pose.rotation);
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) out[4 * c + r] = m.R[3 * r + c];
      out[4 * c + 3] = 0;
    }
    out[12] = m.T[0];
    out[13] = m.T[1];
    out[14] = m.T[2];
    out[15] = 1;
    return out;
  };

  // GluteusMedius.surface: vertices (2 nu nv x 3: deep, then superficial), the two sheets as
  // views of it, and the turn (+1: slab faces as built, -1: reversed); into out if given
  api.surface = (pose, out = new Float64Array(2 * n3)) => {
    api.checkPose(pose);
    if (out.length !== 2 * n3) throw new Error(`surface: out must hold ${2 * n3} values, not ${out.length}`);
    const deep = out.subarray(0, n3), superficial = out.subarray(n3);
    mmSetPose(m, pose.abduction, pose.flexion, pose.rotation);
    const turn = mmSheets(m, deep, superficial);
    mmMeasure(m, deep, superficial);
    remember(pose.abduction, pose.flexion, pose.rotation);
    return { vertices: out, deep, superficial, turn };
  };

  // Hip.ribbon_points of an outer sheet (nu nv x 3): k nv 2 x 3 ribbon edges, into out if given
  api.ribbons = (superficial, out = new Float64Array(m.ROWS.length * nv * 6)) => {
    if (superficial.length !== n3) throw new Error(`ribbons: the superficial sheet has ${superficial.length} values, not ${n3}`);
    if (out.length !== m.ROWS.length * nv * 6) throw new Error(`ribbons: out must hold ${m.ROWS.length * nv * 6} values`);
    return mmRibbons(m, superficial, out);
  };

  // GluteusMedius.lengths of a surface() result: mm per part and whole
  api.lengths = (surface) => {
    if (!surface || surface.deep.length !== n3 || surface.superficial.length !== n3) throw new Error("lengths: give a surface() result");
    return byPart(mmMeasure(m, surface.deep, surface.superficial));
  };

  // the read-out of the whole muscle: length and moment arms about the three hip angles (mm;
  // muscle.moment_arm: -dL/dθ, step_deg each way, one-sided at the range ends); by_part too
  api.readout = (pose) => {
    api.checkPose(pose);
    const at = [pose.abduction, pose.flexion, pose.rotation];
    const length = byPart(lengthsAt(at[0], at[1], at[2]));
    const arms = {};
    for (let q = 0; q < 3; q++) {
      const [lo, hi] = rangesOf(pose)[MM_JOINTS[q]];
      const x = at[q], a = Math.max(lo, x - step), b = Math.min(hi, x + step);
      const p = at.slice();
      p[q] = a;
      const la = lengthsAt(p[0], p[1], p[2]).slice();
      p[q] = b;
      const lb = lengthsAt(p[0], p[1], p[2]);
      const d = (b - a) * MM_D2R;
      const arm = new Float64Array(nparts + 1);
      for (let i = 0; i <= nparts; i++) arm[i] = -(lb[i] - la[i]) / d;
      arms[MM_JOINTS[q]] = byPart(arm);
    }
    const moment = {};
    for (const j of MM_JOINTS) moment[j] = arms[j].whole;
    return { length_mm: length.whole, moment_arm_mm: moment, by_part: { length_mm: length, moment_arm_mm: arms } };
  };

  return api;
}
