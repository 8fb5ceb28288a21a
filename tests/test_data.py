"""Bad data files fail loudly, naming the file, the field and the problem."""

import json
import shutil

import pytest

from viewer import data


@pytest.fixture
def mesh_copy(tmp_path):
    dst = tmp_path / "hip_right.ply"
    shutil.copyfile(data.mesh_path("hip_right"), dst)
    return dst


def test_missing_mesh(tmp_path):
    with pytest.raises(data.DataError, match=r"nothere\.ply: mesh file is missing"):
        data.load_bone_mesh("hip_right", tmp_path / "nothere.ply")


def test_truncated_mesh(mesh_copy):
    raw = mesh_copy.read_bytes()
    mesh_copy.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.DataError, match=r"hip_right\.ply: "):
        data.load_bone_mesh("hip_right", mesh_copy)


def test_corrupted_mesh_header(mesh_copy):
    raw = mesh_copy.read_bytes()
    mesh_copy.write_bytes(b"garbage" + raw[3:])
    with pytest.raises(data.DataError, match=r"hip_right\.ply: cannot be read"):
        data.load_bone_mesh("hip_right", mesh_copy)


def test_corrupted_mesh_indices(mesh_copy):
    raw = bytearray(mesh_copy.read_bytes())
    raw[-8:] = b"\xff" * 8  # last face points at a vertex that does not exist
    mesh_copy.write_bytes(bytes(raw))
    with pytest.raises(data.DataError, match=r"hip_right\.ply: "):
        data.load_bone_mesh("hip_right", mesh_copy)


def test_open_mesh_is_rejected(mesh_copy, tmp_path):
    import trimesh

    m = data.load_bone_mesh("hip_right")
    holed = trimesh.Trimesh(m.vertices, m.faces[:-10], process=False)
    path = tmp_path / "holed.ply"
    path.write_bytes(holed.export(file_type="ply"))
    with pytest.raises(data.DataError, match=r"holed\.ply: mesh is not a closed manifold surface"):
        data.load_bone_mesh("hip_right", path)


def test_checksum_mismatch_is_reported(monkeypatch, tmp_path):
    shutil.copytree(data.MESH_DIR, tmp_path, dirs_exist_ok=True)
    with open(tmp_path / "sacrum.ply", "ab") as fh:
        fh.write(b"\0")
    monkeypatch.setattr(data, "MESH_DIR", tmp_path)
    with pytest.raises(data.DataError, match=r"sacrum\.ply: checksum differs"):
        data.verify_checksums()


def _write(tmp_path, payload):
    path = tmp_path / "landmarks.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def test_invalid_json(tmp_path):
    with pytest.raises(data.DataError, match=r"landmarks\.json: not valid JSON at line 1"):
        data.landmark_definitions(_write(tmp_path, "{not json"))


def test_wrong_field_type_names_field(tmp_path):
    good = data.read_json(data.ANNOTATION_DIR / "landmarks.json")
    good["landmarks"][3]["atlas_node"] = "466"
    with pytest.raises(data.DataError, match=r"landmarks\.json: landmarks\[3\]\.atlas_node: '466' is not"):
        data.landmark_definitions(_write(tmp_path, good))


def test_missing_required_field(tmp_path):
    good = data.read_json(data.ANNOTATION_DIR / "landmarks.json")
    del good["landmarks"][0]["atlas_node"]
    with pytest.raises(data.DataError, match=r"landmarks\[0\]: 'atlas_node' is a required property"):
        data.landmark_definitions(_write(tmp_path, good))


def test_duplicate_id(tmp_path):
    good = data.read_json(data.ANNOTATION_DIR / "landmarks.json")
    good["landmarks"].append(dict(good["landmarks"][0]))
    with pytest.raises(data.DataError, match=r"duplicate id 'asis_right'"):
        data.landmark_definitions(_write(tmp_path, good))


def test_unknown_bone(tmp_path):
    good = data.read_json(data.ANNOTATION_DIR / "landmarks.json")
    good["landmarks"][0]["bone"] = "tibia"
    with pytest.raises(data.DataError, match=r"landmarks\[0\]\.bone: 'tibia' is not one of"):
        data.landmark_definitions(_write(tmp_path, good))


