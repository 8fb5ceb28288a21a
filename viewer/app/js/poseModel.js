// poseModel.js: the pose data of the view, PURE (no vtk, no DOM): a frame is sliced into
// the femur matrix, the muscle points and the fibre ribbon points (contract frame layout,
// scene_data.layout), and sweep frames are blended with their normals, which are computed
// once per sweep frame. Uses util.js (vertexNormals).

// newPoseModel() -> setLayout({layout, muscleTris, ribbonTris}) on each scene, setSweep(floats)
// with each sweep; then slice / writeFrame / writeBlend. Targets written into are
// {muscle: {points, normals}, ribbon: {points, normals}} (the drawn buffers).
export function newPoseModel() {
  const model = { layout: null, muscleTris: null, ribbonTris: null, sweep: null, sweepNormals: [] };
  const publicAPI = {};

  publicAPI.setLayout = ({ layout, muscleTris, ribbonTris }) => {
    model.layout = layout;
    model.muscleTris = muscleTris;
    model.ribbonTris = ribbonTris;
    model.sweepNormals = [];
  };
  publicAPI.getLayout = () => model.layout;
  // float32 values in one frame
  publicAPI.frameFloats = () => model.layout.matrix + model.layout.muscle + model.layout.ribbon;

  // the blocks of the frame at ``offset`` floats: the matrix copied (it outlives the
  // buffer), the points as views
  publicAPI.slice = (all, offset = 0) => {
    const { matrix: m, muscle: nm, ribbon: nr } = model.layout;
    return {
      matrix: all.slice(offset, offset + m),
      muscle: all.subarray(offset + m, offset + m + nm),
      ribbon: all.subarray(offset + m + nm, offset + m + nm + nr),
    };
  };

  // one frame written into target's points, with its normals; returns the femur matrix
  publicAPI.writeFrame = (all, offset, target) => {
    const f = publicAPI.slice(all, offset);
    for (const [block, pts, tris] of [[target.muscle, f.muscle, model.muscleTris], [target.ribbon, f.ribbon, model.ribbonTris]]) {
      vertexNormals(pts, tris, block.normals);
      block.points.set(pts);
    }
    return f.matrix;
  };

  publicAPI.setSweep = (floats) => {
    model.sweep = floats;
    model.sweepNormals = [];
  };
  publicAPI.hasSweep = () => !!model.sweep;
  publicAPI.sweepFrames = () => (model.sweep ? model.sweep.length / publicAPI.frameFloats() : 0);

  // normals of sweep frame i, computed when first asked for: playback then only blends two
  // frames' points and normals (no normals recomputed per drawn frame)
  publicAPI.sweepFrameNormals = (i) => {
    if (!model.sweepNormals[i]) {
      const f = publicAPI.slice(model.sweep, i * publicAPI.frameFloats());
      model.sweepNormals[i] = {
        muscle: vertexNormals(f.muscle, model.muscleTris, new Float32Array(model.layout.muscle)),
        ribbon: vertexNormals(f.ribbon, model.ribbonTris, new Float32Array(model.layout.ribbon)),
      };
    }
    return model.sweepNormals[i];
  };

  // sweep frames i0 and i1 blended with weight w (0: i0, 1: i1), points and normals written
  // into target (normals are not renormalised: the shader does it); returns the matrix
  publicAPI.writeBlend = (i0, i1, w, target) => {
    const { layout, sweep } = model;
    const n = publicAPI.frameFloats(), a = i0 * n, b = i1 * n, v = 1 - w;
    const mat = new Float32Array(layout.matrix);
    for (let k = 0; k < layout.matrix; k++) mat[k] = sweep[a + k] * v + sweep[b + k] * w;
    const n0 = publicAPI.sweepFrameNormals(i0), n1 = publicAPI.sweepFrameNormals(i1);
    let off = layout.matrix;
    for (const [block, size, key] of [[target.muscle, layout.muscle, "muscle"], [target.ribbon, layout.ribbon, "ribbon"]]) {
      const pts = block.points, nrm = block.normals, na = n0[key], nb = n1[key];
      for (let k = 0; k < size; k++) {
        pts[k] = sweep[a + off + k] * v + sweep[b + off + k] * w;
        nrm[k] = na[k] * v + nb[k] * w;
      }
      off += size;
    }
    return mat;
  };

  publicAPI.delete = () => {
    model.sweep = null;
    model.sweepNormals = [];
  };
  return publicAPI;
}

// the sweep frames around ``angle`` and the weight of the second (angles evenly spaced)
export function sweepPosition(angles, angle) {
  const lo = angles[0];
  const f = (angle - lo) / (angles[1] - lo);
  const i0 = Math.max(0, Math.min(angles.length - 1, Math.floor(f)));
  const i1 = Math.min(angles.length - 1, i0 + 1);
  return { i0, i1, w: f - i0 };
}

// index of the sweep frame at ``angle``: the nearest one, else only an exact one (or -1)
export function sweepIndex(angles, angle, nearest = false) {
  const lo = angles[0], step = angles[1] - lo;
  let i = Math.round((angle - lo) / step);
  if (nearest) return Math.max(0, Math.min(angles.length - 1, i));
  if (i < 0 || i >= angles.length || Math.abs(angles[i] - angle) > 1e-6) return -1;
  return i;
}

// read-out (length, moment arm) between sweep frames i0 and i1
export function blendReadout(meta, i0, i1, w) {
  return {
    length: meta.length[i0] * (1 - w) + meta.length[i1] * w,
    moment_arm: meta.moment_arm[i0] * (1 - w) + meta.moment_arm[i1] * w,
  };
}

// abduction ``steps`` key steps (contract.step_deg) from ``angle``, within contract.pose_range
export function stepAbduction(contract, angle, steps) {
  const [lo, hi] = contract.pose_range.abduction;
  return Math.max(lo, Math.min(hi, angle + steps * contract.step_deg));
}
