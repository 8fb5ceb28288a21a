"""The start-up cache: exact round trip, keyed by the source files, safe against damage."""

import logging

import numpy as np
import pytest

from viewer import data
from viewer.anatomy import SIDES
from viewer.app import startup as st
from viewer.app.payload import shared_scene


def test_pack_round_trip():
    obj = {"a": [1, 2.5, "x", None, True], "b": {"c": b"\x00\x01\xff", "d": [b"", b"abc"]}, "e": "é"}
    assert st.unpack(st.pack(obj)) == obj


@pytest.mark.parametrize("damage", ["truncate", "magic", "json"])
def test_unpack_rejects_damage(damage):
    raw = st.pack({"x": b"0123456789", "y": [1, 2]})
    if damage == "truncate":
        raw = raw[:-3]
    elif damage == "magic":
        raw = b"X" + raw[1:]
    else:
        i = raw.index(b'"y"')
        raw = raw[:i] + b"{" + raw[i + 1 :]
    with pytest.raises(ValueError):
        st.unpack(raw)


def _model_heights(s, side: str) -> bytes:
    return s.static["sides"][side]["model"]["pelvis_height"]["heights"]


def test_startup_equals_the_built_scene():
    s = st.startup()
    scene = shared_scene()
    assert s.static["bones"][0]["points"] == scene.static["bones"][0]["points"]
    for side in SIDES:
        assert _model_heights(s, side) == _model_heights(scene, side)
        pos, focal, up = scene.scene.camera("lateral", side)
        cam = s.cameras[side]["lateral"]
        np.testing.assert_allclose([cam["position"], cam["focal_point"], cam["view_up"]], [pos, focal, up])


def test_cache_file_is_read_back_identically(tmp_path, monkeypatch):
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))
    st.reset()
    try:
        first = st.startup()
        files = list(tmp_path.glob("startup-*.bin"))
        assert len(files) == 1
        st.reset()
        again = st.startup()  # from the file
        assert again is not first
        assert again.static == first.static
        assert again.cameras == first.cameras
        assert again.contract == first.contract
    finally:
        st.reset()


def test_damaged_cache_is_rebuilt_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))
    st.reset()
    try:
        st.startup()
        (path,) = tmp_path.glob("startup-*.bin")
        path.write_bytes(path.read_bytes()[:1000])  # truncated, e.g. by a full disk
        st.reset()
        with caplog.at_level(logging.WARNING, logger="gmed"):
            s = st.startup()
        assert "damaged" in caplog.text and path.name in caplog.text
        assert _model_heights(s, "right") == _model_heights(shared_scene(), "right")
        assert path.stat().st_size > 1_000_000  # written again
    finally:
        st.reset()


def test_unwritable_cache_only_warns(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GMED_CACHE_DIR", str(blocker / "cache"))
    st.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="gmed"):
            s = st.startup()
        assert "cannot write start-up cache" in caplog.text
        assert s.static["sides"]["left"]["labels"]
    finally:
        st.reset()


def test_a_missing_cache_is_built_by_a_helper_process(tmp_path, monkeypatch):
    """The first start after an install: a second process builds the cache while the server
    imports Panel."""
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))
    st.reset()
    try:
        helper = st.prepare_in_background()
        assert helper is not None
        st.wait_for_helper(helper, timeout=120)
        assert len(list(tmp_path.glob("startup-*.bin"))) == 1
        with monkeypatch.context() as m:
            m.setattr(st, "build", lambda *a, **k: pytest.fail("built in this process"))
            s = st.startup()  # read from the helper's file
        assert _model_heights(s, "left") == _model_heights(shared_scene(), "left")
        assert helper.wait(timeout=120) == 0
        st.reset()
        assert st.prepare_in_background() is None  # the cache is there now
    finally:
        st.reset()


def test_fingerprint_follows_every_source_file(tmp_path, monkeypatch):
    root = tmp_path / "root"
    for sub in ("meshes/lod", "annotations/schema", "viewer"):
        (root / sub).mkdir(parents=True)
    (root / "meshes" / "a.ply").write_bytes(b"ply")
    (root / "meshes" / "lod" / "a.ply").write_bytes(b"ply-lod")
    (root / "annotations" / "texts.json").write_text("{}")
    (root / "annotations" / "schema" / "texts.schema.json").write_text("{}")
    (root / "viewer" / "muscles").mkdir()
    (root / "viewer" / "muscles" / "fan.py").write_text("x = 1\n")
    (root / "viewer" / "app").mkdir()
    (root / "viewer" / "app" / "view.js").write_text("let x = 1;\n")
    monkeypatch.setattr(data, "ROOT", root)
    monkeypatch.setattr(data, "PACKAGE_DIR", root / "viewer")
    monkeypatch.setattr(data, "MESH_DIR", root / "meshes")
    monkeypatch.setattr(data, "ANNOTATION_DIR", root / "annotations")
    base = data.fingerprint()
    assert data.fingerprint() == base
    for rel in (
        "meshes/lod/a.ply",
        "annotations/schema/texts.schema.json",
        "viewer/muscles/fan.py",
        "viewer/app/view.js",
    ):
        path = root / rel
        old = path.read_bytes()
        path.write_bytes(old + b" ")
        assert data.fingerprint() != base, rel
        path.write_bytes(old)
    assert data.fingerprint() == base
