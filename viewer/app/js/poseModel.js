// poseModel.js: a pose written into the drawn buffers, PURE (no vtk, no DOM). The muscle
// model of the moving side (muscleModel.js, built from scene_data once per side) gives the
// femur matrix, the muscle surface, its fibre ribbons and the read-out; points and normals
// go into the drawn buffers (util.js vertexNormals).

// newPoseModel(): setScene(scene_data) and setTopology({muscleTris, ribbonTris}) on each
// scene, then write(pose, target). Targets are {muscle: {points, normals}, ribbon: {points,
// normals}} (Float32Array). A pose is {side, abduction, flexion, rotation} in degrees.
export function newPoseModel() {
  const model = { sceneData: null, models: {}, muscleTris: null, ribbonTris: null };
  const publicAPI = {};

  publicAPI.setScene = (sd) => {
    if (sd === model.sceneData) return;
    model.sceneData = sd;
    model.models = {};
  };
  publicAPI.setTopology = ({ muscleTris, ribbonTris }) => {
    model.muscleTris = muscleTris;
    model.ribbonTris = ribbonTris;
  };
  publicAPI.ready = () => !!(model.sceneData && model.muscleTris);

  // the muscle model of one side (muscleModel.js), built when first asked for
  publicAPI.muscleModel = (side) => {
    if (!model.models[side]) model.models[side] = newMuscleModel(model.sceneData.sides[side].model);
    return model.models[side];
  };

  // the model of another fan muscle of a side (structures of kind "fan"), built when first asked for
  publicAPI.fanModel = (side, id) => {
    const key = `${side}:${id}`;
    if (!model.models[key]) {
      const t = (model.sceneData.sides[side].structures || []).find((x) => x.id === id);
      if (!t || !t.model) throw new Error(`no muscle model for ${id} on the ${side} side`);
      model.models[key] = newMuscleModel(t.model);
    }
    return model.models[key];
  };

  // throws one clear Error for a pose outside the contract (muscleModel.checkPose)
  publicAPI.checkPose = (pose) => {
    if (!model.sceneData.sides[pose.side]) {
      throw new Error(`side must be one of ${Object.keys(model.sceneData.sides).join(", ")}, not ${JSON.stringify(pose.side)}`);
    }
    publicAPI.muscleModel(pose.side).checkPose(pose);
  };

  // the pose's muscle and ribbons written into target with their normals; returns the femur
  // matrix (Float32Array(16), column-major) and, unless ``withReadout`` is false
  // (benchmarks/pagejs.py), the read-out: six more muscles, for the moment arms
  publicAPI.write = (pose, target, withReadout = true) => {
    const m = publicAPI.muscleModel(pose.side);
    // the other fan muscles of the side (minimus, TFL, maximus), each by its own model
    for (const f of target.fans || []) {
      const fm = publicAPI.fanModel(pose.side, f.id);
      fm.surface(pose, f.work);
      f.points.set(f.work);
      vertexNormals(f.points, f.tris, f.normals);
    }
    const s = m.surface(pose);
    target.muscle.points.set(s.vertices);
    vertexNormals(target.muscle.points, model.muscleTris, target.muscle.normals);
    target.ribbon.points.set(m.ribbons(s.superficial));
    vertexNormals(target.ribbon.points, model.ribbonTris, target.ribbon.normals);
    return { matrix: Float32Array.from(m.femurMatrix(pose)), readout: withReadout ? m.readout(pose) : null };
  };

  // the read-out of a pose (lengths and moment arms, muscleModel.readout)
  publicAPI.readout = (pose) => publicAPI.muscleModel(pose.side).readout(pose);

  publicAPI.delete = () => { model.models = {}; model.sceneData = null; };
  return publicAPI;
}

// a pose with ``changes`` ({side?, abduction?, flexion?, rotation?}) applied; unknown keys
// and values that are not finite numbers throw one clear Error (the JS API's check)
export const POSE_KEYS = ["side", "abduction", "flexion", "rotation"];
export function mergePose(pose, changes, what = "pose") {
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
    throw new Error(`${what} must be an object like {side, abduction, flexion, rotation}`);
  }
  const unknown = Object.keys(changes).filter((k) => !POSE_KEYS.includes(k));
  if (unknown.length) throw new Error(`${what} has no field ${unknown.join(", ")} (fields: ${POSE_KEYS.join(", ")})`);
  const out = { ...pose };
  for (const k of POSE_KEYS) {
    if (!(k in changes)) continue;
    const v = changes[k];
    if (k === "side") out.side = v;
    else if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${k} must be a finite number of degrees, not ${JSON.stringify(v)}`);
    else out[k] = v;
  }
  return out;
}

// ``angle`` stepped ``steps`` key steps (contract.step_deg) for ``joint``, within its range
export function stepAngle(contract, joint, angle, steps) {
  const [lo, hi] = contract.pose_range[joint];
  return Math.max(lo, Math.min(hi, angle + steps * contract.step_deg));
}

export const samePose = (a, b) => !!a && !!b && POSE_KEYS.every((k) => a[k] === b[k]);