def test_invalid_muscle_parameters_name_field(tmp_path):
    bad = data.read_json(data.ANNOTATION_DIR / "muscles" / "gluteus_medius.json")
    bad["thickness"]["belly_mm"] = -3
    path = tmp_path / "gluteus_medius.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(
        data.DataError, match=r"gluteus_medius\.json: thickness\.belly_mm: -3 is less than or equal"
    ):
        data.muscle("gluteus_medius", path)


def test_muscle_file_id_must_match_its_name(tmp_path):
    bad = data.read_json(data.ANNOTATION_DIR / "muscles" / "gluteus_minimus.json")
    path = tmp_path / "gluteus_maximus.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(
        data.DataError, match=r"gluteus_maximus\.json: id: 'gluteus_minimus' is not the file's name"
    ):
        data.muscle("gluteus_maximus", path)


@pytest.mark.parametrize("name", ["landmarks", "neighbours", "style", "views"])
def test_shipped_annotations_are_valid(name):
    assert data.annotation(name)


@pytest.mark.parametrize("name", data.MUSCLES)
def test_shipped_muscles_are_valid(name):
    assert data.muscle(name)["id"] == name


def _export(tmp_path, name, vertices, faces):
    import trimesh

    path = tmp_path / name
    path.write_bytes(trimesh.Trimesh(vertices, faces, process=False).export(file_type="ply"))
    return path


def test_nan_coordinates_are_rejected(tmp_path):
    m = data.load_bone_mesh("sacrum")
    v = m.vertices.copy()
    v[5] = float("nan")
    path = _export(tmp_path, "nan.ply", v, m.faces)
    with pytest.raises(data.DataError, match=r"nan\.ply: corrupted \(bad vertex indices or coordinates\)"):
        data.load_bone_mesh("sacrum", path)


def test_mesh_in_metres_is_rejected(tmp_path):
    m = data.load_bone_mesh("femur_right")
    path = _export(tmp_path, "metres.ply", m.vertices / 1000.0, m.faces)
    with pytest.raises(data.DataError, match=r"metres\.ply: the bone is 0\.441 units long.*\(metres\?"):
        data.load_bone_mesh("femur_right", path)


def test_non_manifold_mesh_is_rejected(tmp_path):
    import numpy as np

    m = data.load_bone_mesh("sacrum")
    # a second copy of one triangle: three edges shared by three faces
    faces = np.vstack([m.faces, m.faces[:1]])
    path = _export(tmp_path, "nonmanifold.ply", m.vertices, faces)
    with pytest.raises(data.DataError, match=r"nonmanifold\.ply: mesh is not a closed manifold surface"):
        data.load_bone_mesh("sacrum", path)


def test_nan_in_annotation_is_rejected(tmp_path):
    path = tmp_path / "views.json"
    path.write_text(
        data.ANNOTATION_DIR.joinpath("views.json")
        .read_text()
        .replace('"view_angle_deg": 30', '"view_angle_deg": NaN', 1)
    )
    with pytest.raises(data.DataError, match=r"views\.json: NaN is not a number JSON allows"):
        data.annotation("views", path)


def test_view_frame_in_metres_is_rejected(tmp_path):
    raw = json.loads(data.ANNOTATION_DIR.joinpath("views.json").read_text())
    raw["frame"]["femur_mm"] = 0.12
    path = tmp_path / "views.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(data.DataError, match=r"views\.json: frame\.femur_mm: 0\.12 is less than"):
        data.annotation("views", path)


def test_leg_bones_have_meshes():
    assert data.ALL_BONES == data.BONES + data.LEG_BONES
    assert len(data.BONES) == 5 and len(data.LEG_BONES) == 4
    for bone in data.LEG_BONES:
        assert data.mesh_path(bone).name == f"{bone}.ply"
        assert data.mesh_path(bone, lod=True).parent.name == "lod"
    # the patella, the smallest bone (about 41 mm), is accepted as millimetres
    assert 35 < float(data.load_bone_mesh("patella_left").extents.max()) < 50


def test_unknown_bone_path_is_refused():
    with pytest.raises(data.DataError, match=r"unknown bone 'tibia'; known bones: .*patella_left"):
        data.mesh_path("tibia")
