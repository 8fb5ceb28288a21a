// stanceScene.js: the Stance mode's picture (vtk.js): every bone moved by its world matrix
// from the stance model (stanceModel.js) and both muscles posed (bodyActors.js), a floor
// under the stance foot, a trunk line with the centre-of-mass marker, and the force arrows
// (arrows.js). Light bones at a lower resolution while it moves (as lod.js does for Explore).

// the world matrix (key of StanceResult.transforms) that moves a bone
export function stanceBoneKey(id) {
  return id.startsWith("hip_") || id === "sacrum" ? "pelvis" : id;
}

// newStanceScene({vtk, renderer, win, model, arrowLayer, pose}): pose is the poseModel (its
// muscle models); show(result, stance) draws a StanceResult; setVisible(on); setLight(on)
export function newStanceScene({ vtk, renderer, win, model: hip, arrowLayer, pose }) {
  const model = { built: null, visible: false, floorY: null };
  // the arrows are drawn over the body (a renderer of its own on layer 1, sharing the camera,
  // its depth cleared): a force diagram's arrows start inside the muscle and the bones
  const rw = win.getRenderWindow();
  const overlay = vtk.Rendering.Core.vtkRenderer.newInstance({ layer: 1, preserveColorBuffer: true, interactive: false });
  overlay.setActiveCamera(renderer.getActiveCamera());
  overlay.setTwoSidedLighting(true);
  rw.setNumberOfLayers(Math.max(2, rw.getNumberOfLayers()));
  rw.addRenderer(overlay);
  const arrows = newArrows({ vtk, renderer: overlay, layer: arrowLayer });
  const body = newBodyActors({ vtk, renderer, win, model: hip, pose });
  const publicAPI = { arrows };

  function build() {
    const sd = hip.scene_data;
    if (model.built === sd) return;
    publicAPI.clear();
    model.built = sd;
    body.build();
    const pal = hip.contract.themes;
    model.floor = newSolid(vtk, renderer, pal.light.floor || "#9aa3ad");
    model.floor.actor.getProperty().setAmbient(0.5);  // its top is lit edge-on from behind
    model.foot = newSolid(vtk, renderer, "#59606a");
    model.trunk = newSolid(vtk, renderer, "#4a4a4a");
    model.com = newSolid(vtk, renderer, "#111111");
    publicAPI.applyPalette();
    publicAPI.setVisible(model.visible);
  }

  const solids = () => [model.floor, model.foot, model.trunk, model.com].filter(Boolean).map((s) => s.actor);
  publicAPI.actors = () => [...body.actors(), ...solids()];

  publicAPI.setVisible = (on) => {
    model.visible = on;
    if (!model.built) return;
    for (const a of publicAPI.actors()) if (!renderer.hasViewProp(a)) renderer.addActor(a);
    for (const a of publicAPI.actors()) a.setVisibility(on);
    for (const b of body.bones()) b.actor.setVisibility(on && b.present);
    if (!on) arrows.hide();
  };

  // the classroom palette (muscle colours, floor) or the normal one
  publicAPI.applyPalette = () => {
    body.applyPalette();
    const s = hip.texts.stance.colors;
    if (model.floor) {
      model.floor.setColor(hip.classroom ? s.floor_classroom : s.floor);
      model.trunk.setColor(hip.classroom ? s.trunk_classroom : s.trunk);
      model.com.setColor(hip.classroom ? s.trunk_classroom : s.trunk);
    }
    arrows.setRadius(hip.classroom ? 9 : 7);
  };

  // light bones at LOD_SCALE of the resolution while it moves; full detail, supersampled, at rest
  publicAPI.setLight = (on) => body.setLight(on);
  publicAPI.isLight = () => body.isLight();

  // a StanceResult (stanceModel.js solve) drawn: bones, muscles, floor, trunk, arrows
  publicAPI.show = (res, stance) => {
    build();
    const T = res.transforms;
    body.placeBones((id) => T[stanceBoneKey(id)]);
    let insertion = null;
    for (const side of hip.contract.sides) {
      // the stance hip's frontal pose ({frontal: true}) reaches its own range (-20 degrees)
      const s = body.poseMuscle(side, side === stance.side ? res.stance_pose : res.swing_pose, T.pelvis);
      const mm = pose.muscleModel(side);
      if (side === stance.side) insertion = insertionOf(s.deep, mm.nu, mm.nv, T.pelvis);
    }
    const fy = res.floor_y, a = res.stance_ankle;
    model.floor.set(boxMesh([a[0] - 260, fy - 8, a[2] - 260], [a[0] + 260, fy, a[2] + 260]));
    model.foot.set(boxMesh([a[0] - 60, fy, a[2] - 45], [a[0] + 150, fy + 14, a[2] + 45]));
    const [base, top] = res.trunk;
    model.trunk.set(arrowMesh(base, top, hip.classroom ? 7 : 5, false));
    model.com.set(ballMesh(res.com_above, hip.classroom ? 22 : 16));
    arrows.set(forceArrows(res, hip, insertion));
    publicAPI.setVisible(true);
  };

  publicAPI.invalidateSizes = () => arrows.invalidateSizes();

  // world bounds of the drawn body (bones, trunk, floor and foot): [xmin, xmax, ymin, ymax, zmin, zmax]
  publicAPI.bounds = () => body.bounds(solids());

  publicAPI.clear = () => {
    for (const a of solids()) renderer.removeActor(a);
    body.clear();
    model.floor = model.foot = model.trunk = model.com = null;
    model.built = null;
    arrows.hide();
  };
  publicAPI.delete = () => { publicAPI.clear(); arrows.delete(); rw.removeRenderer(overlay); overlay.delete(); };
  return publicAPI;
}

