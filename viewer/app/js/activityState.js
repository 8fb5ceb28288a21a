// activityState.js: what the Exercise and Walk modes show (the exercise, its fault, the working
// side, the gait variant, the phase of the repetition or cycle), PURE (no vtk, no DOM): merged
// and checked against contract.activity, one line per bad field; written to and read from the
// URL hash.

// the fields of setActivity/getActivity
export const ACTIVITY_KEYS = ["exercise", "fault", "side", "gait", "phase"];
// hash field -> activity field ("side" in the hash is the explore pose's side)
const ACTIVITY_HASH = { exercise: "exercise", fault: "fault", exercise_side: "side", gait: "gait", phase: "phase" };
export const ACTIVITY_HASH_KEYS = Object.keys(ACTIVITY_HASH);

// the activity as the page starts: the gallery's first exercise, right side, normal gait
export function defaultActivity(contract) {
  const c = contract.activity;
  return { exercise: c.exercises[0], fault: null, side: contract.sides[0], gait: c.gaits[0], phase: 0 };
}

// ``act`` with ``changes`` applied; throws one clear Error (naming the field, its value and
// what is allowed) and changes nothing. A new exercise drops a fault it does not have.
export function mergeActivity(contract, act, changes, what = "setActivity") {
  const c = contract.activity;
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
    throw new Error(`${what} must be an object like {${ACTIVITY_KEYS.join(", ")}}`);
  }
  const unknown = Object.keys(changes).filter((k) => !ACTIVITY_KEYS.includes(k));
  if (unknown.length) throw new Error(`${what} has no field ${unknown.join(", ")} (fields: ${ACTIVITY_KEYS.join(", ")})`);
  const out = { ...act };
  if ("exercise" in changes) {
    if (!c.exercises.includes(changes.exercise)) throw new Error(`unknown exercise ${JSON.stringify(changes.exercise)}; choose from ${c.exercises.join(", ")}`);
    if (changes.exercise !== act.exercise && !("fault" in changes)) out.fault = null;
    out.exercise = changes.exercise;
  }
  if ("fault" in changes && changes.fault !== null && changes.fault !== "") {
    const faults = c.faults[out.exercise] || [];
    if (!faults.includes(changes.fault)) throw new Error(`exercise ${out.exercise} has no fault ${JSON.stringify(changes.fault)}; its faults: ${faults.join(", ") || "none"}`);
    out.fault = changes.fault;
  } else if ("fault" in changes) out.fault = null;
  if ("side" in changes) {
    if (!contract.sides.includes(changes.side)) throw new Error(`side must be one of ${contract.sides.join(", ")}, not ${JSON.stringify(changes.side)}`);
    out.side = changes.side;
  }
  if ("gait" in changes) {
    if (!c.gaits.includes(changes.gait)) throw new Error(`unknown gait ${JSON.stringify(changes.gait)}; choose from ${c.gaits.join(", ")}`);
    out.gait = changes.gait;
  }
  if ("phase" in changes) {
    const v = changes.phase;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) throw new Error(`phase must be a number in 0..1 (of the repetition or cycle), not ${JSON.stringify(v)}`);
    out.phase = v;
  }
  return out;
}

export const sameActivity = (a, b) => !!a && !!b && ACTIVITY_KEYS.every((k) => a[k] === b[k]);

// hash fields of an activity in a mode (appended to the pose's hash in exercise or walk mode)
export function activityHashFields(mode, a) {
  const q = [["mode", mode]];
  if (mode === "exercise") {
    q.push(["exercise", a.exercise], ["exercise_side", a.side]);
    if (a.fault) q.push(["fault", a.fault]);
  } else q.push(["gait", a.gait]);
  q.push(["phase", String(Math.round(a.phase * 1000) / 1000)]);
  return q;
}

export const isActivityHashKey = (key) => Object.hasOwn(ACTIVITY_HASH, key);

// one hash field into found.activity; a phase that is not a number throws one clear Error
// (names and ranges are checked by mergeActivity)
export function readActivityHashField(found, key, value) {
  found.activity = found.activity || {};
  const k = ACTIVITY_HASH[key];
  if (k !== "phase") { found.activity[k] = value; return; }
  const x = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(x)) throw new Error(`URL: phase=${value} is not a number (0..1 of the repetition or cycle)`);
  found.activity.phase = x;
}

// the phase ``steps`` steps (contract.activity.phase_step) on, wrapping round the repetition
export function stepPhase(contract, phase, steps) {
  const n = Math.round(1 / contract.activity.phase_step);
  const k = Math.round(phase * n) + steps;
  return (((k % n) + n) % n) / n;
}
