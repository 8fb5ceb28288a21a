// sides.js: the scene data of both sides (HipView.scene_data: bones once, then per side the
// muscle, footprints, labels and muscle model) seen from the side that moves. The other
// side's hip bone, femur and neutral muscle form the "other_side" layer (its muscle also needs "muscle"); the moving femur
// follows the pose. The lower legs (tibia-fibula, patella) form the "lower_legs" layer: the
// moving side's follows its femur (knee straight), the other side's needs both layers on.
// PURE (no vtk, no DOM).

// a lower-leg bone id (Python's data.LEG_BONES)
const LEG = /^(tibia_fibula|patella)_/;

export function otherSide(side) {
  return side === "right" ? "left" : "right";
}

// per scene_data object: side -> the view of it (built once, so actors rebuild from the same arrays)
const SIDE_SCENES = new WeakMap();

// {side, meshes, muscle, footprints, labels, colors, layout} for sceneActors, lod and labels;
// null when sd is not a two-sided scene
export function sideScene(sd, side) {
  if (!sd || !sd.bones || !sd.sides || !sd.sides[side]) return null;
  let views = SIDE_SCENES.get(sd);
  if (!views) SIDE_SCENES.set(sd, (views = {}));
  if (views[side]) return views[side];
  const other = otherSide(side), mine = sd.sides[side], theirs = sd.sides[other].muscle;
  const meshes = sd.bones.map((b) => {
    const theirs = b.id.endsWith("_" + other), leg = LEG.test(b.id);
    const group = leg ? (theirs ? ["lower_legs", "other_side"] : "lower_legs") : (theirs ? "other_side" : "bones");
    return { ...b, group, moves: b.id === `femur_${side}` || (leg && !theirs) };
  });
  meshes.push({
    id: `muscle_${other}`, group: ["muscle", "other_side"], moves: false, points: theirs.neutral, tris: theirs.tris,
    part: theirs.part, lod: { points: theirs.neutral, tris: theirs.lod_tris }, color: theirs.color,
  });
  // the other structures (sd.sides[side].structures): the moving side's rigid ones are meshes
  // of their layer (the bursa and tract move with the femur, the nerve stays with the pelvis),
  // its fan muscles are posed per frame (``fans``); the other side's all stay at neutral
  const look = (t) => ({ points: t.points, tris: t.tris, color: t.color, opacity: t.opacity, layer: t.layer, lodTris: t.lod_tris });
  for (const t of mine.structures || []) {
    if (t.kind === "rigid") meshes.push({ ...look(t), id: `${t.id}_${side}`, group: t.layer, moves: t.moves });
  }
  for (const t of sd.sides[other].structures || []) {
    meshes.push({ ...look(t), id: `${t.id}_${other}`, group: [t.layer, "other_side"], moves: false });
  }
  const fans = (mine.structures || []).filter((t) => t.kind === "fan");
  views[side] = {
    side, meshes, muscle: mine.muscle, footprints: mine.footprints, labels: mine.labels,
    colors: sd.colors, layout: sd.layout, fans,
  };
  return views[side];
}
