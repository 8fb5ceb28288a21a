"""The view's blending order (viewer/app/js/blend.js) under node, with the real contract's peel.

Translucent actors are drawn in the opaque pass with plain blending, after everything opaque
and superficial over deep; vtk.js draws a renderer's view nodes in their creation order, so
blend.js sorts those nodes. Stand-ins for the vtk.js actors and nodes keep the test in node.
"""

from __future__ import annotations

import pytest
from nodejs import modules, require_node, run

from viewer import contract

HARNESS = """
const C = DATA.contract;
const made = [];
function actor(name, opacity, layer) {
  const a = { name, opacity, forced: null,
    getProperty: () => ({ getOpacity: () => a.opacity }),
    setForceOpaque: (v) => { a.forced = v; }, getForceOpaque: () => a.forced };
  if (layer !== undefined) setBlendDepth(a, peelDepth(C, layer));
  made.push(a);
  return a;
}
const camera = { name: "camera" };
// created in this order (vtk.js draws nodes in creation order)
const actors = [actor("maximus", 0.35, "maximus"), actor("femur", 1, "bones"),
  actor("medius", 0.5, ["muscle"]), actor("minimus", 1, "minimus"), actor("trunk", 0.3),
  actor("nerve", 1, "nerve")];
const kids = [camera, ...actors].map((r) => ({ getRenderable: () => r }));
const renderer = { getActors: () => actors };
const view = { getViewNodeFor: (r) => (r === renderer ? { getChildren: () => kids } : null) };
orderTranslucent(view, renderer);
const first = kids.map((k) => k.getRenderable().name);
actors[0].opacity = 1;  // the maximus made opaque: among the opaque again (their order is free)
orderTranslucent(view, renderer);
const layers = ["bones", "minimus", "muscle", "maximus"];
let nothingDrawn = "ok";
try { orderTranslucent({ getViewNodeFor: () => null }, renderer); } catch (e) { nothingDrawn = String(e); }
out({ first, then: kids.map((k) => k.getRenderable().name),
  forced: Object.fromEntries(made.map((a) => [a.name, a.forced])),
  depth: Object.fromEntries(layers.map((l) => [l, peelDepth(C, l)])), nothing_drawn: nothingDrawn });
"""


@pytest.fixture(scope="module")
def blended(tmp_path_factory):
    node = require_node()
    return run(
        node, tmp_path_factory.mktemp("blend"), modules("util.js", "blend.js") + HARNESS,
        contract=contract.as_json(),
    )  # fmt: skip


def test_peel_depth_follows_the_contract_superficial_highest(blended):
    d = blended["depth"]
    assert d["maximus"] > d["muscle"] > d["minimus"] > d["bones"] == 0


def test_translucent_actors_are_drawn_last_superficial_over_deep(blended):
    # the camera and the opaque actors keep their order; then the medius (deep), the maximus,
    # and the trunk (no depth set: 0, drawn first among the translucent, kept in place)
    assert blended["first"] == ["camera", "femur", "minimus", "nerve", "trunk", "medius", "maximus"]
    assert blended["forced"]["medius"] is True and blended["forced"]["femur"] is False


def test_an_actor_made_opaque_goes_back_among_the_opaque(blended):
    assert blended["then"] == ["camera", "femur", "minimus", "nerve", "maximus", "trunk", "medius"]
    assert blended["forced"]["maximus"] is False


def test_before_the_first_render_only_the_flags_are_set(blended):
    assert blended["nothing_drawn"] == "ok"
