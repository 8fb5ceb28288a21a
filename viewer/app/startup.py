"""What a new session needs at once, kept on disk between runs so the server starts fast."""

from __future__ import annotations

import json
import logging
import os
import struct
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from viewer import data
from viewer.anatomy import SIDES, Pose

log = logging.getLogger("gmed")

_MAGIC = b"GMEDSTART2"


@dataclass(frozen=True)
class Startup:
    """Static meshes, the abduction sweep at zero flexion and rotation, cameras and texts.

    Everything here is immutable and shared by all sessions. It is built from the full
    scene (:func:`viewer.app.payload.shared_scene`) once, then read back from the cache, so
    that a session can open, move the abduction slider and play before the full scene exists.
    """

    texts: dict
    static: dict  # side -> static payload (see BrowserScene.static)
    sweeps: dict  # side -> [frames bytes, meta] (see BrowserScene.sweep), flexion = rotation = 0
    cameras: dict  # side -> view -> [position, focal point, view-up]

    def sweep(self, side: str, flexion: float, rotation: float) -> tuple[bytes, dict] | None:
        """The sweep for this flexion and rotation if it is the cached one, else None."""
        if flexion != 0.0 or rotation != 0.0:
            return None
        frames, meta = self.sweeps[side]
        return frames, meta

    def frame(self, side: str, pose: Pose) -> tuple[bytes, dict] | None:
        """The frame and read-out of ``pose`` if it is in the cached sweep, else None."""
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


def build(scene) -> Startup:
    """Collect the start-up payloads from a :class:`~viewer.app.payload.BrowserScene`."""
    views = scene.scene.views
    cameras = {side: {v: [a.tolist() for a in scene.scene.camera(v, side)] for v in views} for side in SIDES}
    sweeps = {side: list(scene.sweep(side, 0.0, 0.0)) for side in SIDES}
    return Startup(texts=scene.texts, static=scene.static, sweeps=sweeps, cameras=cameras)


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
        d = unpack(raw)
        return Startup(texts=d["texts"], static=d["static"], sweeps=d["sweeps"], cameras=d["cameras"])
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("gmed: start-up cache %s is damaged (%s); rebuilding", path, exc)
        return None


def _write(path: Path, s: Startup) -> None:
    raw = pack({"texts": s.texts, "static": s.static, "sweeps": s.sweeps, "cameras": s.cameras})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".startup-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
        for old in path.parent.glob("startup-*.bin"):  # one version kept
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("gmed: cannot write start-up cache in %s (%s); next start is slower", path.parent, exc)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _startup() -> Startup:
    path = cache_path(data.fingerprint())
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


#: Set when the first page has been drawn in a browser (see ``viewer.app.server``).
first_view = threading.Event()


def warm_up(wait_s: float = 10.0) -> threading.Thread:
    """Build the full scene in a background thread, after the first page is drawn (or ``wait_s``).

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
