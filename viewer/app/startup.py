"""What a new session needs at once, kept on disk between runs so the server starts fast."""

from __future__ import annotations

import json
import logging
import os
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from viewer import contract, data
from viewer.anatomy import SIDES

log = logging.getLogger("gmed")

_MAGIC = b"GMEDSTART5"


@dataclass(frozen=True)
class Startup:
    """Static meshes and the muscle model of both sides, cameras, contract and texts.

    Everything here is immutable and shared by all sessions. It is built from the full
    scene (:func:`viewer.app.payload.shared_scene`) once, then read back from the cache, so
    that a session opens before the full scene exists. The browser computes every pose from
    it: the server needs the full scene only for exports.
    """

    texts: dict
    contract: dict  # viewer.contract.as_json(): what the browser shares with Python
    static: dict  # HipView.scene_data (BrowserScene.static): both sides
    cameras: dict  # side -> view -> {position, focal_point, view_up, fit: {height_mm, width}}

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def build(scene) -> Startup:
    """Collect the start-up payloads from a :class:`~viewer.app.payload.BrowserScene`."""
    views = scene.scene.views
    keys = ("position", "focal_point", "view_up")

    def camera(view: str, side: str) -> dict:
        # a 16:9 picture's camera, and what frames the view in a page of any aspect (framing.js)
        fit = scene.scene.view_fit(view, side)
        fitted = {"height_mm": fit["height_mm"], "width": fit["width"]}
        return {k: a.tolist() for k, a in zip(keys, scene.scene.camera(view, side), strict=True)} | {
            "fit": fitted
        }

    cameras = {side: {v: camera(v, side) for v in views} for side in SIDES}
    return Startup(texts=scene.texts, contract=contract.as_json(), static=scene.static, cameras=cameras)


# ---------------------------------------------------------------------- file format
def pack(obj) -> bytes:
    """JSON-able nested data with ``bytes`` leaves -> one file: header, JSON, blobs. No pickle."""
    blobs: list[bytes] = []

    def strip(x):
        if isinstance(x, bytes):
            blobs.append(x)
            return {"__blob__": len(blobs) - 1}
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [strip(v) for v in x]
        return x

    head = json.dumps(strip(obj), separators=(",", ":")).encode()
    sizes = [len(b) for b in blobs]
    index = json.dumps(sizes).encode()
    return b"".join([_MAGIC, struct.pack("<QQ", len(head), len(index)), head, index, *blobs])


def unpack(raw: bytes):
    """Inverse of :func:`pack`. Raises ValueError on anything malformed or truncated."""
    if not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + 16:
        raise ValueError("not a gmed start-up cache file")
    n_head, n_index = struct.unpack_from("<QQ", raw, len(_MAGIC))
    pos = len(_MAGIC) + 16
    head = json.loads(raw[pos : pos + n_head])
    sizes = json.loads(raw[pos + n_head : pos + n_head + n_index])
    pos += n_head + n_index
    if pos + sum(sizes) != len(raw):
        raise ValueError("cache file is truncated")
    blobs = []
    for n in sizes:
        blobs.append(raw[pos : pos + n])
        pos += n

    def fill(x):
        if isinstance(x, dict):
            if set(x) == {"__blob__"}:
                return blobs[x["__blob__"]]
            return {k: fill(v) for k, v in x.items()}
        if isinstance(x, list):
            return [fill(v) for v in x]
        return x

    return fill(head)


# ---------------------------------------------------------------------- cache
def cache_dir() -> Path:
    """``$GMED_CACHE_DIR``, else ``$XDG_CACHE_HOME/gmed-viewer``, else ``~/.cache/gmed-viewer``."""
    if os.environ.get("GMED_CACHE_DIR"):
        return Path(os.environ["GMED_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gmed-viewer"


def cache_path(key: str) -> Path:
    return cache_dir() / f"startup-{key[:24]}.bin"


def _read(path: Path) -> Startup | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("gmed: start-up cache %s unreadable (%s); rebuilding", path, exc.strerror)
        return None
    try:
        return Startup(**unpack(raw))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("gmed: start-up cache %s is damaged (%s); rebuilding", path, exc)
        return None


def _write(path: Path, s: Startup) -> None:
    from viewer.export.files import ExportError, write_atomic

    raw = pack(s.as_dict())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: tmp.write_bytes(raw), force=True)
        for old in path.parent.glob("startup-*.bin"):  # one version kept
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ExportError) as exc:
        log.warning("gmed: cannot write start-up cache in %s (%s); next start is slower", path.parent, exc)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _key() -> str:
    """The sources' fingerprint, hashed once per process (it reads every mesh)."""
    return data.fingerprint()


@lru_cache(maxsize=1)
def _startup() -> Startup:
    path = cache_path(_key())
    found = _read(path)
    if found is not None:
        return found
    from viewer.app.payload import shared_scene

    built = build(shared_scene())
    _write(path, built)
    return built


def startup() -> Startup:
    """The start-up payloads: from the cache when meshes, annotations and code are unchanged."""
    with _lock:
        return _startup()


def reset() -> None:
    """Forget the payloads held in memory (the next call reads the cache again)."""
    global _helper
    with _lock:
        _helper = None
        _startup.cache_clear()
        _key.cache_clear()


_helper: subprocess.Popen | None = None


def prepare_in_background() -> subprocess.Popen | None:
    """Build a missing start-up cache in a second process, while this one imports Panel.

    Only on the first start after an install or an update (no cache file for these sources).
    The helper writes the payloads the first page needs. Call :func:`wait_for_helper`, then
    :func:`startup`, which reads the file, or, if the helper failed (for example on a broken
    annotation file), builds it itself and reports the problem.
    """
    global _helper
    if cache_path(_key()).exists():
        return None
    _helper = subprocess.Popen(
        [sys.executable, "-m", "viewer.app.startup"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return _helper


def wait_for_helper(helper: subprocess.Popen, timeout: float = 300.0) -> None:
    """Until the helper has written the start-up file, or has ended (or ``timeout``)."""
    path = cache_path(_key())
    deadline = time.monotonic() + timeout
    while helper.poll() is None and not path.exists():
        if time.monotonic() > deadline:
            helper.kill()
            return
        time.sleep(0.01)


#: Set when the first page has been drawn in a browser (see ``viewer.app.server``).
first_view = threading.Event()


def warm_up(wait_s: float = 10.0) -> threading.Thread:
    """Build the full scene (for exports) in a background thread, after the first
    page is drawn (or ``wait_s``).

    Waiting keeps the CPU free for that first page; later slider moves and exports then find
    the scene ready. Failures are logged in one line; the session that needs the scene
    reports them too.
    """
    from viewer.app.payload import shared_scene

    def run():
        first_view.wait(wait_s)
        try:
            shared_scene()
        except Exception as exc:
            log.error("gmed: building the scene failed: %s", exc)

    thread = threading.Thread(target=run, name="gmed-scene", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":  # the helper process of prepare_in_background()
    startup()  # what the first page needs, written at once
