"""The gmed command line: table output, CSV, argument errors and exit codes."""

import csv
import subprocess
import sys

import pytest

from viewer import cli


def test_table_csv(tmp_path, capsys):
    out = tmp_path / "abd.csv"
    args = ["table", "--joint", "abduction", "--from", "0", "--to", "40", "--step", "20"]
    assert cli.main([*args, "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["joint", "angle_deg", "side", "part", "length_mm", "moment_arm_mm"]
    assert len(rows) == 3 * 2 * 4
    assert {r["part"] for r in rows} == {"anterior", "middle", "posterior", "whole"}
    whole = {(r["side"], float(r["angle_deg"])): float(r["length_mm"]) for r in rows if r["part"] == "whole"}
    assert whole[("right", 0)] > whole[("right", 20)] > whole[("right", 40)]
    text = capsys.readouterr().out
    assert "moment arm" in text and "anterior" in text and "right" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["table", "--from", "-30"], "must lie in -15..45"),
        (["table", "--from", "20", "--to", "10"], "must not be smaller"),
        (["table", "--step", "0"], "--step must be"),
        (["table", "--joint", "rotation", "--from", "-40"], "must lie in -20..30"),
    ],
)
def test_bad_arguments_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_unwritable_csv(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["table", "--from", "0", "--to", "0", "--csv", str(tmp_path / "no" / "such" / "dir.csv")])
    assert exc.value.code == 2
    assert "cannot write" in capsys.readouterr().err


def test_console_script_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "table", "--from", "0", "--to", "0", "--side", "right"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "right" in proc.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "70000"], "--port must be"),
        (["--port", "0"], "--port must be"),
        (["--num-procs", "0"], "--num-procs must be"),
        (["--num-procs", "99"], "--num-procs must be"),
        (["--max-sessions", "-1"], "--max-sessions must be"),
        (["--max-sessions", "lots"], "invalid int value"),
    ],
)
def test_serve_rejects_bad_values(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--no-browser", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
