"""``--shape`` on the commands that print tables (``table``, ``stance``), a bad ``--shape`` on every
command that takes one, and the words of the handout's shape page."""

import csv

import pytest

from viewer.cli import main
from viewer.mechanics.stance import COLUMNS as STANCE_COLUMNS
from viewer.shape import Shape

#: Commands that take --shape, with a valid rest of the command line (the output in tmp_path).
COMMANDS = {
    "table": lambda d: ["table", "--from", "0", "--to", "0"],
    "stance": lambda d: ["stance", "--csv", str(d / "s.csv")],
    "screenshot": lambda d: ["screenshot", str(d / "s.png")],
    "animate": lambda d: ["animate", str(d / "s.gif")],
    "export-scene": lambda d: ["export-scene", str(d / "s.glb")],
    "export-html": lambda d: ["export-html", str(d / "s.html")],
    "shape": lambda d: ["shape"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("value", ["5=4", "6=1", "2=x", "2=1,2=1", "", "2=-3.01"])
def test_a_bad_shape_exits_2_with_one_line_and_writes_nothing(command, value, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main([*COMMANDS[command](tmp_path), "--shape", value])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"gmed {command}: error: argument --shape") and "\n" not in err, err
    assert list(tmp_path.iterdir()) == []


def _table(tmp_path, name, *shape):
    out = tmp_path / f"{name}.csv"
    argv = ["table", "--from", "0", "--to", "10", "--step", "10", "--side", "right", "--csv", str(out)]
    assert main([*argv, *shape]) == 0
    with out.open() as f:
        rows = list(csv.DictReader(f))
    return rows, {(r["angle_deg"], r["part"]): float(r["moment_arm_mm"]) for r in rows}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    d = tmp_path_factory.mktemp("table")
    return _table(d, "mean"), _table(d, "shape", "--shape", "2=2")


def test_table_of_a_shape_has_its_own_moment_arms_in_the_same_columns(tables):
    (mean_rows, mean), (shape_rows, shape) = tables
    assert (
        list(mean_rows[0])
        == list(shape_rows[0])
        == [
            "muscle",
            "joint",
            "angle_deg",
            "side",
            "part",
            "length_mm",
            "moment_arm_mm",
        ]
    )
    assert mean.keys() == shape.keys()
    # gmed shape --vary 2: the abductor moment arm at neutral grows with mode 2 (52.8 -> 54.9 mm at 2 SD)
    assert mean[("0", "whole")] == pytest.approx(52.7, abs=0.3)
    assert shape[("0", "whole")] == pytest.approx(54.8, abs=0.3)
    assert shape[("0", "whole")] - mean[("0", "whole")] > 1.5
    assert shape[("10", "whole")] != pytest.approx(mean[("10", "whole")], abs=0.5)


def test_table_heading_names_the_shape(capsys, tmp_path):
    # the shape given as all zero is the mean: same table, no shape in the heading
    assert main(["table", "--from", "0", "--to", "0", "--side", "right", "--shape", "1=0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Gluteus medius, abduction sweep") and "LLP26" not in out


@pytest.fixture(scope="module")
def stances(tmp_path_factory):
    d = tmp_path_factory.mktemp("stance")
    out = {}
    for name, extra in (("mean", []), ("valgus", ["--shape", "5=-2"])):
        path = d / f"{name}.csv"
        assert main(["stance", "--csv", str(path), *extra]) == 0
        with path.open() as f:
            out[name] = list(csv.DictReader(f))
    return out


def test_stance_of_a_shape_needs_more_force_with_the_same_columns(stances):
    mean, valgus = stances["mean"], stances["valgus"]
    assert list(mean[0]) == list(valgus[0]) == list(STANCE_COLUMNS)
    # gmed shape: mode 5 -2 SD has a shorter lever and needs 1.88 BW against the mean's 1.72 BW
    assert float(mean[0]["abductor_force_bw"]) == pytest.approx(1.72, abs=0.01)
    assert float(valgus[0]["abductor_force_bw"]) == pytest.approx(1.88, abs=0.01)
    assert float(valgus[0]["abductor_moment_arm_mm"]) < float(mean[0]["abductor_moment_arm_mm"]) - 1.0


def test_shape_describe():
    assert Shape.parse("2=-1.5,5=1").describe() == "mode 2 \u22121.5 SD, mode 5 +1 SD"
    assert Shape.parse("5=2").describe(ascii=True) == "mode 5 +2 SD"
    assert Shape().describe() == "mean"


@pytest.mark.parametrize(
    "argv",
    [
        ["--compare-shapes", "5=2"],
        ["--compare-shapes", "5=2", "5=2"],
        ["--compare-shapes", "5=2", "7=1"],
        ["--compare-shapes", "mean", "0"],
        ["--compare-shapes", "mean", "mean"],
    ],
)
def test_bad_compare_shapes_exit_2_with_one_line(argv, tmp_path, capsys):
    out = tmp_path / "h.pdf"
    with pytest.raises(SystemExit) as e:
        main(["handout", str(out), *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gmed handout: error:") and "\n" not in err, err
    assert not out.exists()


def test_page_words_come_from_the_numbers():
    from viewer import data
    from viewer.export.handout_shapes import ShapeView, comparison, direction, title_of
    from viewer.shape_measures import ShapeMeasures

    texts = data.annotation("texts")["handout_shapes"]
    assert direction(125.5, 124.0, texts) == "toward coxa valga"
    assert direction(120.5, 124.0, texts) == "toward coxa vara"
    assert direction(124.3, 124.0, texts) == "about the mean's"

    def view(arm, force):
        m = ShapeMeasures(124.0, 40.0, 440.0, 19.0, 234.0, arm, force)
        return ShapeView(Shape(), m, None, {})

    text = comparison(view(50.3, 1.88), view(55.3, 1.60), texts)
    assert "A 50.3 mm, B 55.3 mm; A's is shorter (-9.0 %)" in text
    assert "A 1.88 BW, B 1.60 BW; A needs more force (+17.5 %)" in text
    text = comparison(view(55.3, 1.60), view(55.3, 1.60), texts)
    assert "about as long (+0.0 %)" in text and "needs about the same force" in text
    assert title_of(Shape.parse("5=-2"), texts) == "Mode 5 \u22122 SD"
    assert title_of(Shape(), texts) == "Mean shape"
