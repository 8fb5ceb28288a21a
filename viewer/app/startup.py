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
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from viewer import contract, data
from viewer.anatomy import SIDES, Pose

log = logging.getLogger("gmed")

_MAGIC = b"GMEDSTART4"


@dataclass(frozen=True)
class Startup:
    """Static meshes, the neutral frames, cameras and texts, then the abduction sweeps.

    Everything here is immutable and shared by all sessions. It is built from the full
    scene (:func:`viewer.app.payload.shared_scene`) once, then read back from the cache, so
    that a session can open, move the abduction slider and play before the full scene exists.
    The sweeps at zero flexion and rotation are left out of the first build, which the first
    page waits for, and added by :func:`complete` once that page is drawn.
    """

    texts: dict
    contract: dict  # viewer.contract.as_json(): what the browser shares with Python
    static: dict  # side -> static payload (see BrowserScene.static)
    neutral: dict  # side -> [frame bytes, read-out] at the neutral pose
    cameras: dict  # side -> view -> [position, focal point, view-up]
    sweeps: dict = field(default_factory=dict)  # side -> [frames bytes, meta] (BrowserScene.sweep)

    @property
    def complete(self) -> bool:
        return all(side in self.sweeps for side in SIDES)

    def sweep(self, side: str, flexion: float, rotation: float) -> tuple[bytes, dict] | None:
        """The sweep for this flexion and rotation if it is the cached one, else None."""
        if flexion != 0.0 or rotation != 0.0 or side not in self.sweeps:
            return None
        frames, meta = self.sweeps[side]
        return frames, meta

    def frame(self, side: str, pose: Pose) -> tuple[bytes, dict] | None:
        """The frame and read-out of ``pose`` if it is neutral or in the cached sweep, else None."""
        if pose == Pose():
            frame, readout = self.neutral[side]
            return frame, readout
        found = self.sweep(side, pose.flexion, pose.rotation)
        if found is None:
            return None
        frames, meta = found
        angles = meta["angles"]
        i = round((pose.abduction - angles[0]) / (angles[1] - angles[0]))
        if not 0 <= i < len(angles) or angles[i] != pose.abduction:
            return None
        n = 4 * sum(self.static[side]["layout"].values())
        readout = {"length": meta["length"][i], "moment_arm": meta["moment_arm"][i]}
        return frames[i * n : (i + 1) * n], readout

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def build(scene, sweeps: bool = True) -> Startup:
    """Collect the start-up payloads from a :class:`~viewer.app.payload.BrowserScene`."""
    views = scene.scene.views
    cameras = {side: {v: [a.tolist() for a in scene.scene.camera(v, side)] for v in views} for side in SIDES}
    neutral = {side: list(scene.frame(side, Pose())) for side in SIDES}
    swept = {side: list(scene.sweep(side, 0.0, 0.0)) for side in SIDES} if sweeps else {}
    return Startup(
        texts=scene.texts,
        contract=contract.as_json(),
        static=scene.static,
        neutral=neutral,
        cameras=cameras,
        sweeps=swept,
    )


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
_completed: Startup | None = None


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

    built = build(shared_scene(), sweeps=False)  # the sweeps follow the first page (complete())
    _write(path, built)
    return built


def startup() -> Startup:
    """The start-up payloads: from the cache when meshes, annotations and code are unchanged."""
    with _lock:
        return _completed if _completed is not None else _startup()


def complete() -> Startup:
    """Add the zero-flexion sweeps if the start-up payloads lack them, and store them in the
    cache. They come from the helper process if it computed them (see
    :func:`prepare_in_background`), else they are computed here."""
    global _completed

    s = startup()
    if s.complete:
        return s
    path = cache_path(_key())
    full = None
    if _helper is not None:
        try:
            _helper.wait(timeout=120)
        except subprocess.TimeoutExpired:
            _helper.kill()
        found = _read(path)
        full = found if found is not None and found.complete else None
    if full is None:
        from viewer.app.payload import shared_sweep

        full = replace(s, sweeps={side: list(shared_sweep(side, 0.0, 0.0)) for side in SIDES})
        _write(path, full)
    with _lock:
        _completed = full
    return full


def reset() -> None:
    """Forget the payloads held in memory (the next call reads the cache again)."""
    global _completed, _helper
    with _lock:
        _completed = None
        _helper = None
        _startup.cache_clear()
        _key.cache_clear()


_helper: subprocess.Popen | None = None


def prepare_in_background() -> subprocess.Popen | None:
    """Build a missing start-up cache in a second process, while this one imports Panel.

    Only on the first start after an install or an update (no cache file for these sources).
    The helper writes the payloads the first page needs, then adds the sweeps (see
    :func:`complete`). Call :func:`wait_for_helper`, then :func:`startup`, which reads the
    file, or, if the helper failed (for example on a broken annotation file), builds it
    itself and reports the problem.
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
    """Build the full scene and the missing sweeps in a background thread, after the first
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
            complete()
        except Exception as exc:
            log.error("gmed: building the scene failed: %s", exc)

    thread = threading.Thread(target=run, name="gmed-scene", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":  # the helper process of prepare_in_background()
    startup()  # what the first page needs, written at once
    os.nice(10)  # then the sweeps, without taking the CPU from the server and the first page
    complete()
