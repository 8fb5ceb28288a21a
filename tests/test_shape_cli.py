"""``gmed shape``: the measures printed, the --vary CSV columns, and bad input exit 2 with one line."""

import csv

import pytest

from viewer.cli import main
from viewer.cli.shape import COLUMNS


def test_prints_the_measures_of_the_mean(capsys):
    assert main(["shape"]) == 0
    out = capsys.readouterr().out
    assert "LLP26 shape mean" in out
    line = next(x for x in out.splitlines() if "neck-shaft angle" in x)
    assert 122.0 <= float(line.split()[-2]) <= 126.0


def test_target_prints_the_shape_that_reaches_it(capsys):
    assert main(["shape", "--target", "femoral_offset=36"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("LLP26 shape ") and out[0].endswith("reaches femoral offset 36 mm (right side)")
    offset = next(x for x in out if "femoral offset" in x and x.endswith(" mm"))
    assert float(offset.split()[-2]) == pytest.approx(36.0, abs=0.15)  # within the measure's steps
    assert out[-1].startswith("use it with: --shape ")
    main(["shape", "--shape", out[-1].split()[-1]])  # what it prints is a --shape the others take
    again = capsys.readouterr().out.splitlines()
    assert offset in again  # the same measures


def test_vary_writes_exactly_the_columns(tmp_path, capsys):
    out = tmp_path / "shape.csv"
    assert main(["shape", "--vary", "2", "--from", "0", "--to", "0", "--step", "1", "--csv", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert (
        tuple(rows[0])
        == COLUMNS
        == (
            "mode",
            "sd",
            "neck_shaft_angle_deg",
            "femoral_offset_mm",
            "femoral_length_mm",
            "anteversion_deg",
            "abductor_moment_arm_mm",
            "abductor_force_bw",
        )
    )
    assert rows[1][:2] == ["2", "0"] and 122.0 <= float(rows[1][2]) <= 126.0
    # an existing file is replaced only with --force
    with pytest.raises(SystemExit) as e:
        main(["shape", "--vary", "2", "--from", "0", "--to", "0", "--csv", str(out)])
    assert e.value.code == 2
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--shape", "6=1"],
        ["--shape", "1=3.5"],
        ["--shape", "1=x"],
        ["--shape", "1=1,1=2"],
        ["--shape", ""],
        ["--vary", "0"],
        ["--vary", "2", "--from", "-4"],
        ["--vary", "2", "--step", "0"],
        ["--from", "1"],
        ["--vary", "1", "--shape", "2=1"],
        ["--target", "nsa=130"],
        ["--target", "neck_shaft_angle=abc"],
        ["--target", "neck_shaft_angle=nan"],
        ["--target", "neck_shaft_angle=120,neck_shaft_angle=130"],
        ["--target", "neck_shaft_angle=130", "--vary", "2"],
        ["--target", "femoral_offset=40", "--shape", "1=1"],
        ["--target", "neck_shaft_angle=170"],  # beyond the model's +-3 SD
    ],
)
def test_bad_input_exits_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(["shape", *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err, err
