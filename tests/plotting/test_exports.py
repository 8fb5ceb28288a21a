"""gmed screenshot, animate and export-scene: real files, read back."""

import io
import json

import imageio.v3 as iio
import numpy as np
import pytest
import trimesh
from PIL import Image

from viewer import cli, data
from viewer.anatomy import Pose
from viewer.export import ExportError, animate, write_atomic
from viewer.export.geometry_files import source_line
from viewer.muscles import STRUCTURES
from viewer.posed import Hip
from viewer.scene import HipScene, SceneOptions
from viewer.shape import Shape


def run(args):
    assert cli.main(args) == 0


def png(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_screenshot_size_labels_and_determinism(tmp_path):
    a, b, c = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    run(["screenshot", str(a), "--size", "800x600", "--labels", "--view", "lateral", "--abduction", "20"])
    run(["screenshot", str(b), "--size", "800x600", "--labels", "--view", "lateral", "--abduction", "20"])
    run(["screenshot", str(c), "--size", "800x600", "--view", "lateral", "--abduction", "20"])
    img = png(a)
    assert img.shape == (600, 800, 3) and img.std() > 20
    assert np.array_equal(img, png(b))  # deterministic
    assert np.abs(img - png(c)).mean() > 0.2  # labels drawn


def test_screenshot_refuses_overwrite_and_bad_input(tmp_path, capsys):
    out = tmp_path / "x.png"
    out.write_bytes(b"keep")
    for args, message in [
        (["screenshot", str(out)], "exists; use --force"),
        (["screenshot", str(tmp_path / "no" / "x.png")], "does not exist"),
        (["screenshot", str(tmp_path / "y.png"), "--size", "99999x1"], "--size"),
        (["screenshot", str(tmp_path / "y.png"), "--abduction", "90"], "--abduction: 90 is outside -15..45"),
        (["screenshot", str(tmp_path / "y.png"), "--view", "sideways"], "unknown view"),
    ]:
        with pytest.raises(SystemExit) as exc:
            cli.main(args)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err
    assert out.read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]  # nothing half-written


def test_write_atomic_leaves_nothing_on_failure(tmp_path):
    def fail(tmp):
        tmp.write_bytes(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "out.bin", fail)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "out.bin", lambda t: None)


