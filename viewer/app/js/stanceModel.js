// stanceModel.js: PROVISIONAL stand-in for the JS twin of viewer/mechanics/stance.py (not yet
// on main): the shapes of StanceResult with rough physics, so that the page can be built.
// Replaced by the twin (same order of operations as Python) once stance.py lands.

function smRotX(deg, about) {
  const a = (deg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  // column-major: rotation about the X axis through ``about``
  const m = new Float64Array([1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, 0, 0, 0, 1]);
  m[13] = about[1] - (c * about[1] - s * about[2]);
  m[14] = about[2] - (s * about[1] + c * about[2]);
  return m;
}
function smMul(A, B) {
  const C = new Float64Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
    let acc = 0;
    for (let k = 0; k < 4; k++) acc += A[4 * k + r] * B[4 * c + k];
    C[4 * c + r] = acc;
  }
  return C;
}
const smApply = (m, p) => [0, 1, 2].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);

export function newStanceModel(data, muscleModelOf) {
  const api = {};
  api.solve = (inp) => {
    const side = inp.side, swing = side === "right" ? "left" : "right", s = side === "right" ? 1 : -1;
    const hc = data.hip_centre[side], bwN = inp.body_mass_kg * 9.81, W = bwN * (1 - 0.161);
    const lean = inp.lean_deg;
    const comZ = -s * 20 + s * 350 * Math.sin((lean * Math.PI) / 180);
    const com = [0, hc[1] + 250, comZ];
    const dw = Math.abs(hc[2] - comZ) * (s * (hc[2] - comZ) >= 0 ? 1 : -1);
    const r = 45, fmax = 2045 * inp.strength_pct / 100;
    const caneArm = inp.cane_pct > 0 ? (inp.cane_hand === "opposite" ? 300 + Math.abs(hc[2]) : 300 - Math.abs(hc[2]) - 100) : 0;
    const caneF = (inp.cane_pct / 100) * bwN;
    const need = Math.max(0, (W * dw - caneF * caneArm) / r);
    const F = Math.min(need, fmax);
    const theta = Math.min(14, Math.max(0, (need - F) * r / 4000));
    const stance_pose = { abduction: -theta, flexion: 0, rotation: 0 };
    const swing_pose = { abduction: 0, flexion: 30, rotation: 0 };
    const mStance = muscleModelOf(side), mSwing = muscleModelOf(swing);
    const Fs = mStance.femurMatrix(stance_pose);
    // the stance femur stays where it is: the pelvis turns by the inverse of its pose
    const pelvis = smRotX(s * theta, hc);
    const femurStance = smMul(pelvis, Fs);
    const femurSwing = smMul(pelvis, mSwing.femurMatrix(swing_pose));
    const transforms = { pelvis, [`femur_${side}`]: femurStance, [`femur_${swing}`]: femurSwing };
    const asis = data.asis[swing];
    const dropMm = asis[1] - smApply(pelvis, asis)[1];
    const up = [0, 1, 0];
    const ab = [0, -F * 0.94, -s * F * 0.34];
    const hipW = smApply(pelvis, hc);
    const forces = {
      weight: { point: com, vector: [0, -W, 0] },
      abductor: { point: [hipW[0], hipW[1] + 60, hipW[2] + s * 60], vector: ab },
      hip_contact: { point: hipW, vector: [0, W + F * 0.94 - caneF, s * F * 0.34] },
    };
    if (caneF > 0) {
      const z = inp.cane_hand === "opposite" ? -s * 300 : s * 300;
      forces.cane = { point: [100, -200, z], vector: up.map((x) => x * caneF) };
    }
    return {
      inp, hip_adduction_deg: theta, pelvic_drop_deg: theta, pelvic_drop_mm: dropMm, knee_valgus_deg: theta * 0.5,
      abductor_force_n: F, abductor_available_n: fmax, abductor_force_bw: F / bwN,
      hip_contact_force_n: Math.hypot(...forces.hip_contact.vector), hip_contact_force_bw: Math.hypot(...forces.hip_contact.vector) / bwN,
      abductor_moment_arm_mm: r, weight_lever_arm_mm: dw, cane_lever_arm_mm: caneArm,
      trendelenburg_positive: dropMm > 20, stance_pose, swing_pose, swing_knee_flexion_deg: 90,
      transforms, forces, com_above: com, body_weight_n: bwN,
      floor_y: -820, stance_ankle: [0, -800, hc[2]],
      trunk_base: [0, hipW[1] + 40, 0.5 * hipW[2]], trunk_top: [0, hipW[1] + 640, 0.5 * hipW[2] + s * 600 * Math.sin((lean * Math.PI) / 180)],
    };
  };
  return api;
}
