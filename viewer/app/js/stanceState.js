// stanceState.js: the Stance mode's inputs (side, strength, lean, body mass, cane), PURE (no
// vtk, no DOM): merged and checked against contract.stance (Python's StanceInput ranges), one
// line per bad field; written to and read from the URL hash; turned into the model's input.

// the fields of setStance/getStance, in the hash's order; "mode" is explore | stance
export const STANCE_KEYS = ["side", "strength", "lean", "body_mass", "cane", "cane_hand"];
// hash field -> stance field ("side" in the hash is the explore pose's side)
const STANCE_HASH = { stance_side: "side", strength: "strength", lean: "lean", body_mass: "body_mass", cane: "cane", cane_hand: "cane_hand" };
export const STANCE_HASH_KEYS = Object.keys(STANCE_HASH);
const HASH_OF = Object.fromEntries(Object.entries(STANCE_HASH).map(([h, k]) => [k, h]));

// the stance inputs as the page starts: contract.stance.defaults
export function defaultStance(contract) {
  return { ...contract.stance.defaults };
}

// ``stance`` with ``changes`` applied ({side?, strength?, lean?, body_mass?, cane?, cane_hand?});
// throws one clear Error (naming the field, its value and its range) and changes nothing
export function mergeStance(contract, stance, changes, what = "setStance") {
  const c = contract.stance;
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
    throw new Error(`${what} must be an object like {${STANCE_KEYS.join(", ")}}`);
  }
  const unknown = Object.keys(changes).filter((k) => !STANCE_KEYS.includes(k));
  if (unknown.length) throw new Error(`${what} has no field ${unknown.join(", ")} (fields: mode, ${STANCE_KEYS.join(", ")})`);
  const out = { ...stance };
  for (const k of STANCE_KEYS) {
    if (!(k in changes)) continue;
    const v = changes[k];
    if (k === "side") {
      if (!contract.sides.includes(v)) throw new Error(`side must be one of ${contract.sides.join(", ")}, not ${JSON.stringify(v)}`);
    } else if (k === "cane_hand") {
      if (!c.cane_hands.includes(v)) throw new Error(`cane_hand must be one of ${c.cane_hands.join(", ")}, not ${JSON.stringify(v)}`);
    } else {
      const [lo, hi] = c.ranges[k], unit = c.units[k];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${k} must be a finite number (${unit}) in ${lo}..${hi}, not ${JSON.stringify(v)}`);
      if (v < lo || v > hi) throw new Error(`${k} ${v} is outside ${lo}..${hi} ${unit}`);
    }
    out[k] = v;
  }
  return out;
}

// the model's input (viewer.mechanics.stance.StanceInput's fields) for stance inputs: a cane
// that is off pushes 0 % BW
export function stanceInput(s) {
  return {
    side: s.side, strength_pct: s.strength, lean_deg: s.lean, body_mass_kg: s.body_mass,
    cane_pct: s.cane_hand === "off" ? 0 : s.cane, cane_hand: s.cane_hand === "same" ? "same" : "opposite",
  };
}

export const sameStance = (a, b) => !!a && !!b && STANCE_KEYS.every((k) => a[k] === b[k]);
// the same mode and stance ({mode, ...stance}, HipView.stance)?
export const sameStanceState = (a, b) => !!a && !!b && a.mode === b.mode && sameStance(a, b);

// hash fields of a stance (appended to the pose's hash in stance mode)
export function stanceHashFields(s) {
  const q = [["mode", "stance"]];
  for (const k of STANCE_KEYS) q.push([HASH_OF[k], typeof s[k] === "number" ? String(Math.round(s[k] * 100) / 100) : s[k]]);
  return q;
}

// is ``key`` a field of the stance hash (mode included)?
export const isStanceHashKey = (key) => key === "mode" || Object.hasOwn(STANCE_HASH, key);

// one hash field into found ({mode, stance}); throws one clear Error on a malformed value
export function readStanceHashField(contract, found, key, value) {
  if (key === "mode") {
    if (!contract.stance.modes.includes(value)) throw new Error(`URL: mode=${value} is not one of ${contract.stance.modes.join(", ")}`);
    found.mode = value;
    return;
  }
  const k = STANCE_HASH[key];
  if (k === "side" || k === "cane_hand") { found.stance[k] = value; return; }
  const x = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(x)) throw new Error(`URL: ${key}=${value} is not a number (${contract.stance.units[k]})`);
  found.stance[k] = x;
}

// the stance value ``steps`` key steps (contract.stance.steps) away, within its range
export function stepStanceValue(contract, key, value, steps) {
  const [lo, hi] = contract.stance.ranges[key];
  return Math.max(lo, Math.min(hi, value + steps * contract.stance.steps[key]));
}