def test_write_atomic_overwrites_only_with_force(tmp_path):
    out = tmp_path / "out.bin"
    write_atomic(out, lambda tmp: tmp.write_bytes(b"one"))
    with pytest.raises(ExportError, match="exists; use --force"):
        write_atomic(out, lambda tmp: tmp.write_bytes(b"two"))

    def fail(tmp):
        tmp.write_bytes(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(out, fail, force=True)
    assert out.read_bytes() == b"one" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    write_atomic(out, lambda tmp: tmp.write_bytes(b"three"), force=True)
    assert out.read_bytes() == b"three" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_gif_animation(tmp_path):
    out = tmp_path / "abd.gif"
    run(["animate", str(out), "--frames", "10", "--fps", "10", "--size", "320x240"])
    frames = iio.imread(out, index=None)
    assert frames.shape == (18, 240, 320, 3)  # 10 out and 8 back
    assert np.abs(frames[0].astype(int) - frames[9].astype(int)).mean() > 1  # the thigh moved
    assert out.stat().st_size < 10_000_000


def test_gif_of_58_frames_shares_one_palette(tmp_path, model):
    out = animate(HipScene(model), tmp_path / "abd.gif", SceneOptions(), frames=30, fps=20, size=(200, 150))
    with Image.open(out) as gif:
        assert gif.n_frames == 58  # 30 out, 28 back
        assert gif.size == (200, 150)
        assert gif.info["duration"] == 50 and gif.info["loop"] == 0
        palettes = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            palettes.add(bytes(gif.palette.palette) if "transparency" not in gif.info else b"")
        assert len(palettes) == 1  # one colour table for the whole animation
    frames = iio.imread(out, index=None)
    assert frames.shape == (58, 150, 200, 3)
    assert np.array_equal(frames[1], frames[-1])  # there and back: the same pose
    assert np.abs(frames[0].astype(int) - frames[29].astype(int)).mean() > 1  # the thigh moved


def test_export_source_line_comes_from_provenance():
    prov = data.read_json(data.MESH_DIR / "provenance.json")["source"]
    assert (prov["package"], prov["version"]) == ("musculoskeletal-models", "0.2.4")
    assert source_line() == (
        "bones: LLP26 atlas, mean shape, musculoskeletal-models 0.2.4 (MPL-2.0); muscle: gmed-viewer"
    )
    # an instance of the shape model says which (the sidecar of a --shape export)
    assert source_line(Shape.parse("2=-1.5,5=1")) == (
        "bones: LLP26 atlas, shape mode 2 -1.5 SD, mode 5 +1 SD, musculoskeletal-models 0.2.4 (MPL-2.0);"
        " muscle: gmed-viewer"
    )


def test_glb_and_ply_scene(tmp_path, model):
    glb = tmp_path / "hip.glb"
    run(["export-scene", str(glb), "--abduction", "30"])
    scene = trimesh.load(glb, merge_primitives=True)  # the muscles have a primitive per part
    names = {"hip_bone_right", "hip_bone_left", "sacrum", "femur_right", "femur_left",
             "gluteus_medius_right", "gluteus_medius_left"}  # fmt: skip
    # every other structure of both sides, the iliotibial tract inside the TFL's part
    names |= {f"{sid}_{s}" for s in ("right", "left") for sid in STRUCTURES if sid != "gluteus_medius"}
    assert set(scene.geometry) == names
    hip = Hip(model)
    tfl = hip.neighbourhoods["right"].muscles["tensor_fasciae_latae"].surface(Pose(30.0))
    tract = (
        hip.neighbourhoods["right"]
        .rigid["iliotibial_tract"]
        .posed(model.femur_transform("right", Pose(30.0)))
    )
    got = scene.geometry["tensor_fasciae_latae_right"].bounds
    want = 0.001 * np.concatenate([tfl.vertices, tract])
    np.testing.assert_allclose(got, [want.min(axis=0), want.max(axis=0)], atol=1e-6)
    assert len(scene.geometry["sacrum"].vertices) == len(model.bones["sacrum"].vertices)
    # metres, pelvis frame: a sacrum about 12 cm wide, the right femur on the right
    assert 0.08 < scene.geometry["sacrum"].extents.max() < 0.2
    assert scene.geometry["femur_right"].bounds[0][2] > 0
    meta = json.loads(glb.with_suffix(".json").read_text())
    assert meta["units"] == "m" and meta["pose_deg"]["abduction"] == 30
    assert meta["source"] == source_line()
    folder = tmp_path / "parts"
    run(["export-scene", str(folder)])
    ply = trimesh.load(folder / "gluteus_medius_right.ply", process=False)
    raw = ply.metadata["_ply_raw"]["vertex"]["data"]
    assert set(np.unique(raw["part"])) == {0, 1, 2}
    assert json.loads((folder / "scene.json").read_text())["units"] == "mm"
    assert np.abs(trimesh.load(folder / "sacrum.ply").vertices).max() > 50  # millimetres
    assert not list(folder.glob("tibia*")) and not list(folder.glob("patella*"))


def test_export_scene_with_the_lower_legs(tmp_path, model):
    """--lower-legs (the lower_legs layer) adds both tibia-fibulas and patellas, posed with
    their femur (knee straight), named like the other bones."""
    glb = tmp_path / "legs.glb"
    run(["export-scene", str(glb), "--abduction", "30", "--flexion", "20", "--lower-legs"])
    geometry = trimesh.load(glb).geometry
    legs = {"tibia_fibula_right", "tibia_fibula_left", "patella_right", "patella_left"}
    assert legs < set(geometry) and "femur_right" in geometry
    posed = model.posed_vertices("tibia_fibula_right", Pose(30.0, 20.0))
    np.testing.assert_allclose(geometry["tibia_fibula_right"].vertices, 0.001 * posed, atol=1e-6)
    np.testing.assert_allclose(
        geometry["patella_left"].vertices, 0.001 * model.bones["patella_left"].vertices, atol=1e-6
    )
    meta = json.loads(glb.with_suffix(".json").read_text())
    assert meta["parts"]["tibia_fibula_left"]["triangles"] == len(model.bones["tibia_fibula_left"].faces)


def test_png_bytes_open(tmp_path):
    out = tmp_path / "t.png"
    run(["screenshot", str(out), "--size", "400x300", "--transparent"])
    assert Image.open(io.BytesIO(out.read_bytes())).mode == "RGBA"


def test_handout_pdf_three_pages_with_text(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "handout.pdf"
    run(["handout", str(out)])
    pdf = PdfReader(out)
    assert len(pdf.pages) == 3
    assert "Moment arms over each hip angle" in pdf.pages[2].extract_text()
    info = pdf.metadata
    assert (info.title, info.author) == ("Gluteus medius — handout", "gmed-viewer")
    start = "The gluteus medius of the right hip on the LLP26 atlas bones (mean shape)"
    assert info.subject.startswith(start)
    assert "lateral views at 0, 20, 40° abduction" in info.subject and "standing on one leg" in info.subject
    assert "moment arms of each part over each hip angle" in info.subject
    text = pdf.pages[0].extract_text()
    for phrase in (
        "Gluteus medius",
        "Superior gluteal nerve",
        "Trendelenburg",
        "greater trochanter",
        "MPL-2.0",
        "Posterior view, 40° abduction",
        "20° abduction",
        "Whole muscle",
        "abduction moment arm about the hip joint centre",
    ):
        assert phrase in text, phrase
    for page in pdf.pages:
        box = page.mediabox
        assert abs(float(box.width) - 8.27 * 72) < 2 and abs(float(box.height) - 11.69 * 72) < 2  # A4
    stance = " ".join(pdf.pages[1].extract_text().split())
    for phrase in (
        "Standing on one leg",
        "Gluteus medius at 100 % strength",
        "Gluteus medius at 20 % strength",
        "Trendelenburg sign",
        "drops by more than 20 mm (Magee DJ",
        "Hardcastle P, Nade S 1985",
        "1 body weight (BW) = 100 mm",
    ):
        assert phrase in stance, phrase


def test_written_files_get_the_users_usual_permissions(tmp_path):
    """Not the 0600 of a temporary file: a handout put on a web server must be readable."""
    import os

    old = os.umask(0o022)
    try:
        out = write_atomic(tmp_path / "h.pdf", lambda tmp: tmp.write_bytes(b"%PDF"))
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_cli_screenshot_prints_one_line_and_no_warning(tmp_path):
    """Off-screen, with no display: the user reads 'wrote ...', not a VTK warning about X."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "VTK_DEFAULT_OPENGL_WINDOW")}
    out = tmp_path / "s.png"
    proc = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "screenshot", str(out), "--size", "160x120"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {out}\n" and proc.stderr == "", proc.stderr
