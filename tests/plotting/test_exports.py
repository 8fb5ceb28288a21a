"""gmed screenshot, animate and export-scene: real files, read back."""

import io
import json

import numpy as np
import pytest
import trimesh
from PIL import Image

from viewer import cli
from viewer.export import ExportError, write_atomic


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


def test_gif_animation(tmp_path):
    import imageio.v3 as iio

    out = tmp_path / "abd.gif"
    run(["animate", str(out), "--frames", "10", "--fps", "10", "--size", "320x240"])
    frames = iio.imread(out, index=None)
    assert frames.shape == (18, 240, 320, 3)  # 10 out and 8 back
    assert np.abs(frames[0].astype(int) - frames[9].astype(int)).mean() > 1  # the thigh moved
    assert out.stat().st_size < 10_000_000


def test_glb_and_ply_scene(tmp_path, model):
    glb = tmp_path / "hip.glb"
    run(["export-scene", str(glb), "--abduction", "30"])
    scene = trimesh.load(glb)
    names = {"hip_bone_right", "hip_bone_left", "sacrum", "femur_right", "femur_left",
             "gluteus_medius_right", "gluteus_medius_left"}  # fmt: skip
    assert set(scene.geometry) == names
    assert len(scene.geometry["sacrum"].vertices) == len(model.bones["sacrum"].vertices)
    # metres, pelvis frame: a sacrum about 12 cm wide, the right femur on the right
    assert 0.08 < scene.geometry["sacrum"].extents.max() < 0.2
    assert scene.geometry["femur_right"].bounds[0][2] > 0
    meta = json.loads(glb.with_suffix(".json").read_text())
    assert meta["units"] == "m" and meta["pose_deg"]["abduction"] == 30
    folder = tmp_path / "parts"
    run(["export-scene", str(folder)])
    ply = trimesh.load(folder / "gluteus_medius_right.ply", process=False)
    raw = ply.metadata["_ply_raw"]["vertex"]["data"]
    assert set(np.unique(raw["part"])) == {0, 1, 2}
    assert json.loads((folder / "scene.json").read_text())["units"] == "mm"
    assert np.abs(trimesh.load(folder / "sacrum.ply").vertices).max() > 50  # millimetres


def test_png_bytes_open(tmp_path):
    out = tmp_path / "t.png"
    run(["screenshot", str(out), "--size", "400x300", "--transparent"])
    assert Image.open(io.BytesIO(out.read_bytes())).mode == "RGBA"


def test_handout_pdf_one_page_with_text(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "handout.pdf"
    run(["handout", str(out)])
    pdf = PdfReader(out)
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    for phrase in (
        "Gluteus medius",
        "Superior gluteal nerve",
        "Trendelenburg",
        "greater trochanter",
        "MPL-2.0",
    ):
        assert phrase in text, phrase
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - 8.27 * 72) < 2 and abs(float(box.height) - 11.69 * 72) < 2  # A4
