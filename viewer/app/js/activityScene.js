// activityScene.js: the picture of an exercise or of walking (vtk.js), as
// viewer/exercise_presentation.py and viewer/gait_presentation.py draw it: every bone placed in
// the room by activityModel.js, both gluteus medius in their legs' poses (bodyActors.js) with
// their neighbours (minimus, maximus, TFL, bursa, nerve), the band of the band walk, a
// floor slab under the lowest bone of the whole movement, and in walking a trunk rod and each
// gluteus medius faded while it is off.

// newActivityScene({vtk, renderer, win, model, pose}); show(placed, {active, trunk}) draws one
// placement (activityModel.exerciseMatrices or gaitMatrices); setFloor(bounds) lays the floor
export function newActivityScene({ vtk, renderer, win, model: hip, pose }) {
  const model = { built: null, visible: false, trunk: null, floor: null, band: [], neighbours: [] };
  const body = newBodyActors({ vtk, renderer, win, model: hip, pose });
  const c = () => hip.scene_data.activity.look;
  const publicAPI = {};

  function build() {
    if (model.built === hip.scene_data) return;
    publicAPI.clear();
    model.built = hip.scene_data;
    body.build();
    model.floor = newSolid(vtk, renderer, c().floor_colour);
    model.floor.actor.getProperty().setAmbient(0.5);
    model.trunk = newSolid(vtk, renderer, c().trunk_colour);
    model.trunk.actor.getProperty().setOpacity(c().trunk_opacity);
    setBlendDepth(model.trunk.actor, hip.contract.peel.length + 1);  // outside every muscle
    buildNeighbours();
    publicAPI.applyPalette();
    publicAPI.setVisible(model.visible);
  }

  const solids = () => [model.floor, model.trunk, ...model.band, ...model.neighbours].filter(Boolean).map((s) => s.actor);
  publicAPI.actors = () => [...body.actors(), ...solids()];

  // the gluteus medius' neighbours of both sides (look.neighbours, exercise_presentation.NEIGHBOURS):
  // fan muscles posed by their muscle models, the bursa moved by the femur, the nerve by the pelvis
  function buildNeighbours() {
    for (const side of hip.contract.sides) {
      for (const t of hip.scene_data.sides[side].structures || []) {
        if (!c().neighbours.includes(t.id)) continue;
        const pts = F32(t.points), tris = U32(t.tris), normals = new Float32Array(pts.length);
        if (t.kind !== "fan") vertexNormals(pts, tris, normals);
        const e = newMeshActor(vtk, renderer, t.kind === "fan" ? new Float32Array(pts.length) : pts, tris, t.color, normals);
        e.actor.getProperty().setOpacity(t.opacity);
        setBlendDepth(e.actor, peelDepth(hip.contract, t.layer));
        e.actor.getProperty().setSpecular(0.3);
        model.neighbours.push({ ...e, side, id: t.id, fan: t.kind === "fan", moves: t.moves, tris, work: new Float64Array(pts.length) });
      }
    }
  }
  function showNeighbours(placed) {
    for (const n of model.neighbours) {
      const leg = placed.legs[n.side];
      if (n.fan) {
        pose.fanModel(n.side, n.id).surface({ side: n.side, abduction: leg.abduction, flexion: leg.flexion, rotation: leg.rotation }, n.work);
        const pts = n.pd.getPoints().getData();
        pts.set(n.work);
        vertexNormals(pts, n.tris, n.pd.getPointData().getNormals().getData());
        n.pd.getPoints().modified();
        n.pd.getPointData().getNormals().modified();
        n.pd.modified();
      }
      n.actor.setUserMatrix(Float32Array.from(n.moves ? placed.bones[`femur_${n.side}`] : placed.pelvis));
    }
  }

  publicAPI.setVisible = (on) => {
    model.visible = on;
    if (!model.built) return;
    body.attach();
    for (const a of solids()) if (!renderer.hasViewProp(a)) renderer.addActor(a);
    for (const a of publicAPI.actors()) a.setVisibility(on);
    if (on && !model.showTrunk) model.trunk.actor.setVisibility(false);
    for (const n of model.neighbours) n.actor.setVisibility(on && !!model.showNeighbours);
    model.band.forEach((b, k) => b.actor.setVisibility(on && k < model.strands));
  };

  publicAPI.applyPalette = () => {
    body.applyPalette();
    if (model.floor) model.floor.setColor(hip.classroom ? c().floor_classroom : c().floor_colour);
  };

  // one placement: bones by their matrices, each side's gluteus medius in its leg's pose
  // (opaque, or contract.activity.resting_opacity while ``active[side]`` is false), the
  // trunk rod from trunk[0] to trunk[1] (walking)
  publicAPI.show = (placed, { active = null, trunk = null } = {}) => {
    build();
    body.placeBones((id) => placed.bones[id]);
    for (const side of hip.contract.sides) {
      const leg = placed.legs[side];
      body.poseMuscle(side, { side, abduction: leg.abduction, flexion: leg.flexion, rotation: leg.rotation }, placed.pelvis);
      const on = !active || active[side];
      body.muscles()[side].actor.getProperty().setOpacity(on ? 1.0 : c().resting_opacity);
    }
    model.showNeighbours = !trunk;  // walking shows the medius' timing alone, its neighbours hidden
    if (model.showNeighbours) showNeighbours(placed);
    model.showTrunk = !!trunk;
    band(placed.band || [], placed.bandLook);
    if (trunk) model.trunk.set(arrowMesh(trunk[0], trunk[1], c().trunk_radius_mm, false));
    publicAPI.setVisible(true);
  };

  // the band's strands as rods (bandLook: {radius_mm, colour}), made when first needed
  function band(strands, look) {
    model.strands = strands.length;
    strands.forEach(([a, b], k) => {
      if (!model.band[k]) model.band[k] = newSolid(vtk, renderer, look.colour);
      model.band[k].setColor(look.colour);
      model.band[k].set(arrowMesh(a, b, look.radius_mm, false));
    });
  }

  // the bones alone placed (framing a movement needs their bounds, not the muscles)
  publicAPI.placeBones = (placed) => { build(); body.placeBones((id) => placed.bones[id]); };

  // world bounds of the bones now on show: [xmin, xmax, ymin, ymax, zmin, zmax]
  publicAPI.boneBounds = () => body.bounds();

  // the floor slab (contract.activity.floor_thickness_mm) under ``b`` (the bones' bounds over
  // the whole movement), reaching floor_margin_mm beyond them front to back and side to side;
  // returns the bounds with the floor
  publicAPI.setFloor = (b) => {
    build();
    const m = c().floor_margin_mm, t = c().floor_thickness_mm;
    model.floor.set(boxMesh([b[0] - m, b[2] - t, b[4] - m], [b[1] + m, b[2], b[5] + m]));
    return [b[0] - m, b[1] + m, b[2] - t, b[3], b[4] - m, b[5] + m];
  };

  publicAPI.setLight = (on) => body.setLight(on);
  publicAPI.isLight = () => body.isLight();

  publicAPI.clear = () => {
    for (const a of solids()) renderer.removeActor(a);
    body.clear();
    model.floor = model.trunk = null;
    model.band = [];
    model.neighbours = [];
    model.built = null;
  };
  publicAPI.delete = publicAPI.clear;
  return publicAPI;
}
