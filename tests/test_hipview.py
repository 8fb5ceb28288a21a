"""HipView's start-up check of the vtk.js inside the panel wheel, and its ES module bundle."""

import re
from pathlib import Path

import panel
import pytest

from viewer.app import hipview


def test_vtk_js_path_is_the_file_in_the_panel_wheel():
    path = hipview.vtk_js_path()
    assert path.is_file() and path.stat().st_size > 1e6
    assert path == Path(panel.__file__).parent / "dist" / hipview.VTK_JS_IN_PANEL
    assert hipview.VTK_JS_URL.endswith(hipview.VTK_JS_IN_PANEL)


def test_vtk_js_path_missing_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(panel, "__file__", str(tmp_path / "panel" / "__init__.py"))
    with pytest.raises(RuntimeError) as err:
        hipview.vtk_js_path()
    text = str(err.value)
    assert str(tmp_path / "panel" / "dist" / hipview.VTK_JS_IN_PANEL) in text
    assert panel.__version__ in text and hipview.PANEL_SUPPORTED in text


def test_bundle_is_every_module_once_with_one_export():
    esm = hipview.HipView._esm
    assert esm == hipview.bundle()
    listed = set(hipview.JS_MODULES)
    on_disk = {p.name for p in hipview.JS_DIR.glob("*.js")}
    assert listed == on_disk, "a file in viewer/app/js/ is not in JS_MODULES, or the reverse"
    assert re.findall(r"^export .*$", esm, re.MULTILINE) == ["export { render };"]
    assert not re.search(r"^\s*import\b", esm, re.MULTILINE)
    for name in hipview.JS_MODULES:
        lines = (hipview.JS_DIR / name).read_text().splitlines()
        assert len(lines) <= 500, f"{name}: {len(lines)} lines"
