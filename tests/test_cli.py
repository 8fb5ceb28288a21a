"""The gmed command line: table output, CSV, argument errors and exit codes."""

import csv
import re
import subprocess
import sys

import pytest

from viewer import cli


def test_table_csv(tmp_path, capsys):
    out = tmp_path / "abd.csv"
    args = ["table", "--joint", "abduction", "--from", "0", "--to", "40", "--step", "20"]
    assert cli.main([*args, "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["muscle", "joint", "angle_deg", "side", "part", "length_mm", "moment_arm_mm"]
    assert {r["muscle"] for r in rows} == {"gluteus_medius"}
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
        (["table", "--step", "0"], "argument --step: 0 is outside 0.5..90"),
        (["table", "--flexion", "95"], "argument --flexion: 95 is outside 0..90"),
        (["table", "--joint", "rotation", "--from", "-40"], "must lie in -20..30"),
    ],
)
def test_bad_arguments_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_csv_in_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["table", "--from", "0", "--to", "0", "--csv", str(tmp_path / "no" / "such" / "dir.csv")])
    assert exc.value.code == 2
    assert "does not exist" in capsys.readouterr().err


def test_csv_needs_force_to_overwrite_and_is_replaced_whole(tmp_path, capsys):
    out = tmp_path / "t.csv"
    out.write_text("keep me")
    args = ["table", "--from", "0", "--to", "10", "--step", "10", "--side", "right", "--csv", str(out)]
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert cli.main([*args, "--force"]) == 0
    assert len(out.read_text().splitlines()) == 1 + 2 * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # no temporary file left


def test_table_sweeps_the_whole_range_of_its_joint_by_default(capsys):
    assert cli.main(["table", "--joint", "rotation", "--side", "right", "--step", "25"]) == 0
    angles = re.findall(r"^\s*(-?\d+) right", capsys.readouterr().out, re.MULTILINE)
    assert angles[0] == "-20" and angles[-1] == "30", angles


def test_table_holds_the_other_joints_where_asked(capsys):
    """The moment arm of the rotation sweep changes with the flexion it is held at."""
    base = ["table", "--joint", "rotation", "--from", "0", "--to", "0", "--side", "right"]
    rows = {}
    for flexion in ("0", "40"):
        assert cli.main([*base, "--flexion", flexion]) == 0
        line = next(r for r in capsys.readouterr().out.splitlines() if r.strip().startswith("0 right"))
        rows[flexion] = [float(v) for v in line.split("|")[2].split()]
    assert rows["0"] != rows["40"]
    assert all(abs(a - b) < 200 for a, b in zip(rows["0"], rows["40"], strict=True))


