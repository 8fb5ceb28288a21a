// momentPlot.js: the moment-arm plot beside the view (a Bokeh figure, viewer/app/momentplot.py),
// filled here, in the page: each part's moment arm (muscleModel.js readout, -dL/dθ, positive
// abducts, flexes or rotates internally) over the range of the joint last moved, the other
// joints held at the pose, and a dot per part at the pose. The curve is computed again only
// when the side, the joint plotted, a held angle or the shape (scene_data) changes; the dots
// follow every pose from the frame's own read-out. Nothing goes to the server (sync: false; the sources are not
// syncable either). Without the figure in the page's Bokeh document it does nothing.

const MP_JOINTS = ["abduction", "flexion", "rotation"];

// newMomentPlot({view, model, pose}): view is the component's Bokeh view (its document holds
// the figure), model the HipView (plot: momentplot.plot_spec, contract, classroom), pose the
// poseModel (muscleModel of a side). update(current) after each frame, applyTheme() on a
// classroom change
export function newMomentPlot({ view, model: hip, pose }) {
  const spec = hip.plot;
  const doc = view && view.model ? view.model.document : null;
  const find = (name) => (doc && spec && spec.names ? doc.get_model_by_name(spec.names[name]) : null);
  const fig = find("figure"), curves = find("curves"), markers = find("markers"), now = find("now"), held = find("held");
  const model = { joint: "abduction", key: null, last: null, raf: null, timer: null, current: null, theme: null, seen: null };
  const publicAPI = { enabled: !!(fig && curves && markers) };
  const quiet = { sync: false };
  const set = (m, attrs) => { if (m) m.setv(attrs, quiet); };

  // the figure's models of a kind (axes, grids, legends, line renderers)
  const under = (side) => (fig ? fig[side] || [] : []);
  const kind = (m, name) => m && m.type === name;
  const axes = (...sides) => sides.flatMap(under).filter((m) => /Axis$/.test(m.type));
  const renderersOf = () => (fig ? fig.renderers : []);

  publicAPI.applyTheme = () => {
    if (!publicAPI.enabled) return;
    const th = spec.themes[hip.classroom ? "classroom" : "light"], px = (v) => `${v}px`;
    model.theme = th;
    set(fig, {
      width: th.width, height: th.height,
      background_fill_color: th.background, border_fill_color: th.background, outline_line_color: th.grid,
    });
    set(fig.title, { text_color: th.text, text_font_size: px(th.font_px.title) });
    set(held, { text_color: th.text, text_font_size: px(Math.round(th.font_px.legend * 0.9)) });
    for (const a of axes("left", "below")) {
      set(a, {
        axis_label_text_color: th.text, axis_label_text_font_size: px(th.font_px.axis_label),
        major_label_text_color: th.text, major_label_text_font_size: px(th.font_px.tick),
        axis_line_color: th.text, major_tick_line_color: th.text, minor_tick_line_color: th.text,
      });
    }
    for (const c of [...under("center"), ...under("below")]) {
      if (kind(c, "Grid")) set(c, { grid_line_color: th.grid });
      if (kind(c, "Legend")) {
        set(c, {
          label_text_color: th.text, label_text_font_size: px(th.font_px.legend), background_fill_color: th.background,
          border_line_color: th.grid, glyph_width: Math.round(th.font_px.legend * 1.6), label_height: th.font_px.legend,
        });
      }
      if (kind(c, "Span")) set(c, { line_color: th.text, line_width: Math.max(1, th.line_width / 2) });
    }
    for (const r of renderersOf()) {
      const name = r.name || "";
      if (name.startsWith(spec.names.curves + "-")) {
        const s = name.slice(spec.names.curves.length + 1);
        set(r.glyph, { line_color: th.colours[s], line_width: th.line_width });
      } else if (name.startsWith(spec.names.markers)) {
        set(r.glyph, { size: th.marker_size, line_color: th.text, line_width: Math.max(1, th.line_width / 2) });
      }
    }
    if (model.current) showMarkers(model.current);
  };

  // the joint plotted: the one the last pose change moved (the plotted one if it moved too)
  function pickJoint(cur) {
    const last = model.last;
    if (last && last.side === cur.side) {
      const moved = MP_JOINTS.filter((j) => cur[j] !== last[j]);
      if (moved.length && !moved.includes(model.joint)) model.joint = moved[0];
    }
    model.last = { side: cur.side, abduction: cur.abduction, flexion: cur.flexion, rotation: cur.rotation };
  }

  // the curve of ``joint`` at the held angles of ``cur``: angles every step_deg over its range
  function sweep(cur, joint) {
    const m = pose.muscleModel(cur.side);
    const [lo, hi] = hip.contract.pose_range[joint];
    const data = { angle: [] };
    for (const s of spec.series) data[s] = [];
    for (let a = lo; ; a = Math.min(hi, a + spec.step_deg)) {
      const arms = m.readout({ abduction: cur.abduction, flexion: cur.flexion, rotation: cur.rotation, [joint]: a }).by_part.moment_arm_mm[joint];
      data.angle.push(a);
      for (const s of spec.series) data[s].push(arms[s]);
      if (a >= hi) break;
    }
    return data;
  }

  function showCurve(cur) {
    const joint = model.joint;
    const others = MP_JOINTS.filter((j) => j !== joint);
    const key = [cur.side, joint, ...others.map((j) => cur[j])].join("|");
    if (key === model.key && model.scene === hip.scene_data) return;  // a new shape: new curves
    model.key = key;
    model.scene = hip.scene_data;
    const t = spec.texts, [lo, hi] = hip.contract.pose_range[joint];
    const data = sweep(cur, joint);
    set(curves, { data });
    set(fig.x_range, { start: lo, end: hi });
    // the y axis: the curves' span, a tenth more each way
    const all = spec.series.flatMap((s) => data[s]);
    const y0 = Math.min(...all), y1 = Math.max(...all), pad = Math.max(1, 0.1 * (y1 - y0));
    set(fig.y_range, { start: Math.floor(y0 - pad), end: Math.ceil(y1 + pad) });
    for (const a of axes("below")) set(a, { axis_label: t.x_label.replace("{joint}", t.joints[joint]) });
    for (const a of axes("left")) set(a, { axis_label: t.y_label.replace("{action}", t.actions[joint]) });
    const heldText = others.map((j) => `${t.joints[j].toLowerCase()} ${cur[j]}\u00b0`).join(", ");
    set(held, { text: t.held.replace("{side}", cur.side[0].toUpperCase() + cur.side.slice(1)).replace("{held}", heldText) });
  }

  function showMarkers(cur) {
    const by = cur.readout && cur.readout.by_part && cur.readout.by_part.moment_arm_mm[model.joint];
    if (!by) return;
    const th = model.theme || spec.themes.light, x = cur[model.joint];
    set(markers, {
      data: { angle: spec.series.map(() => x), value: spec.series.map((s) => by[s]), colour: spec.series.map((s) => th.colours[s]) },
    });
    set(now, { location: x });
  }

  // after a frame: the dots (and the curve when needed) once the next frame has begun
  publicAPI.update = (cur) => {
    if (!publicAPI.enabled || !cur.readout || cur.side === undefined || cur.readout === model.seen) return;
    model.seen = cur.readout;  // a new pose (the loop also draws for the camera and the labels)
    pickJoint(cur);
    model.current = { ...cur };
    if (model.raf !== null || model.timer !== null) return;
    // after the next frame has started: the 3D view first, the plot's repaint after it
    model.raf = requestAnimationFrame(() => {
      model.raf = null;
      model.timer = setTimeout(() => {
        model.timer = null;
        const c = model.current;
        showCurve(c);
        showMarkers(c);
      }, 0);
    });
  };

  publicAPI.delete = () => {
    if (model.raf !== null) cancelAnimationFrame(model.raf);
    clearTimeout(model.timer);
    model.raf = model.timer = null;
  };
  if (publicAPI.enabled) publicAPI.applyTheme();
  return publicAPI;
}
