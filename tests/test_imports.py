"""The pure layers import no rendering or UI library (checked in a fresh interpreter each)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pyvista", "vtkmodules", "panel", "bokeh")


def _fresh(code: str) -> str:
    """What ``code`` prints in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize(
    "module",
    [
        "viewer.contract",
        "viewer.presentation",
        "viewer.framing",
        "viewer.label_layout",
        "viewer.label_anchors",
        "viewer.stance_presentation",
        "viewer.exercise_presentation",
        "viewer.mechanics.exercises",
        "viewer.mechanics.gait",
        "viewer.mechanics.activity_twin",
        "viewer.gait_presentation",
        "viewer.posed",
        "viewer.twin",
        "viewer.muscles",
        "viewer.anatomy",
        "viewer.shape_targets",
    ],
)
def test_pure_module_imports_no_rendering_library(module):
    loaded = _fresh(f"import sys, {module}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert loaded == "", f"{module} imported {loaded}"


def test_export_checks_and_the_cli_import_without_pyvista():
    """``gmed`` checks sizes and paths before any rendering library is loaded."""
    code = "import sys, viewer.cli\nfrom viewer.export import check_size, write_atomic\n"
    assert _fresh(code + "print('pyvista' in sys.modules)") == "False"
