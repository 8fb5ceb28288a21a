"""Output files of the exports: size and path checks, the overwrite rule and atomic writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Largest picture an export renders (width, height), pixels.
MAX_SIZE = (3840, 2160)


class ExportError(Exception):
    """An output that cannot be written as asked (exists, missing folder, bad size)."""


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Validate an output size (width, height) in pixels."""
    w, h = (int(v) for v in size)
    if not (64 <= w <= MAX_SIZE[0] and 64 <= h <= MAX_SIZE[1]):
        raise ValueError(f"size {w}x{h} is outside 64x64..{MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return w, h


def check_output(path: Path, force: bool) -> Path:
    """Refuse to overwrite without ``force``; the folder must exist and be writable."""
    path = Path(path)
    if path.exists() and not force:
        raise ExportError(f"{path} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ExportError(f"folder {path.parent} is not writable")
    return path


def write_atomic(path: Path, write: Callable[[Path], None], force: bool = False) -> Path:
    """Write through ``write(tmp_path)`` into a temporary file beside ``path``, then rename.

    Nothing is left behind if writing fails, and an existing file is replaced
    only with ``force``. The file gets the permissions any new file of the user gets
    (``0o666`` less the umask), not the private ones of a temporary file.
    """
    path = check_output(path, force)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask
