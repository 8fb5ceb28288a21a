// blend.js: translucent actors drawn by plain alpha blending after the opaque ones, instead of
// vtk.js's order-independent pass. That pass renders into half-float targets the size of the
// canvas and composites them: in software WebGL it doubled the cost of a full-detail frame
// with the translucent gluteus maximus (benchmarks/browser.py). Our translucent structures
// are closed, back-face-culled layers, so one blended layer over what lies beneath is what
// the eye sees anyway, provided they are drawn last and deep before superficial.

// the depth at which an actor is blended among the translucent ones: higher is drawn later
// (more superficial); 0 when not set (vtk.js objects take no new properties: a WeakMap)
const BLEND_DEPTH = new WeakMap();
export function setBlendDepth(actor, depth) { BLEND_DEPTH.set(actor, depth); }

// before each render of ``renderer`` in the API view ``view``: each actor below opacity 1 is
// drawn in the opaque pass with the context's blending (forceOpaque), and the renderer's view
// nodes (vtk.js draws them in their creation order, whatever the renderer's order) are put in
// draw order: everything opaque first, then the translucent ones by their blend depth
export function orderTranslucent(view, renderer) {
  for (const a of renderer.getActors()) a.setForceOpaque(a.getProperty().getOpacity() < 1);
  const node = view.getViewNodeFor(renderer);
  if (!node) return;  // nothing drawn yet
  const key = (n) => {
    const a = n.getRenderable();
    return a && a.getForceOpaque && a.getForceOpaque() ? 1 + (BLEND_DEPTH.get(a) || 0) : 0;
  };
  node.getChildren().sort((x, y) => key(x) - key(y));  // stable: the rest keep their order
}
