// stanceModel.js: the browser's twin of viewer/mechanics/stance.py (StanceModel.solve), PURE
// (no vtk, no DOM). Python sends StanceModel.twin_data() once (viewer/mechanics/stance_twin.py:
// the body's points and masses per stance side, the abductor table, the constants); this file
// repeats solve() and _result() step by step, in the same order of floating-point operations
// and with the same fixed scan step and bisection count, and tests/test_stance_twin.py holds
// it to Python's numbers. Matrices are row-major 4x4 here (as numpy); the results' transforms
// are column-major (vtk.js user matrices).

const SM_D2R = Math.PI / 180, SM_R2D = 180 / Math.PI;

// stance.py _rot: (y, z) turned about the X axis through (cy, cz), cosine c, sine s
function smRot(cy, cz, y, z, c, s) {
  const dy = y - cy, dz = z - cz;
  return [cy + dy * c - dz * s, cz + dy * s + dz * c];
}

// stance.py _asin: arcsin, its argument clipped to [-1, 1] (the nearest posture when none balances)
const smAsin = (x) => Math.asin(Math.min(Math.max(x, -1.0), 1.0));

// geometry.rotation_about(centre, R): the rotation R (row-major 3x3) about centre, row-major 4x4
function smRotationAbout(R, centre) {
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    const rc = R[3 * r] * centre[0] + R[3 * r + 1] * centre[1] + R[3 * r + 2] * centre[2];
    for (let k = 0; k < 3; k++) out[4 * r + k] = R[3 * r + k];
    out[4 * r + 3] = centre[r] - rc;
  }
  out[15] = 1;
  return out;
}

// stance.py rotation_x: geometry.rotation_about(centre, [[1,0,0],[0,c,-s],[0,s,c]])
function smRotationX(angle, centre) {
  const c = Math.cos(angle), s = Math.sin(angle);
  return smRotationAbout([1, 0, 0, 0, c, -s, 0, s, c], centre);
}

// HipModel.femur_transform(side, Pose(abduction, flexion)) (anatomy.py Pose.rotation_matrix,
// no axial rotation; geometry.rotation_about the hip centre), row-major; the stance hip's
// frontal poses (Pose(abduction, frontal=True)) too: no range check here
function smFemur(s, centre, abduction, flexion) {
  const af = flexion * SM_D2R, aa = -s * abduction * SM_D2R;
  const cf = Math.cos(af), sf = Math.sin(af), ca = Math.cos(aa), sa = Math.sin(aa);
  return smRotationAbout([cf, -sf * ca, -sf * -sa, sf, cf * ca, cf * -sa, 0, sa, ca], centre);
}

// A @ B, 4x4 row-major
function smMul(A, B) {
  const C = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) C[4 * i + j] = A[4 * i] * B[j] + A[4 * i + 1] * B[4 + j] + A[4 * i + 2] * B[8 + j] + A[4 * i + 3] * B[12 + j];
  }
  return C;
}

// geometry.apply of one point: p @ R.T + t
function smApply(M, p) {
  const out = [0, 0, 0];
  for (let r = 0; r < 3; r++) out[r] = p[0] * M[4 * r] + p[1] * M[4 * r + 1] + p[2] * M[4 * r + 2] + M[4 * r + 3];
  return out;
}
// M[:3] @ append(p, 1)
function smHom(M, p) {
  const out = [0, 0, 0];
  for (let r = 0; r < 3; r++) out[r] = M[4 * r] * p[0] + M[4 * r + 1] * p[1] + M[4 * r + 2] * p[2] + M[4 * r + 3] * 1.0;
  return out;
}
const smNorm = (v) => Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
const smColumnMajor = (M) => { const o = new Float64Array(16); for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) o[4 * c + r] = M[4 * r + c]; return o; };

