"""LLP26 shape instances: the mode fields, the mean, re-seating, and no bone or muscle inside a bone."""

import itertools

import numpy as np
import pytest
from proximity import SurfaceDistance, inside

from viewer import data, landmarks, shape
from viewer.anatomy import SIDES, Pose
from viewer.muscles import Neighbourhood
from viewer.shape import Shape

INSTANCES = [(k, sd) for k in range(1, shape.MODES + 1) for sd in (-2.0, 2.0)]


@pytest.fixture(scope="module")
def instances(model):
    """HipModel of each mode at -2 and +2 SD (knee re-seated), built once."""
    return {(k, sd): model.with_shape(Shape.of({k: sd})) for k, sd in INSTANCES}


def test_variance_explained_and_sigma_as_published():
    modes = data.shape_modes()
    np.testing.assert_allclose(100 * modes["variance_explained"], [36.1, 18.8, 9.5, 7.5, 5.3], atol=0.06)
    assert modes["sigma"] == pytest.approx([246.154, 177.743, 126.226, 111.956, 94.503], abs=1e-3)
    prov = data.read_json(data.MESH_DIR / "provenance.json")["shape_modes"]
    assert prov["variance_explained_pct"] == [36.11, 18.83, 9.5, 7.47, 5.32]
    # the right-side model file of the package is the mirror image of ours, mode for mode
    assert max(prov["mirrored_model_check"]["femur_mode_max_mm"]) < 1e-3
    assert max(prov["mirrored_model_check"]["pelvis_mode_max_mm"]) < 1e-3


def test_fields_cover_every_vertex_and_mirror_for_the_right_side(model):
    for bone in data.ALL_BONES:
        f = shape.field(bone)
        assert f.shape == (shape.MODES, len(model.bones[bone].vertices), 3)
        assert np.isfinite(f).all()
    left, right = shape.field("femur_left"), shape.field("femur_right")
    # the mirrored femur moves like the left one mirrored: same lengths of displacement
    np.testing.assert_allclose(np.linalg.norm(left, axis=2), np.linalg.norm(right, axis=2), atol=1e-4)


def test_mean_instance_is_the_stored_meshes(model):
    fast = shape.instance(Shape())
    for bone in data.ALL_BONES:
        np.testing.assert_array_equal(fast.vertices[bone], model.bones[bone].vertices)
    # through the whole re-seating pipeline too (a weight too small to move anything)
    full = shape.instance(Shape.of({1: 1e-300}))
    for bone in data.ALL_BONES:
        err = np.abs(full.vertices[bone] - model.bones[bone].vertices).max()
        # the knee seating converges to 1e-3 mm of gap, which moves the legs by < 1e-4 mm
        assert err < (1e-4 if bone in data.LEG_BONES else 1e-9), (bone, err)
        lod = np.asarray(data.load_bone_mesh(bone, lod=True).vertices)
        assert np.abs(full.lod(bone) - lod).max() < 2e-4, bone


def test_shape_is_validated():
    assert Shape.parse("1=-2, 5=1.5").sd == (-2.0, 0.0, 0.0, 0.0, 1.5)
    assert str(Shape.parse("2=-1")) == "2=-1" and str(Shape()) == "mean"
    for bad, says in [
        ("6=1", "mode 6 is not one of 1..5"),
        ("1=3.5", "outside -3..3"),
        ("1=nan", "is not MODE=SD"),
        ("1=1,1=2", "given twice"),
        ("x", "is not MODE=SD"),
    ]:
        with pytest.raises(ValueError, match=says):
            Shape.parse(bad)
    with pytest.raises(ValueError, match="5 mode weights"):
        Shape((1.0, 2.0))


def test_instances_differ_from_the_mean(model, instances):
    femur = model.bones["femur_right"].vertices
    for key, m in instances.items():
        assert np.abs(m.bones["femur_right"].vertices - femur).max() > 1.0, key