// an axis-aligned box from corner lo to corner hi (mm): four corners of its own per face, so
// that each face is shaded flat (shared corners average the normals and darken the floor)
export function boxMesh(lo, hi) {
  const corner = (k) => [k & 1 ? hi[0] : lo[0], k & 2 ? hi[1] : lo[1], k & 4 ? hi[2] : lo[2]];
  const quads = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]];
  const p = [], tris = [];
  quads.forEach((q, f) => {
    for (const k of q) p.push(...corner(k));
    tris.push(4 * f, 4 * f + 1, 4 * f + 2, 4 * f, 4 * f + 2, 4 * f + 3);
  });
  return { points: Float32Array.from(p), tris: Uint32Array.from(tris) };
}

// where the stance muscle's fibres end on the trochanter (the mean of the deep sheet's last
// samples, GluteusMedius.insertion_edge), in the world: the pelvis matrix (column-major) applied
export function insertionOf(deep, nu, nv, M) {
  const p = [0, 0, 0];
  for (let i = 0; i < nu; i++) for (let q = 0; q < 3; q++) p[q] += deep[3 * (i * nv + nv - 1) + q] / nu;
  return [0, 1, 2].map((r) => M[r] * p[0] + M[4 + r] * p[1] + M[8 + r] * p[2] + M[12 + r]);
}

// the arrows of a StanceResult's forces, scaled in body weights (contract.stance.arrow_mm_per_bw),
// each from its point along the force: the weight down from the centre of mass, the abductor's
// pull along its line, slid along it to end at the insertion (as the exported picture,
// stance_presentation.py; given ``insertion``), the hip contact from the centre of the femoral
// head into the socket (an arrow ending at the head would lie inside the femur); the cane, a
// push from below, ends at its tip on the floor
export function forceArrows(res, hip, insertion = null) {
  const c = hip.contract.stance, t = hip.texts.stance, bw = res.body_weight_n, mm = c.arrow_mm_per_bw;
  const out = [];
  for (const id of ["weight", "abductor", "hip_contact", "cane"]) {
    const f = res.forces[id];
    if (!f) continue;
    const n = Math.hypot(...f.vector);
    if (!(n > 0)) continue;
    const len = (n / bw) * mm, d = f.vector.map((x) => (x / n) * len);
    const push = id === "cane";
    let at = f.point;
    if (id === "abductor" && insertion) {
      const k = [0, 1, 2].reduce((acc, q) => acc + (insertion[q] - at[q]) * (f.vector[q] / n), 0);
      at = at.map((x, q) => x + k * (f.vector[q] / n) - d[q]);
    }
    const tail = push ? at.map((x, q) => x - d[q]) : at.slice();
    const tip = push ? at.slice() : at.map((x, q) => x + d[q]);
    const colors = hip.classroom ? t.colors.arrows_classroom : t.colors.arrows;
    out.push({ id, tail, tip, color: colors[id], text: `${t.forces[id]} ${(n / bw).toFixed(2)} BW` });
  }
  return out;
}
