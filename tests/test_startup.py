"""The start-up cache: exact round trip, keyed by the source files, safe against damage."""

import logging

import numpy as np
import pytest

from viewer import data
from viewer.anatomy import SIDES, Pose
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


def test_startup_equals_the_built_scene():
    s = st.startup()
    scene = shared_scene()
    for side in SIDES:
        for pose in (Pose(), Pose(-15.0), Pose(23.0), Pose(45.0)):
            buf, readout = s.frame(side, pose)
            ref, ref_read = scene.frame(side, pose)
            assert buf == ref
            assert readout["moment_arm"] == pytest.approx(ref_read["moment_arm"], abs=0.005)
            assert readout["length"] == pytest.approx(ref_read["length"], abs=0.005)
        # poses outside the cached sweep are left to the full scene
        assert s.frame(side, Pose(10.5)) is None
        assert s.frame(side, Pose(10.0, flexion=5.0)) is None
        assert s.sweep(side, 0.0, 7.0) is None
        assert s.static[side]["meshes"][0]["points"] == scene.static[side]["meshes"][0]["points"]
        pos, focal, up = scene.scene.camera("lateral", side)
        np.testing.assert_allclose(s.cameras[side]["lateral"], [pos, focal, up])


def test_cache_file_is_read_back_identically(tmp_path, monkeypatch):
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))
    st._startup.cache_clear()
    try:
        first = st.startup()
        files = list(tmp_path.glob("startup-*.bin"))
        assert len(files) == 1
        st._startup.cache_clear()
        again = st.startup()  # from the file
        assert again is not first
        assert again.static == first.static
        assert again.sweeps == {k: list(v) for k, v in first.sweeps.items()}
        assert again.cameras == first.cameras
    finally:
        st._startup.cache_clear()


def test_damaged_cache_is_rebuilt_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GMED_CACHE_DIR", str(tmp_path))
    st._startup.cache_clear()
    try:
        st.startup()
        (path,) = tmp_path.glob("startup-*.bin")
        path.write_bytes(path.read_bytes()[:1000])  # truncated, e.g. by a full disk
        st._startup.cache_clear()
        with caplog.at_level(logging.WARNING, logger="gmed"):
            s = st.startup()
        assert "damaged" in caplog.text and path.name in caplog.text
        assert s.frame("right", Pose())[0] == shared_scene().frame("right", Pose())[0]
        assert path.stat().st_size > 1_000_000  # written again
    finally:
        st._startup.cache_clear()


def test_unwritable_cache_only_warns(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GMED_CACHE_DIR", str(blocker / "cache"))
    st._startup.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="gmed"):
            s = st.startup()
        assert "cannot write start-up cache" in caplog.text
        assert s.frame("left", Pose())[0]
    finally:
        st._startup.cache_clear()


def test_fingerprint_follows_every_source_file(tmp_path, monkeypatch):
    root = tmp_path / "root"
    for sub in ("meshes/lod", "annotations/schema", "viewer"):
        (root / sub).mkdir(parents=True)
    (root / "meshes" / "a.ply").write_bytes(b"ply")
    (root / "meshes" / "lod" / "a.ply").write_bytes(b"ply-lod")
    (root / "annotations" / "texts.json").write_text("{}")
    (root / "annotations" / "schema" / "texts.schema.json").write_text("{}")
    (root / "viewer" / "muscle.py").write_text("x = 1\n")
    monkeypatch.setattr(data, "ROOT", root)
    monkeypatch.setattr(data, "MESH_DIR", root / "meshes")
    monkeypatch.setattr(data, "ANNOTATION_DIR", root / "annotations")
    base = data.fingerprint()
    assert data.fingerprint() == base
    for rel in ("meshes/lod/a.ply", "annotations/schema/texts.schema.json", "viewer/muscle.py"):
        path = root / rel
        old = path.read_bytes()
        path.write_bytes(old + b" ")
        assert data.fingerprint() != base, rel
        path.write_bytes(old)
    assert data.fingerprint() == base