@pytest.mark.parametrize("key", INSTANCES)
def test_head_reseated_in_the_acetabulum(model, instances, key):
    """Head centre on the hip joint centre; femur frame aligned; the joint space kept."""
    m = instances[key]
    defs, maps = data.landmark_definitions(), data.atlas_maps()
    for side in SIDES:
        hjc = landmarks.resolve(
            defs[f"hip_centre_{side}"], m.bones[f"hip_{side}"].vertices, maps[f"hip_{side}"]
        )
        np.testing.assert_allclose(hjc, m.hip_centre(side), atol=1e-9)
        head = m.landmark(f"femoral_head_centre_{side}")
        # the mean's own head sits 0.00 mm off (conformed head refit): allow what conformity moves
        assert np.linalg.norm(head - hjc) < 0.5, (key, side, np.linalg.norm(head - hjc))
        head_vertices = data.shape_modes()[f"linear_index_femur_{side}"]
        ball = np.linalg.norm(m.bones[f"femur_{side}"].vertices[head_vertices] - hjc, axis=1)
        socket = np.linalg.norm(m.bones[f"hip_{side}"].vertices - hjc, axis=1)
        assert ball.max() < 23.01 and ball.max() > 22.0, (key, side, ball.max())
        assert socket.min() > 24.49, (key, side, socket.min())
    # the pelvis is back in its ISB frame: ASIS midpoint at the origin, ASISs along Z
    mid = (m.landmark("asis_right") + m.landmark("asis_left")) / 2
    np.testing.assert_allclose(mid, 0.0, atol=1e-9)
    d = m.landmark("asis_right") - m.landmark("asis_left")
    assert abs(d[0]) < 1e-9 and abs(d[1]) < 1e-9


#: Pairs of bones that meet (a vertex of the first must not lie inside the second, and back).
#: The hip bones and the sacrum are left out: the atlas mean itself overlaps them at the
#: sacro-iliac joints (up to 1.3 mm on the right, deeper on the left), as the build keeps it.
PAIRS = [
    *((f"femur_{s}", f"hip_{s}") for s in SIDES),
    *((f"tibia_fibula_{s}", f"femur_{s}") for s in SIDES),
    *((f"patella_{s}", f"femur_{s}") for s in SIDES),
    *((f"patella_{s}", f"tibia_fibula_{s}") for s in SIDES),
]


def _near(points, other, margin=5.0):
    lo, hi = other.min(axis=0) - margin, other.max(axis=0) + margin
    return points[((points >= lo) & (points <= hi)).all(axis=1)]


def _inside_count(points, bone) -> tuple[int, float]:
    """Points inside a bone (generalised winding number) and the least signed distance.

    The signed distance (nearest triangles of the nearest vertices) can take the wrong sign
    for points several mm from the surface, e.g. a smaller femoral head in its socket, so
    every point it puts within 0.5 mm or inside is decided by the winding number."""
    pts = _near(points, bone.vertices)
    if not len(pts):
        return 0, np.inf
    d = SurfaceDistance(bone.vertices, bone.faces).signed_distance(pts)
    close = pts[d <= 0.5]
    return int(inside(close, bone.vertices, bone.faces).sum()) if len(close) else 0, float(d.min())


@pytest.mark.parametrize("key", [(0, 0.0), *INSTANCES])
def test_no_bone_vertex_inside_another_bone(model, instances, key):
    m = model if key == (0, 0.0) else instances[key]
    counts = {}
    for a, b in PAIRS:
        for p, q in ((a, b), (b, a)):
            counts[(p, q)] = _inside_count(m.bones[p].vertices, m.bones[q])
    assert len(counts) == 2 * len(PAIRS)
    bad = {k: v for k, v in counts.items() if v[0] > 0}
    assert not bad, (key, bad)


@pytest.mark.parametrize("key", INSTANCES)
def test_no_muscle_vertex_inside_bone_at_neutral(instances, key):
    m = instances[key]
    bad = {}
    for side in SIDES:
        surfaces = Neighbourhood(m, side).surfaces(Pose())
        for (name, s), b in itertools.product(surfaces.items(), [f"hip_{side}", "sacrum", f"femur_{side}"]):
            n, worst = _inside_count(s.vertices, m.bones[b])
            if n:
                bad[(side, name, b)] = (n, round(worst, 2))
    assert not bad, (key, bad)