// newStanceModel(data) -> {solve(inp)}: data is StanceModel.twin_data() (JSON lists); inp has
// StanceInput's fields (cane_tip_mm optional)
export function newStanceModel(data) {
  const need = (path) => {
    let x = data;
    for (const key of path.split(".")) x = x == null ? undefined : x[key];
    if (x === undefined || x === null) throw new Error(`stance twin data (StanceModel.twin_data) has no ${path}`);
    return x;
  };
  const G = need("gravity"), SCAN = need("scan_deg"), BIS = need("bisections"), T0 = need("table_from_deg");
  const TSTEP = need("table_step_deg"), LIMIT = need("limit_deg"), FMAX = need("max_force_n"), P = need("passive");
  const THRESH = need("trendelenburg_mm"), ANKLE_H = need("ankle_height"), TIP = need("cane_tip_mm");
  const ranges = need("ranges");
  const flat3 = (a) => { const f = a.flat ? a.flat(Infinity) : a; const out = []; for (let i = 0; i < f.length; i += 3) out.push([f[i], f[i + 1], f[i + 2]]); return out; };
  const mat = (a) => Float64Array.from(a.flat ? a.flat(Infinity) : a);
  const sides = {};
  for (const side of Object.keys(need("sides"))) {
    const d = need(`sides.${side}`);
    need(`sides.${side}.table`);
    for (const k of ["s", "stature_mm", "hip", "knee", "ankle", "asis_swing", "pivot", "stance_points", "stance_mass", "upper_points",
      "upper_mass", "trunk_mass", "trunk_height_mm", "swing_flexion_deg", "swing_knee_flexion_deg", "swing_femur", "swing_leg"]) need(`sides.${side}.${k}`);
    sides[side] = {
      ...d, stance_points: flat3(d.stance_points), upper_points: flat3(d.upper_points),
      swing_femur: mat(d.swing_femur), swing_leg: mat(d.swing_leg),
      arm: Array.from(need(`sides.${side}.table.moment_arm_mm`)), dir: flat3(need(`sides.${side}.table.direction`)), pt: flat3(need(`sides.${side}.table.point`)),
    };
  }

  const passiveMoment = (adduction) => {
    const q = adduction * SM_D2R;
    return -(P.k1_nm * Math.exp(P.k2_per_rad * (q - P.q1_rad)) + P.k3_nm * Math.exp(P.k4_per_rad * (q - P.q2_rad)));
  };

  // abductor.line_through
  const lineThrough = (c, u, hip, arm, s) => {
    let n = [0.0, -u[2], u[1]];
    const nl = smNorm(n);
    n = [n[0] / nl, n[1] / nl, n[2] / nl];
    const d = [c[0] - hip[0], c[1] - hip[1], c[2] - hip[2]];
    const now = s * (d[1] * u[2] - d[2] * u[1]);
    const per = s * (n[1] * u[2] - n[2] * u[1]);
    const k = (arm - now) / per;
    return [c[0] + k * n[0], c[1] + k * n[1], c[2] + k * n[2]];
  };
  // StanceModel._line
  const line = (b, adduction) => {
    const x = (adduction - T0) / TSTEP;
    const i = Math.min(Math.max(Math.floor(x), 0), b.arm.length - 2), f = x - i;
    const arm = b.arm[i] * (1.0 - f) + b.arm[i + 1] * f;
    let u = [0, 1, 2].map((q) => b.dir[i][q] * (1.0 - f) + b.dir[i + 1][q] * f);
    const ul = smNorm(u);
    u = u.map((x) => x / ul);
    const c = [0, 1, 2].map((q) => b.pt[i][q] * (1.0 - f) + b.pt[i + 1][q] * f);
    return [arm, u, lineThrough(c, u, b.hip, arm, b.s)];
  };

  const api = {};
  // StanceModel.solve: one line naming the field for a bad input (as StanceInput)
  api.solve = (inp) => {
    if (!sides[inp.side]) throw new Error(`side ${JSON.stringify(inp.side)} is not one of ${Object.keys(sides).join(", ")}`);
    const tipMm = inp.cane_tip_mm === undefined ? TIP : inp.cane_tip_mm;
    const all = { ...inp, cane_tip_mm: tipMm };
    for (const [k, [lo, hi]] of Object.entries(ranges)) {
      const v = all[k];
      if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${k} ${v} is outside ${lo}..${hi}`);
    }
    const b = sides[inp.side], s = b.s;
    const bw = inp.body_mass_kg * G, cane = inp.cane_pct / 100.0;
    const tipZ = (inp.cane_hand === "opposite" ? -s : s) * tipMm;
    const lean = inp.lean_deg * SM_D2R, d = b.trunk_height_mm;
    const hy = b.hip[1], hz = b.hip[2], py = b.pivot[1], pz = b.pivot[2];
    const trunk = [py + d * Math.cos(lean), pz + d * s * Math.sin(lean)];
    const upper = b.upper_mass.map((m, i) => [m, b.upper_points[i][1], b.upper_points[i][2]]);
    upper.push([b.trunk_mass, trunk[0], trunk[1]]);
    const leg = b.stance_mass.map((m, i) => [m, b.stance_points[i][1], b.stance_points[i][2]]);
    const sum = (list, f) => { let acc = 0; for (const x of list) acc += f(x); return acc; };

    const ay = b.ankle[1], az = b.ankle[2];
    const aCoef = sum(leg, ([m, y]) => m * (y - hy)) - (1.0 - cane) * (ay - hy);
    const bCoef = sum(leg, ([m, , z]) => m * (z - hz)) - (1.0 - cane) * (az - hz);
    const fixed = sum(upper, ([m, , z]) => m * z);
    const k = sum(leg, ([m]) => m) * hz + fixed - (1.0 - cane) * hz - cane * tipZ;
    // a foot that cannot reach under the body stops at the ends of the hip's range
    const alpha0 = Math.min(Math.max(s * ((smAsin(-k / Math.hypot(aCoef, bCoef)) - Math.atan2(bCoef, aCoef)) * SM_R2D), T0), LIMIT);
    const theta0 = s * (alpha0 * SM_D2R);
    const c0 = Math.cos(theta0), s0 = Math.sin(theta0);
    const legW = leg.map(([m, y, z]) => [m, ...smRot(hy, hz, y, z, c0, s0)]);
    const [ky, kz] = smRot(hy, hz, b.knee[1], b.knee[2], c0, s0);
    const comZ = sum(legW, ([m, , z]) => m * z) + fixed;
    const thigh = legW[0], rest = legW.slice(1);
    const restZ = sum(rest, ([m, , z]) => m * z);

    const posture = (alpha) => {
      const g = -s * ((alpha - alpha0) * SM_D2R);
      const cg = Math.cos(g), sg = Math.sin(g);
      const moving = [thigh, ...upper.map(([m, y, z]) => [m, ...smRot(hy, hz, y, z, cg, sg)])];
      const ac = sum(moving, ([m, y]) => m * (y - ky));
      const bc = sum(moving, ([m, , z]) => m * (z - kz));
      const kc = sum(moving, ([m]) => m) * kz + restZ - comZ;
      const theta = smAsin(-kc / Math.hypot(ac, bc)) - Math.atan2(bc, ac);
      const ct = Math.cos(theta), st = Math.sin(theta);
      const hipW = smRot(ky, kz, hy, hz, ct, st);
      const upW = moving.slice(1).map(([m, y, z]) => [m, ...smRot(ky, kz, y, z, ct, st)]);
      const total = sum(upW, ([m]) => m);
      return { theta, g, hipW, above: [sum(upW, ([m, y]) => m * y) / total, sum(upW, ([m, , z]) => m * z) / total], total };
    };
    const available = (inp.strength_pct / 100.0) * FMAX;
    const balance = (alpha) => {
      const p = posture(alpha);
      const lever = s * (p.hipW[1] - p.above[1]);
      const arm = line(b, alpha)[0];
      const weight = (p.total * bw * lever) / 1000.0;
      return (available * arm) / 1000.0 + passiveMoment(alpha) + (cane * bw * s * (p.hipW[1] - tipZ)) / 1000.0 - weight;
    };

    let alpha = alpha0, limitMoment = 0.0;
    if (balance(alpha0) < 0.0) {
      let lo = alpha0, hi = null, a = alpha0;
      while (a < LIMIT) {
        a = Math.min(a + SCAN, LIMIT);
        if (balance(a) >= 0.0) { hi = a; break; }
        lo = a;
      }
      if (hi === null) {
        alpha = LIMIT;
        limitMoment = -balance(alpha);
      } else {
        for (let n = 0; n < BIS; n++) {
          const mid = 0.5 * (lo + hi);
          if (balance(mid) >= 0.0) hi = mid; else lo = mid;
        }
        alpha = hi;
      }
    }
    return result(inp, b, alpha, alpha0, limitMoment, bw, cane, tipZ, available, posture, lean);
  };

  // StanceModel._result
  function result(inp, b, alpha, alpha0, limitMoment, bw, cane, tipZ, available, posture, lean) {
    const s = b.s, p = posture(alpha);
    const base = smRotationX(s * (alpha0 * SM_D2R), b.hip);
    const kneeW = smHom(base, b.knee);
    const pelvis = smMul(smRotationX(p.theta, kneeW), smRotationX(p.g, b.hip));
    const lever = s * (p.hipW[1] - p.above[1]);
    const [arm, u, q] = line(b, alpha);
    const passive = passiveMoment(alpha);
    const weightMoment = (p.total * bw * lever) / 1000.0;
    const caneLever = cane > 0 ? s * (p.hipW[1] - tipZ) : 0.0;
    const needed = ((weightMoment - passive - limitMoment - (cane * bw * caneLever) / 1000.0) * 1000.0) / arm;
    const force = Math.min(Math.max(needed, 0.0), available);
    if (needed < 0.0) limitMoment = weightMoment - passive - (cane * bw * caneLever) / 1000.0;
    const hipPoint = [b.hip[0], p.hipW[0], p.hipW[1]];
    let dot = 0;
    for (let i = 0; i < b.upper_mass.length; i++) dot += b.upper_mass[i] * b.upper_points[i][0];
    const aboveX = (dot + b.trunk_mass * b.pivot[0]) / p.total;
    const d = b.trunk_height_mm;
    const trunkTop = [b.pivot[0] + 0.0, b.pivot[1] + d * Math.cos(lean), b.pivot[2] + s * d * Math.sin(lean)];
    const ru = [0, 1, 2].map((r) => pelvis[4 * r] * u[0] + pelvis[4 * r + 1] * u[1] + pelvis[4 * r + 2] * u[2]);
    const forces = {
      weight: { point: [aboveX, p.above[0], p.above[1]], vector: [0.0, -p.total * bw, 0.0] },
      abductor: { point: smApply(pelvis, q), vector: ru.map((x) => force * x) },
    };
    const ankleW = smHom(base, b.ankle);
    const floorY = ankleW[1] - ANKLE_H * b.stature_mm;
    if (cane > 0) forces.cane = { point: [b.hip[0], floorY, tipZ], vector: [0.0, cane * bw, 0.0] };
    const total = [0, 1, 2].map((r) => { let acc = 0; for (const f of Object.values(forces)) acc += f.vector[r]; return -acc; });
    forces.hip_contact = { point: hipPoint, vector: total };
    const asis = smApply(pelvis, b.asis_swing);
    const swing = inp.side === "right" ? "left" : "right";
    const stancePose = { abduction: -alpha, flexion: 0, rotation: 0, frontal: true };
    const swingPose = { abduction: 0, flexion: b.swing_flexion_deg, rotation: 0 };
    // lower_leg_transform(side, Pose(-alpha0, frontal=True)): the femur's, the knee straight
    const baseLeg = smFemur(s, b.hip, -alpha0, 0.0);
    const swingLeg = smMul(pelvis, b.swing_leg);
    const rows = {
      pelvis, [`femur_${inp.side}`]: smMul(pelvis, smFemur(s, b.hip, -alpha, 0.0)), [`femur_${swing}`]: smMul(pelvis, b.swing_femur),
      [`tibia_fibula_${inp.side}`]: baseLeg, [`patella_${inp.side}`]: baseLeg, [`tibia_fibula_${swing}`]: swingLeg, [`patella_${swing}`]: swingLeg,
    };
    const transforms = Object.fromEntries(Object.entries(rows).map(([key, M]) => [key, smColumnMajor(M)]));
    const contact = smNorm(total);
    const dropMm = b.asis_swing[1] - asis[1];
    return {
      inp, hip_adduction_deg: alpha, base_adduction_deg: alpha0, pelvic_drop_deg: alpha - alpha0 - s * (p.theta * SM_R2D),
      pelvic_drop_mm: dropMm, knee_valgus_deg: s * (p.theta * SM_R2D), abductor_force_n: force,
      abductor_available_n: available, abductor_effort_pct: available > 0 ? (100.0 * force) / available : 100.0, abductor_force_bw: force / bw, hip_contact_force_n: contact,
      hip_contact_force_bw: contact / bw, abductor_moment_arm_mm: arm, weight_lever_arm_mm: lever,
      cane_lever_arm_mm: caneLever, passive_moment_nm: passive, limit_moment_nm: limitMoment, body_weight_n: bw,
      trendelenburg_positive: dropMm > THRESH, stance_pose: stancePose, swing_pose: swingPose,
      swing_knee_flexion_deg: b.swing_knee_flexion_deg, floor_y: floorY, com_above: forces.weight.point,
      trunk: [smApply(pelvis, b.pivot), smApply(pelvis, trunkTop)], transforms, forces,
      stance_ankle: ankleW,  // for the picture: the planted ankle, over the floor
    };
  }
  return api;
}
