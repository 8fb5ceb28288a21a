// arrows.js: force arrows in the 3D view (vtk.js), each a shaft and a cone built here and
// rebuilt per pose, with an HTML label (its value in body weights) kept beside it on screen.
// Also the stance picture's simple solids: a rod (the trunk line) and a ball (a marker).

const AR_SIDES = 16;

// an orthonormal pair perpendicular to the unit vector d
function arPerp(d) {
  const a = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  let u = [d[1] * a[2] - d[2] * a[1], d[2] * a[0] - d[0] * a[2], d[0] * a[1] - d[1] * a[0]];
  const l = Math.hypot(...u);
  u = u.map((x) => x / l);
  const v = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
  return [u, v];
}

// points and triangles of an arrow from ``tail`` to ``tip`` (mm): a shaft of radius r and a
// cone of radius 2.4 r and length min(6 r, half the arrow); a rod (no cone) with head=false
export function arrowMesh(tail, tip, r, head = true) {
  const d0 = [tip[0] - tail[0], tip[1] - tail[1], tip[2] - tail[2]];
  const len = Math.hypot(...d0) || 1e-9;
  const d = d0.map((x) => x / len);
  const [u, v] = arPerp(d);
  const cone = head ? Math.min(6 * r, 0.5 * len) : 0;
  const rings = [[0, r], [len - cone, r]];
  if (head) rings.push([len - cone, 2.4 * r]);
  const n = AR_SIDES, pts = [];
  for (const [t, rad] of rings) {
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / n, c = Math.cos(a) * rad, s = Math.sin(a) * rad;
      for (let q = 0; q < 3; q++) pts.push(tail[q] + t * d[q] + c * u[q] + s * v[q]);
    }
  }
  const tipIndex = pts.length / 3;
  pts.push(...(head ? tip : [tail[0] + len * d[0], tail[1] + len * d[1], tail[2] + len * d[2]]));
  const baseIndex = pts.length / 3;
  pts.push(...tail);
  const tris = [];
  for (let k = 0; k < n; k++) {
    const k1 = (k + 1) % n;
    tris.push(k, k1, n + k1, k, n + k1, n + k);  // the shaft
    tris.push(baseIndex, k1, k);  // its base
    const last = (rings.length - 1) * n;
    tris.push(last + k, last + k1, tipIndex);  // the cone, or the rod's end
    if (head) tris.push(n + k, n + k1, 2 * n + k1, n + k, 2 * n + k1, 2 * n + k);  // the cone's base
  }
  return { points: Float32Array.from(pts), tris: Uint32Array.from(tris) };
}

// points and triangles of a ball of radius r at c (mm)
export function ballMesh(c, r, rings = 10, segments = 16) {
  const pts = [], tris = [];
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j < segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      pts.push(c[0] + r * Math.sin(th) * Math.cos(ph), c[1] + r * Math.cos(th), c[2] + r * Math.sin(th) * Math.sin(ph));
    }
  }
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * segments + j, b = i * segments + ((j + 1) % segments);
      tris.push(a, b + segments, b, a, a + segments, b + segments);
    }
  }
  return { points: Float32Array.from(pts), tris: Uint32Array.from(tris) };
}

// a mesh actor whose geometry is replaced by set(mesh): {actor, set(mesh), delete()}
export function newSolid(vtk, renderer, color) {
  const e = newMeshActor(vtk, renderer, new Float32Array(3), new Uint32Array(0), color, new Float32Array(3));
  e.actor.getProperty().setBackfaceCulling(false);
  e.actor.getProperty().setSpecular(0.3);
  return {
    actor: e.actor,
    set: (mesh) => {
      e.pd.getPoints().setData(mesh.points, 3);
      e.pd.getPolys().setData(cells(mesh.tris));
      e.pd.getPointData().setNormals(vtk.Common.Core.vtkDataArray.newInstance({
        name: "Normals", numberOfComponents: 3, values: vertexNormals(mesh.points, mesh.tris, new Float32Array(mesh.points.length)),
      }));
      e.pd.modified();
    },
    setColor: (c) => e.actor.getProperty().setColor(...hex(c)),
    delete: () => renderer.removeActor(e.actor),
  };
}

