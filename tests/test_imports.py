"""The pure layers import no rendering or UI library (checked in a fresh interpreter each)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pyvista", "vtkmodules", "panel", "bokeh")


@pytest.mark.parametrize(
    "module", ["viewer.contract", "viewer.presentation", "viewer.posed", "viewer.muscle", "viewer.anatomy"]
)
def test_pure_module_imports_no_rendering_library(module):
    code = f"import sys, {module}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} imported {out.stdout.strip()}"


def test_export_checks_import_without_pyvista():
    """``gmed`` checks sizes and paths before any rendering library is loaded."""
    code = "import sys\nfrom viewer.export import check_size, write_atomic\nprint('pyvista' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
