"""The browser payloads: what the page relies on when it culls back faces and places labels."""

import numpy as np
import pytest
import trimesh

from viewer.anatomy import Pose
from viewer.app.payload import BrowserScene
from viewer.scene import HipScene


@pytest.fixture(scope="module")
def browser_scene(model):
    return BrowserScene(HipScene(model))


def mesh(points: bytes, tris: bytes) -> trimesh.Trimesh:
    return trimesh.Trimesh(
        np.frombuffer(points, "<f4").reshape(-1, 3), np.frombuffer(tris, "<u4").reshape(-1, 3), process=False
    )


def muscle_points(bs: BrowserScene, side: str, pose: Pose) -> np.ndarray:
    """The posed muscle the page draws (its JS twin is held to these numbers: test_twin.py)."""
    return bs.scene.muscles[side].surface(pose).vertices


def test_culled_meshes_are_wound_outward(browser_scene):
    """The page skips back faces of bones, muscles and footprints: each must be wound outward."""
    static = browser_scene.static["sides"]["right"]
    checked = 0
    other = browser_scene.static["sides"]["left"]["muscle"]
    neutral = {"id": "muscle_left", "points": other["neutral"], "tris": other["tris"]}
    neutral["lod"] = {"points": other["neutral"], "tris": other["lod_tris"]}
    for m in browser_scene.static["bones"] + [neutral] + static["footprints"]:
        for name, d in ((m["id"], m), (m["id"] + " (light)", m["lod"])):
            tm = mesh(d["points"], d["tris"])
            assert tm.is_winding_consistent, name
            assert tm.volume > 100.0, f"{name}: signed volume {tm.volume:.0f} mm^3 (inward?)"
            checked += 1
    tris = static["muscle"]["tris"]
    for angle in (-15.0, 0.0, 45.0):
        tm = mesh(muscle_points(browser_scene, "right", Pose(angle)).astype("<f4").tobytes(), tris)
        assert tm.is_watertight and tm.volume > 10_000.0, angle
    assert checked == 2 * (9 + 1 + 2)  # nine bones, the other muscle, two footprints


def test_light_footprints_follow_the_full_ones(browser_scene):
    for side in ("right", "left"):
        for f in browser_scene.static["sides"][side]["footprints"]:
            full, light = mesh(f["points"], f["tris"]), mesh(f["lod"]["points"], f["lod"]["tris"])
            assert len(light.faces) < 0.35 * len(full.faces)
            # the same tube: every light vertex lies on the full tube's surface (radius 1.8 mm)
            dist = np.abs(trimesh.proximity.signed_distance(full, light.vertices))
            assert dist.max() < 0.6, (side, f["id"], dist.max())
            assert np.linalg.norm(light.centroid - full.centroid) < 1.0


ALL_PARTS = {"gluteus_medius", "gmed_anterior", "gmed_middle", "gmed_posterior"}


@pytest.mark.parametrize(
    "view, seen",
    [("lateral", ALL_PARTS), ("oblique", ALL_PARTS), ("posterior", ALL_PARTS - {"gmed_anterior"})],
)
def test_muscle_labels_face_the_viewer_over_the_whole_abduction(browser_scene, view, seen):
    """A muscle label whose anchor turns away is drawn faded as if hidden: in the views that
    show the muscle, each anchor on the side facing the camera stays facing it at every
    abduction angle (from behind, the anterior fibres are on the far side)."""
    static = browser_scene.static["sides"]["right"]
    tris = np.frombuffer(static["muscle"]["tris"], "<u4").reshape(-1, 3)
    pos, _, _ = browser_scene.scene.camera(view, "right")
    labels = [lab for lab in static["labels"] if lab["attach"] == "muscle"]
    assert {lab["id"] for lab in labels} == ALL_PARTS
    worst = {}
    for angle in range(-15, 46, 5):
        pts = muscle_points(browser_scene, "right", Pose(float(angle)))
        normals = trimesh.Trimesh(pts, tris, process=False).vertex_normals
        for lab in labels:
            p, n = pts[lab["vertex"]], normals[lab["vertex"]]
            cos = float((pos - p) @ n / np.linalg.norm(pos - p))
            worst[lab["id"]] = min(worst.get(lab["id"], 1.0), cos)
    assert min(worst[k] for k in seen) > 0.2, worst


def test_one_payload_for_both_sides(browser_scene):
    """Every bone once; per side the muscle, footprints, labels and the muscle model the page
    poses: its height fields as float32 bytes, which hold the Python heights exactly."""
    sd = browser_scene.static
    assert [b["id"] for b in sd["bones"]] == [
        "sacrum", "hip_right", "hip_left", "femur_right", "femur_left",
        "tibia_fibula_right", "tibia_fibula_left", "patella_right", "patella_left",
    ]  # fmt: skip
    for side in ("right", "left"):
        model = sd["sides"][side]["model"]
        field = browser_scene.scene.muscles[side].pelvis_height
        heights = np.frombuffer(model["pelvis_height"]["heights"], "<f4")
        np.testing.assert_array_equal(heights.astype(float), field._flat)
    assert sd["layout"] == browser_scene.layout.as_dict()


def test_light_ribbons_join_every_other_sample(browser_scene):
    muscle = browser_scene.static["sides"]["right"]["muscle"]
    full = np.frombuffer(muscle["ribbon_tris"], "<u4").reshape(-1, 3)
    light = np.frombuffer(muscle["lod_ribbon_tris"], "<u4").reshape(-1, 3)
    nv = browser_scene.scene.muscles["right"].nv
    k = len(browser_scene.hip.fibre_rows("right"))
    assert len(full) == k * 2 * (nv - 1)
    assert len(light) == k * 2 * len(range(0, nv - 2, 2))
    assert set(np.unique(light)) <= set(np.unique(full))


def test_lower_legs_are_sent_once_like_the_other_bones(browser_scene):
    """The lower legs (the ``lower_legs`` layer): neutral meshes as float32 points and normals
    and uint32 triangles, with light versions, placed by the femur matrix in the page."""
    bones = {b["id"]: b for b in browser_scene.static["bones"]}
    model = browser_scene.scene.model
    sizes = {}
    for bone in ("tibia_fibula_right", "tibia_fibula_left", "patella_right", "patella_left"):
        b = bones[bone]
        points = np.frombuffer(b["points"], "<f4").reshape(-1, 3)
        np.testing.assert_allclose(points, model.bones[bone].vertices, atol=1e-4)
        np.testing.assert_array_equal(np.frombuffer(b["tris"], "<u4").reshape(-1, 3), model.bones[bone].faces)
        assert len(b["normals"]) == len(b["points"]) and b["color"] == bones["femur_right"]["color"]
        assert len(b["lod"]["tris"]) < 0.3 * len(b["tris"])
        sizes[bone] = sum(len(x) for x in (b["points"], b["normals"], b["tris"], *b["lod"].values()))
    # four meshes of ~0.6 MB as PLY: at most 0.75 MB sent (before base64)
    assert sum(sizes.values()) < 750_000, sizes
