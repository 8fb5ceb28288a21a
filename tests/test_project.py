"""Project conventions: the README's commands, CI running them, layering."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = [
    "geometry",
    "atlas",
    "landmarks",
    "data",
    "anatomy",
    "muscles/__init__",
    "muscles/fan",
    "muscles/attachments",
    "muscles/moment",
    "muscles/neighbourhood",
    "muscles/soft_tissue",
    "muscles/layers",
    "muscles/batch",
    "muscles/batch_kernels",
    "shape",
    "shape_measures",
    "shape_targets",
    "raster",
    "knee",
    "build_meshes",
    "contract",
    "presentation",
    "stance_presentation",
    "exercise_presentation",
    "mechanics/exercises",
    "mechanics/gait",
    "mechanics/activity_twin",
    "gait_presentation",
    "posed",
]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line.strip() for line in block.strip().splitlines()]


def test_readme_opens_with_run_and_test_commands():
    run, test = readme_commands()
    assert run == "pip install -e . && gmed serve"
    assert test.startswith('pip install -e ".[test]"') and "pytest" in test
    first_block = (ROOT / "README.md").read_text().index("```bash")
    assert first_block < 40  # right after the title


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    _, test = readme_commands()
    # .ci/run takes the command from README.md; check it finds exactly this line
    pattern = re.search(r"grep -m1 -E '(.*?)' README.md", ci).group(1)
    assert re.match(pattern.replace("\\\\", "\\"), test)


def test_pure_layers_do_not_import_rendering_or_ui():
    for name in PURE:
        tree = ast.parse((ROOT / "viewer" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            for m in mods:
                assert not m.startswith(
                    ("pyvista", "vtk", "panel", "bokeh", "viewer.scene", "viewer.app", "viewer.export")
                ), (name, m)


def test_test_files_have_unique_names():
    """pytest imports test files by their base name (no packages here): two of one name break collection."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
