"""Off-screen exports: PNG screenshots, GIF/MP4 animations, posed geometry (glTF, PLY) and the handout.

One job per module: ``files`` (checks, the overwrite rule, atomic writes), ``render``
(pictures), ``labels`` (labels drawn over a picture), ``animation`` (GIF/MP4), ``geometry_files``
(GLB/PLY), ``gltf`` (the GLB writer) and ``handout_layout`` (the handout). The names below are
imported from them on first use, so that ``from viewer.export import check_size`` does not load PyVista.
"""

from __future__ import annotations

from importlib import import_module

from viewer.export.files import MAX_SIZE, ExportError, check_output, check_size, write_atomic

#: Where each name of the package lives.
_LAZY = {
    "render_image": "render",
    "render_png": "render",
    "animate": "animation",
    "animate_stance": "animation",
    "animate_exercise": "animation",
    "animate_gait": "animation",
    "export_scene": "geometry_files",
    "posed_parts": "geometry_files",
    "EXPORT_NAMES": "geometry_files",
    "handout": "handout_layout",
    "PAPER": "handout_layout",
}

__all__ = ["MAX_SIZE", "ExportError", "check_output", "check_size", "write_atomic", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"viewer.export.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'viewer.export' has no attribute {name!r}")
