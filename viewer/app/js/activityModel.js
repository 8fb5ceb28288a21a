// activityModel.js: the browser's twin of the exercise gallery and the gait cycle, PURE (no vtk,
// no DOM). Python sends viewer/mechanics/activity_twin.twin_data() once; this file repeats
// exercises.world and Exercise.timeline (viewer/mechanics/exercises.py), bone_matrices of
// viewer/exercise_presentation.py, Gait.frame (viewer/mechanics/gait.py) and bone_matrices and
// trunk_axis of viewer/gait_presentation.py, and tests/test_activity_twin.py holds it to
// Python's numbers. It uses stanceModel.js's 4x4 helpers (smMul, smRotationAbout,
// smColumnMajor: the bundle is one module). Matrices are row-major 4x4 here (as numpy); the
// results are column-major (vtk.js user matrices).

const AM_D2R = Math.PI / 180;
const AM_PELVIS = ["hip_right", "hip_left", "sacrum"];

// anatomy.py Pose.rotation_matrix: flexion about Z, then ab/adduction about X, then axial
// rotation about Y (row-major 3x3); s = +1 right, -1 left
function amPoseRotation(s, abduction, flexion, rotation) {
  const cf = Math.cos(flexion * AM_D2R), sf = Math.sin(flexion * AM_D2R);
  const ca = Math.cos(-s * abduction * AM_D2R), sa = Math.sin(-s * abduction * AM_D2R);
  const cr = Math.cos(s * rotation * AM_D2R), sr = Math.sin(s * rotation * AM_D2R);
  const rz = [cf, -sf, 0, sf, cf, 0, 0, 0, 1], rx = [1, 0, 0, 0, ca, -sa, 0, sa, ca], ry = [cr, 0, sr, 0, 1, 0, -sr, 0, cr];
  return amMul3(amMul3(rz, rx), ry);
}

function amMul3(A, B) {
  const C = new Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) C[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j];
  return C;
}

// geometry.rotation_matrix: right-handed rotation about axis by deg degrees (row-major 3x3)
function amAxisRotation(axis, deg) {
  const l = Math.hypot(...axis), [x, y, z] = axis.map((v) => v / l);
  const a = deg * AM_D2R, c = Math.cos(a), s = Math.sin(a), C = 1.0 - c;
  return [c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C];
}

// geometry.invert: the inverse of a rigid 4x4 (row-major)
function amInvert(M) {
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[4 * r + c] = M[4 * c + r];
    out[4 * r + 3] = -(M[r] * M[3] + M[4 + r] * M[7] + M[8 + r] * M[11]);
  }
  out[15] = 1;
  return out;
}

// [abduction, flexion, rotation, knee_flexion] -> {abduction, flexion, rotation, knee_flexion}
const amPose = (a) => ({ abduction: a[0], flexion: a[1], rotation: a[2], knee_flexion: a[3] });

// np.interp of x over increasing xp (x clamped to its ends)
function amInterp(x, xp, fp) {
  const n = xp.length;
  if (x <= xp[0]) return fp[0];
  if (x >= xp[n - 1]) return fp[n - 1];
  let i = 0;
  while (xp[i + 1] < x) i++;
  return fp[i] + ((fp[i + 1] - fp[i]) / (xp[i + 1] - xp[i])) * (x - xp[i]);
}
const amMod100 = (x) => ((x % 100.0) + 100.0) % 100.0;

