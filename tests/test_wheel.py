"""The wheel users install works on its own: data and browser code inside, from any folder."""

import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tracked() -> list[str]:
    """The project's files as a fresh clone has them (git's list; every file outside git)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if listed:
        return listed
    skip = {".git", "build", "dist", "__pycache__", ".venv", "venv"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.parts)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the tracked files: nothing left in build/ can leak in."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    for name in _tracked():
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (whl,) = out.glob("gmed_viewer-*.whl")
    return whl


def test_wheel_holds_the_data_and_the_browser_code(wheel):
    names = {n for n in zipfile.ZipFile(wheel).namelist() if not n.startswith("gmed_viewer-")}
    shipped = {
        f if f.startswith("viewer/") else f"viewer/{f}"
        for f in _tracked()
        if f.startswith(("viewer/", "meshes/", "annotations/"))
    }
    assert names == shipped  # every file of the package and its data, and nothing else
    assert "viewer/meshes/sacrum.ply" in names and "viewer/annotations/schema/views.schema.json" in names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel alone; its dependencies come from this test environment."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # a plain path line: the test environment's packages, but not its editable gmed-viewer finder
    Path(purelib, "test_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    proc = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env_dir


def _gmed(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [env_dir / "bin" / "gmed", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_installed_gmed_runs_from_an_empty_folder(installed, tmp_path):
    where = subprocess.run(
        [installed / "bin" / "python", "-c", "import viewer.data as d; print(d.PACKAGE_DIR, d.MESH_DIR)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    package_dir, mesh_dir = where.stdout.split()
    assert package_dir.startswith(str(installed)), where.stdout  # the wheel, not this checkout
    assert mesh_dir == f"{package_dir}/meshes"
    table = _gmed(
        installed, tmp_path, "table", "--from", "0", "--to", "20", "--step", "20", "--side", "right"
    )
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if line.strip().startswith(("0 right", "20 right"))]
    assert len(rows) == 2
    page = _gmed(installed, tmp_path, "export-html", "hip.html")
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "hip.html").read_text()
    assert len(html) > 1_000_000 and "vtk" in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hip.html"]
