"""``--shape`` on the picture and file commands, read back: the shape changes the output and is
recorded in it; the handout's page comparing two shapes."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from viewer import cli


def run(args):
    assert cli.main(args) == 0


def test_screenshot_of_a_shape_differs_and_records_it(tmp_path):
    mean, shaped = tmp_path / "mean.png", tmp_path / "shaped.png"
    common = ["--size", "480x360", "--view", "anterior"]
    run(["screenshot", str(mean), *common])
    run(["screenshot", str(shaped), *common, "--shape", "5=2"])
    a, b = Image.open(mean), Image.open(shaped)
    assert a.text == {}  # the mean's picture as before
    assert b.text == {
        "Description": "gluteus medius on LLP26 shape mode 5 +2 SD (gmed-viewer)",
        "gmed:shape": "5=2",
    }
    diff = np.abs(np.asarray(a.convert("RGB"), int) - np.asarray(b.convert("RGB"), int))
    assert (diff.max(axis=-1) > 30).mean() > 0.01  # more than 1 % of the pixels changed


def test_stance_screenshot_of_a_shape_records_it(tmp_path):
    out = tmp_path / "stance.png"
    run(["screenshot", str(out), "--size", "320x240", "--stance", "--shape", "2=-1.5"])
    assert Image.open(out).text["gmed:shape"] == "2=-1.5"


def test_animation_of_a_shape_records_it(tmp_path):
    out = tmp_path / "a.gif"
    run(["animate", str(out), "--frames", "2", "--size", "160x120", "--shape", "1=1"])
    im = Image.open(out)
    assert im.n_frames == 2
    assert im.info["comment"] == b"gluteus medius on LLP26 shape mode 1 +1 SD (gmed-viewer)"


def test_mp4_of_a_shape_records_it_in_its_metadata(tmp_path):
    """The MP4's ``comment`` metadata, as ffprobe and players show it (the ffmpeg of imageio-ffmpeg
    reads it back); the mean's MP4 has none."""
    import imageio_ffmpeg

    def comment(path):
        got = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return [line.split("=", 1)[1] for line in got.splitlines() if line.startswith("comment=")]

    mean, shaped = tmp_path / "mean.mp4", tmp_path / "shaped.mp4"
    run(["animate", str(mean), "--frames", "2", "--size", "160x120"])
    run(["animate", str(shaped), "--frames", "2", "--size", "160x120", "--shape", "2=-1.5"])
    assert comment(mean) == []
    assert comment(shaped) == ["gluteus medius on LLP26 shape mode 2 -1.5 SD (gmed-viewer)"]


def test_scene_export_of_a_shape_has_its_geometry_and_says_so(tmp_path):
    mean, shaped = tmp_path / "mean", tmp_path / "shaped"
    run(["export-scene", str(mean)])
    run(["export-scene", str(shaped), "--shape", "1=-2"])
    m, s = (json.loads((d / "scene.json").read_text()) for d in (mean, shaped))
    assert "shape" not in m
    assert s["shape"]["modes_sd"] == {"1": -2.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 0.0}
    assert s["shape"]["description"] == "mode 1 -2 SD"
    assert "mean shape" in m["source"] and "shape mode 1 -2 SD," in s["source"]  # not "mean atlas"
    assert m["parts"] == s["parts"]  # the same meshes (vertex for vertex), placed differently
    # mode 1 is size: at -2 SD this femur is 470 mm long along Y, the mean's 441 mm
    import trimesh

    ys = [trimesh.load(d / "femur_right.ply").vertices[:, 1] for d in (mean, shaped)]
    spans = [float(y.max() - y.min()) for y in ys]
    assert spans[0] == pytest.approx(440.9, abs=0.5) and spans[1] == pytest.approx(470.4, abs=0.5)


def test_offline_page_of_a_shape_names_it_in_its_title(tmp_path):
    out = tmp_path / "hip.html"
    run(["export-html", str(out), "--shape", "5=-2"])
    title = re.search(r"<title>([^<]*)</title>", out.read_text(encoding="utf-8")).group(1)
    assert title == "Gluteus medius: the hip in 3D (offline page), shape: mode 5 \u22122 SD"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "handout.pdf"
    run(["handout", str(out), "--compare-shapes", "5=-2", "5=2"])
    return out


def _pdftotext(path, page):
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed to read the handout"
    return subprocess.run(
        [exe, "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_handout_compare_page_has_both_shapes_measures(compared):
    from pypdf import PdfReader

    pdf = PdfReader(compared)
    assert len(pdf.pages) == 4
    assert pdf.metadata.subject.endswith("; page 4: two hip shapes compared (mode 5 -2 SD and mode 5 +2 SD)")
    text = " ".join(_pdftotext(compared, 4).split())
    assert "Bodies differ: hip shape and the abductor lever" in text
    assert "A: Mode 5 \u22122 SD" in text and "B: Mode 5 +2 SD" in text
    # gmed shape --shape 5=-2 / 5=2 / the mean: 125.5 / 120.5 / 124.0 deg, offset 38.6 / 43.2 / 40.8 mm,
    # moment arm 50.3 / 55.3 / 52.8 mm, stance force 1.88 / 1.60 / 1.72 BW
    assert "Neck-shaft angle 125.5° (toward coxa valga)" in text
    assert "Neck-shaft angle 120.5° (toward coxa vara)" in text
    assert "Neck-shaft angle 125.5° 120.5° 124.0°" in text
    assert "Femoral offset 38.6 mm 43.2 mm 40.8 mm" in text
    assert "Abductor moment arm at neutral 50.3 mm 55.3 mm 52.8 mm" in text
    assert "Stance abductor force, full strength 1.88 BW 1.60 BW 1.72 BW" in text
    assert "A's is shorter" in text and "A needs more force" in text


def test_handout_of_a_shaped_scene_names_the_shape(tmp_path):
    """The app's Handout button on a shape: page 1 and the PDF's subject say which instance the
    bones are (the atlas' source line, as the scene sidecar has it)."""
    from pypdf import PdfReader

    from viewer.anatomy import HipModel
    from viewer.export import handout
    from viewer.scene import HipScene
    from viewer.shape import Shape

    scene = HipScene(HipModel(Shape.of({5: -2.0})))
    out = handout(scene, tmp_path / "handout.pdf", "right")
    text = " ".join(_pdftotext(out, 1).split())
    assert "bones: LLP26 atlas, shape mode 5 -2 SD," in text
    assert "on the LLP26 atlas bones (shape mode 5 -2 SD)" in PdfReader(out).metadata.subject