// newArrows({vtk, renderer, layer}): set(list) draws [{id, tail, tip, color, text}] (mm) and
// labels them in ``layer``; place(project, w, h) moves the labels beside their arrows
export function newArrows({ vtk, renderer, layer }) {
  const model = { items: {}, radius: 7 };
  const publicAPI = {};

  publicAPI.setRadius = (r) => { model.radius = r; };

  publicAPI.set = (list) => {
    const seen = new Set();
    for (const a of list) {
      seen.add(a.id);
      let it = model.items[a.id];
      if (!it) {
        const div = document.createElement("div");
        div.className = "gmed-arrow-label";
        div.dataset.force = a.id;
        layer.appendChild(div);
        it = model.items[a.id] = { solid: newSolid(vtk, renderer, a.color), div, text: "" };
      }
      it.solid.set(arrowMesh(a.tail, a.tip, model.radius));
      it.solid.setColor(a.color);
      it.solid.actor.setVisibility(true);
      it.tail = a.tail; it.tip = a.tip; it.anchor = a.anchor || "tail";
      if (it.text !== a.text) { it.div.textContent = it.text = a.text; it.size = null; }
      it.div.style.borderColor = a.color;
      it.div.hidden = false;
    }
    for (const [id, it] of Object.entries(model.items)) {
      if (!seen.has(id)) { it.solid.actor.setVisibility(false); it.div.hidden = true; }
    }
  };

  publicAPI.hide = () => {
    for (const it of Object.values(model.items)) { it.solid.actor.setVisibility(false); it.div.hidden = true; }
  };

  // each label beside its arrow's middle, to its right (to its left where that leaves the
  // view, or covers one of the ``avoid`` boxes {left, top, right, bottom}, the read-out and
  // the controls), then nudged down until no two labels overlap
  publicAPI.place = (project, w, h, avoid = []) => {
    const shown = Object.values(model.items).filter((it) => !it.div.hidden);
    if (!shown.length) return;
    const d = [0, 0, 0];
    for (const it of shown) {
      const m = [0, 1, 2].map((q) => 0.5 * (it.tail[q] + it.tip[q]));
      project(m[0], m[1], m[2], d);
      it.x = d[0] * w; it.y = (1 - d[1]) * h;
      if (!it.size || !it.size[0]) it.size = [it.div.offsetWidth, it.div.offsetHeight];
    }
    const boxes = shown.map((it) => {
      // to the right of the arrow (the read-out sits top left), unless that leaves the view
      const [bw, bh] = it.size, right = it.x + 14 + bw <= w - 4;
      let top = it.y - bh / 2;
      const hit = (left) => avoid.find((r) => left < r.right && left + bw > r.left && top < r.bottom && top + bh > r.top);
      let left = right ? it.x + 14 : it.x - 14 - bw;
      if (hit(left)) left = right ? it.x - 14 - bw : it.x + 14;
      for (let r = hit(left), n = 0; r && n < 4; r = hit(left), n++) top = r.bottom + 4;  // still covered: below the box
      return { it, bw, bh, left, top };
    }).sort((a, b) => a.top - b.top);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = boxes[j], b = boxes[i];
        const apart = a.left + a.bw + 4 < b.left || b.left + b.bw + 4 < a.left;
        if (!apart && b.top < a.top + a.bh + 4) b.top = a.top + a.bh + 4;
      }
    }
    for (const b of boxes) {
      const left = Math.max(4, Math.min(w - b.bw - 4, b.left)), top = Math.max(4, Math.min(h - b.bh - 4, b.top));
      b.it.div.style.transform = `translate(${left}px, ${top}px)`;
    }
  };

  publicAPI.invalidateSizes = () => { for (const it of Object.values(model.items)) it.size = null; };

  publicAPI.delete = () => {
    for (const it of Object.values(model.items)) { it.solid.delete(); it.div.remove(); }
    model.items = {};
  };
  return publicAPI;
}