// newActivityModel(data) -> the gallery and the gait: data is activity_twin.twin_data() (JSON lists)
export function newActivityModel(data) {
  if (!data || !Array.isArray(data.exercises) || !data.sides || !data.gait) {
    throw new Error("activity twin data (activity_twin.twin_data) needs sides, exercises and gait");
  }
  const sides = data.sides, g = data.gait;
  const onFlat = g.gmed_on.flat(), gmedOn = [];  // (k, 2) windows, as pairs or flat
  for (let i = 0; i + 1 < onFlat.length; i += 2) gmedOn.push([onFlat[i], onFlat[i + 1]]);
  const byId = Object.fromEntries(data.exercises.map((e) => [e.id, e]));
  const api = { exercises: data.exercises, ids: data.exercises.map((e) => e.id), variants: Object.keys(g.variants) };

  // one clear Error naming the valid ids, for an unknown exercise
  api.exercise = (id) => {
    if (!Object.hasOwn(byId, id)) throw new Error(`unknown exercise ${JSON.stringify(id)}; choose from ${api.ids.join(", ")}`);
    return byId[id];
  };
  api.checkVariant = (v) => {
    if (!api.variants.includes(v)) throw new Error(`unknown gait ${JSON.stringify(v)}; choose from ${api.variants.join(", ")}`);
    return v;
  };

  // HipModel.femur_transform and lower_leg_transform (knee.knee_flexion_matrix), row-major
  api.femur = (side, p) => {
    const s = side === "right" ? 1.0 : -1.0;
    return smRotationAbout(amPoseRotation(s, p.abduction, p.flexion, p.rotation || 0.0), sides[side].hip_centre);
  };
  api.lowerLeg = (side, p, knee) => {
    const d = sides[side], lat = d.epicondyle_lateral, med = d.epicondyle_medial, s = side === "right" ? 1.0 : -1.0;
    const axis = [0, 1, 2].map((q) => (med[q] - lat[q]) * s);
    const mid = [0, 1, 2].map((q) => (lat[q] + med[q]) / 2.0);
    return smMul(api.femur(side, p), smRotationAbout(amAxisRotation(axis, knee), mid));
  };

  // exercises.world: the pelvis frame in the room for ex worked by side (row-major)
  api.world = (ex, side) => {
    if (ex.body === "side_lying") {
      const a = (side === "right" ? -1.0 : 1.0) * 90.0 * AM_D2R, c = Math.cos(a), s = Math.sin(a);
      return smRotationAbout([1, 0, 0, 0, c, -s, 0, s, c], [0, 0, 0]);
    }
    const [planted, at] = ex.body === "standing_one_leg" ? [side, amPose(ex.frames[ex.key])] : [side === "right" ? "left" : "right", amPose(ex.other_leg)];
    return amInvert(api.lowerLeg(planted, at, at.knee_flexion));
  };

  // Exercise.timeline: the working hip at u in [0, 1] of one repetition (key frames evenly
  // spaced in time, linear between them); u = k / (count - 1) gives timeline(count)[k]
  api.poseAt = (ex, u) => {
    const n = ex.frames.length, x = Math.min(Math.max(u, 0), 1) * (n - 1.0);
    const i = Math.min(Math.floor(x), n - 2), f = x - i;
    if (f === 0) return amPose(ex.frames[i]);
    return amPose([0, 1, 2, 3].map((q) => ex.frames[i][q] + (ex.frames[i + 1][q] - ex.frames[i][q]) * f));
  };
  // the pose of a fault (an id of ex.faults); one clear Error naming the faults
  api.faultPose = (ex, id) => {
    const f = ex.faults.find((x) => x.id === id);
    if (!f) throw new Error(`exercise ${ex.id} has no fault ${JSON.stringify(id)}; its faults: ${ex.faults.map((x) => x.id).join(", ") || "none"}`);
    return amPose(f.at);
  };

  // exercise_presentation.bone_matrices: every bone's placement (column-major), the room of
  // the key pose; legs: each side's pose {abduction, flexion, rotation, knee_flexion}
  // exercise_presentation.band_strands: the band's front and back strands [[right, left], ...]
  // (none without a band)
  api.exerciseMatrices = (ex, side, at) => {
    const w = api.world(ex, side), other = side === "right" ? "left" : "right";
    const legs = { [side]: at, [other]: amPose(ex.other_leg) };
    const out = { ...placed(w, legs), legs, pelvis: smColumnMajor(w), band: [] };
    if (ex.band) {
      const ends = ["right", "left"].map((s) => {
        const M = out.rows[`tibia_fibula_${s}`], pts = ex.band.points[s].flat();
        return [0, 1].map((k) => smApply(M, pts.slice(3 * k, 3 * k + 3)));
      });
      out.band = [0, 1].map((k) => [ends[0][k], ends[1][k]]);
    }
    delete out.rows;
    return out;
  };

  // the bones' placements (column-major) and the lower legs' (row-major, rows)
  function placed(w, legs) {
    const bones = {}, rows = {};
    for (const b of AM_PELVIS) bones[b] = smColumnMajor(w);
    for (const [s, p] of Object.entries(legs)) {
      bones[`femur_${s}`] = smColumnMajor(smMul(w, api.femur(s, p)));
      rows[`tibia_fibula_${s}`] = smMul(w, api.lowerLeg(s, p, p.knee_flexion));
      bones[`tibia_fibula_${s}`] = bones[`patella_${s}`] = smColumnMajor(rows[`tibia_fibula_${s}`]);
    }
    return { bones, rows };
  }

  // Gait.window: the right leg's single-support weight at percent
  api.window = (v, percent) => {
    const a = g.stance_pct - 50.0, b = 50.0, t = (amMod100(percent) - a) / (b - a);
    return t > 0 && t < 1 ? Math.sin(Math.PI * t) ** 2 : 0.0;
  };

  // Gait.frame: {percent, pelvic_obliquity_deg, trunk_lean_deg, hips, knees, gmed_active}
  api.gaitFrame = (variant, percent) => {
    const v = g.variants[api.checkVariant(variant)];
    const right = api.window(variant, percent), left = api.window(variant, percent + 50.0);
    const obliquity = amInterp(amMod100(percent), g.percent, g.pelvic_obliquity) + v.extra_drop_deg * (right - left);
    const hips = {}, knees = {}, active = {};
    const [lo, hi] = g.flexion_range;
    for (const [side, shift, support] of [["right", 0.0, right], ["left", 50.0, left]]) {
      const at = amMod100(percent + shift);
      const flexion = amInterp(at, g.percent, g.hip_flexion), knee = amInterp(at, g.percent, g.knee_flexion);
      const adduction = amInterp(at, g.percent, g.hip_adduction) + v.extra_drop_deg * support;
      hips[side] = { abduction: -adduction, flexion: Math.min(Math.max(flexion, lo), hi), rotation: 0.0 };
      knees[side] = Math.max(knee, 0.0);
      active[side] = gmedOn.some(([a, b]) => a <= at && at <= b);
    }
    return { percent: amMod100(percent), pelvic_obliquity_deg: obliquity, trunk_lean_deg: v.lean_deg * (right - left), hips, knees, gmed_active: active };
  };

  // gait_presentation.bone_matrices and trunk_axis of a frame: the bones (column-major), the
  // legs' poses, the pelvis and the trunk's axis [base, top] (trunkMm long from the sacral base)
  api.gaitMatrices = (frame, trunkMm) => {
    const sacralBase = data.sacral_base_centre;
    const a = -frame.pelvic_obliquity_deg * AM_D2R, c = Math.cos(a), s = Math.sin(a);
    const w = smRotationAbout([1, 0, 0, 0, c, -s, 0, s, c], [0, 0, 0]);
    const legs = {};
    for (const side of Object.keys(frame.hips)) legs[side] = { ...frame.hips[side], knee_flexion: frame.knees[side] };
    const base = smApply(w, sacralBase);
    const lean = frame.trunk_lean_deg * AM_D2R;
    const top = [base[0], base[1] + trunkMm * Math.cos(lean), base[2] + trunkMm * Math.sin(lean)];
    const { bones } = placed(w, legs);
    return { bones, legs, pelvis: smColumnMajor(w), trunk: [base, top] };
  };
  return api;
}