@pytest.mark.parametrize(
    "args, message",
    [
        (["animate", "{tmp}/a.gif", "--start", "-30"], "argument --start: -30 is outside -15..45"),
        (["animate", "{tmp}/a.gif", "--view", "sideways"], "unknown view 'sideways'"),
        (["animate", "{tmp}/a.gif", "--fps", "0"], "argument --fps: 0 is outside 1..60"),
        (["animate", "{tmp}/a.gif", "--frames", "2.5"], "2.5 is not a whole number"),
        (["animate", "{tmp}/a.gif", "--start", "10", "--stop", "10"], "--start and --stop must differ"),
        (["animate", "{tmp}/a.avi"], "give a .gif file or a .mp4 file"),
        (["screenshot", "{tmp}/a.png", "--size", "10x10"], "argument --size: 10x10 is outside"),
        (["screenshot", "{tmp}/a.png", "--size", "big"], "argument --size: 'big'"),
        (["screenshot", "{tmp}/a.png", "--abduction", "nan"], "'nan' is not a finite number"),
        (["screenshot", "{tmp}/a.png", "--rotation", "31"], "argument --rotation: 31 is outside -20..30"),
        (["screenshot", "{tmp}/a.png", "--layers", "bones,skin"], "unknown 'skin'"),
        (["screenshot", "{tmp}/a.png", "--camera", "1,2,3"], "give 9 finite numbers"),
        (["screenshot", "{tmp}/a.png", "--camera", "0,0,0,0,0,0,0,1,0"], "1 mm or more from the focal"),
        (["screenshot", "{tmp}/a.png", "--theme", "neon"], "invalid choice: 'neon'"),
        (["screenshot", "{tmp}", "--force"], "is a folder"),
        (["screenshot", "{tmp}/no/a.png"], "does not exist"),
        (["screenshot", "{tmp}/a.jpg"], "give a .png file"),
        (["handout", "{tmp}/a.docx"], "give a .pdf file or a .png file"),
        (["handout", "{tmp}/a.pdf", "--paper", "a3"], "invalid choice: 'a3'"),
        (["export-scene", "{tmp}/a.stl"], "give a .glb file or a folder name"),
        (["export-html", "{tmp}/a.html", "--flexion", "91"], "argument --flexion: 91 is outside 0..90"),
        (["export-html", "{tmp}/a.htm"], "give a .html file"),
        (["table", "--joint", "knee"], "invalid choice: 'knee'"),
        (["serve", "--port", "x"], "'x' is not a number"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_every_command_answers_bad_values_with_one_line(args, message, tmp_path, capsys):
    """One line naming the option and what it accepts, exit code 2, nothing written."""
    with pytest.raises(SystemExit) as exc:
        cli.main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "a.png"
    out.write_bytes(b"old")
    with pytest.raises(SystemExit) as exc:
        cli.main(["screenshot", str(out), "--size", "64x64"])
    assert exc.value.code == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_bytes() == b"old"


def test_console_script_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "table", "--from", "0", "--to", "0", "--side", "right"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "right" in proc.stdout


def test_a_reader_that_leaves_ends_it_quietly():
    """``gmed table | head``: a reader that closes the pipe before the table is out ends the
    command with no message and the code of a Unix tool stopped by SIGPIPE."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", "table", "--from", "0", "--to", "10"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.close()  # long before the table is computed: its first write finds the pipe closed
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == ""
    assert proc.returncode == cli.PIPE_CLOSED


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "70000"], "argument --port: 70000 is outside 1..65535"),
        (["--port", "0"], "argument --port: 0 is outside 1..65535"),
        (["--num-procs", "0"], "argument --num-procs: 0 is outside 1..16"),
        (["--num-procs", "99"], "argument --num-procs: 99 is outside 1..16"),
        (["--max-sessions", "-1"], "argument --max-sessions: -1 is outside 0..100000"),
        (["--max-sessions", "lots"], "'lots' is not a number"),
        (["--allow-origin", "http://class.example.org/"], "is not HOST or HOST:PORT"),
        (["--allow-origin", "class.example.org:80/x"], "is not HOST or HOST:PORT"),
    ],
)
def test_serve_rejects_bad_values(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--no-browser", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_serve_without_the_vtk_js_of_panel_stops_with_one_line(monkeypatch, capsys):
    from gmedserver import free_port

    from viewer.app import hipview

    monkeypatch.setattr(hipview, "VTK_JS_IN_PANEL", "bundled/abstractvtkplot/vtk.js@0.0.0/vtk.js")
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--no-browser", "--port", str(free_port())])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.startswith("gmed serve: error: vtk.js not found at ") and err.count("\n") == 1, err
    assert "supported: panel 1.9.x" in err


# ---------------------------------------------------------------------- gmed stance
STANCE_HEADER = (
    "stance_side,strength_pct,lean_deg,body_mass_kg,pelvic_drop_deg,pelvic_drop_mm,abductor_force_bw,"
    "abductor_force_n,hip_contact_force_bw,abductor_moment_arm_mm,weight_lever_arm_mm,knee_valgus_deg,"
    "trendelenburg_positive"
)


def test_stance_csv_has_the_issues_columns_and_the_models_values(tmp_path, capsys):
    from viewer.mechanics.stance import StanceInput, StanceModel

    out = tmp_path / "stance.csv"
    args = [
        "stance",
        "--side",
        "left",
        "--body-mass",
        "80",
        "--vary",
        "strength",
        "--from",
        "100",
        "--to",
        "0",
    ]
    assert cli.main([*args, "--step", "50", "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == STANCE_HEADER
    rows = list(csv.DictReader(out.open()))
    assert [float(r["strength_pct"]) for r in rows] == [100, 50, 0]
    model = StanceModel()
    for r in rows:
        want = model.solve(
            StanceInput(side="left", strength_pct=float(r["strength_pct"]), body_mass_kg=80)
        ).row()
        assert (
            r["stance_side"] == "left"
            and r["trendelenburg_positive"] == str(want["trendelenburg_positive"]).lower()
        )
        for key, value in want.items():
            if not isinstance(value, bool | str):
                assert float(r[key]) == pytest.approx(value, abs=1e-4), key
    assert rows[0]["trendelenburg_positive"] == "false" and rows[-1]["trendelenburg_positive"] == "true"
    text = capsys.readouterr().out
    assert "wrote 3 rows" in text and "pelvic drop" in text and "BW" in text


def test_stance_prints_one_row_by_default_with_units(capsys):
    assert cli.main(["stance"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "right leg" in lines[0] and "body mass 70 kg" in lines[0] and "no cane" in lines[0]
    units = next(line for line in lines if line.split()[:2] == ["%", "deg"])
    assert units.split() == ["%", "deg", "deg", "mm", "BW", "N", "BW", "mm", "mm", "deg"]
    rows = [line for line in lines if re.match(r"^\s+\d", line)]
    assert len(rows) == 1 and rows[0].split()[:2] == ["100", "0.0"] and rows[0].endswith("negative")


@pytest.mark.parametrize(
    "args, first, last, count",
    [
        (["--vary", "strength"], "100", "0", 11),  # the whole range, from strong to weak
        (["--vary", "lean"], "0.0", "30.0", 7),
        (["--vary", "lean", "--from", "30", "--to", "0", "--step", "-10"], "30.0", "0.0", 4),
        (
            ["--vary", "lean", "--from", "0", "--to", "25", "--step", "10"],
            "0.0",
            "25.0",
            4,
        ),  # the end value too
        (["--vary", "strength", "--from", "40", "--to", "40"], "40", "40", 1),
    ],
)
def test_stance_sweeps(args, first, last, count, capsys):
    assert cli.main(["stance", *args]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if re.match(r"^\s+\d", line)]
    column = 0 if "strength" in args else 1
    assert len(rows) == count
    assert rows[0].split()[column] == first and rows[-1].split()[column] == last


@pytest.mark.parametrize(
    "args, message",
    [
        (["--strength", "101"], "argument --strength: 101 is outside 0..100"),
        (["--strength", "-1"], "argument --strength: -1 is outside 0..100"),
        (["--lean", "31"], "argument --lean: 31 is outside 0..30"),
        (["--body-mass", "19"], "argument --body-mass: 19 is outside 20..200"),
        (["--body-mass", "heavy"], "'heavy' is not a number"),
        (["--cane", "30.5"], "argument --cane: 30.5 is outside 0..30"),
        (["--cane-hand", "left"], "invalid choice: 'left'"),
        (["--side", "both"], "invalid choice: 'both'"),
        (["--vary", "mass"], "invalid choice: 'mass'"),
        (["--lean", "nan"], "'nan' is not a finite number"),
        (["--vary", "strength", "--step", "0"], "--step must not be 0"),
        (["--vary", "lean", "--from", "0", "--to", "30", "--step", "-5"], "points away from --to"),
        (["--vary", "lean", "--from", "0", "--to", "40"], "--to 40 is outside 0..30 for --vary lean"),
        (["--vary", "strength", "--from", "-10"], "--from -10 is outside 0..100"),
        (["--vary", "strength", "--step", "0.0001"], "more than 1001 rows"),
        (["--vary", "strength", "--strength", "50"], "--strength and --vary strength both set strength"),
        (["--from", "0", "--to", "10"], "--from and --to need --vary"),
        (["--step", "5"], "--step need --vary"),
        (["--vary"], "expected one argument"),
        (["--vary", "lean", "--from"], "expected one argument"),
        (["--csv", "{tmp}/s.txt"], "give a .csv file"),
    ],
)
def test_stance_bad_values_exit_2_and_write_nothing(args, message, tmp_path, capsys):
    argv = ["stance", *[a.replace("{tmp}", str(tmp_path)) for a in args]]
    if "--csv" not in argv:
        argv += ["--csv", str(tmp_path / "s.csv")]
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_stance_csv_needs_force_to_overwrite(tmp_path, capsys):
    out = tmp_path / "s.csv"
    out.write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        cli.main(["stance", "--csv", str(out)])
    assert exc.value.code == 2 and "exists; use --force" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert cli.main(["stance", "--csv", str(out), "--force"]) == 0
    assert out.read_text().splitlines()[0] == STANCE_HEADER and len(out.read_text().splitlines()) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]


def test_stance_cane_hand_without_a_cane_is_no_cane(capsys):
    """--cane 0 (the default) is no cane: the hand changes nothing, and the table says so."""
    assert cli.main(["stance", "--strength", "50", "--cane-hand", "same"]) == 0
    same = capsys.readouterr().out
    assert cli.main(["stance", "--strength", "50"]) == 0
    assert capsys.readouterr().out == same and "no cane" in same
    assert cli.main(["stance", "--strength", "50", "--cane", "15"]) == 0
    assert "cane in the opposite hand pushing 15 %" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["screenshot", "{tmp}/a.png", "--strength", "50"], "--strength need --stance"),
        (["screenshot", "{tmp}/a.png", "--stance", "--strength", "150"], "--strength: 150 is outside 0..100"),
        (
            ["screenshot", "{tmp}/a.png", "--stance", "--abduction", "10"],
            "--abduction do not apply to --stance",
        ),
        (["animate", "{tmp}/a.gif", "--lean", "5"], "--lean need --stance"),
        (["animate", "{tmp}/a.gif", "--stance", "--strength", "5"], "unrecognized arguments: --strength"),
        (
            ["animate", "{tmp}/a.gif", "--stance", "--start", "0"],
            "--start and --stop do not apply to --stance",
        ),
    ],
)
def test_stance_pictures_answer_bad_values_with_one_line(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", ["serve", "screenshot", "animate", "handout", "export-html", "export-scene", "table", "stance"]
)
def test_every_help_prints(command, capsys):
    """argparse formats help with %: a bare % in a help text breaks --help with a traceback."""
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: gmed" in capsys.readouterr().out


def test_stance_cane_tip_moves_the_canes_lever(capsys):
    from viewer.mechanics.stance import StanceInput, StanceModel

    assert cli.main(["stance", "--cane", "20", "--cane-hand", "same", "--cane-tip", "60"]) == 0
    out = capsys.readouterr().out
    assert "its tip 60 mm from the midline" in out
    r = StanceModel().solve(StanceInput(cane_pct=20.0, cane_hand="same", cane_tip_mm=60.0))
    assert f"{r.abductor_force_bw:.2f}" in out
