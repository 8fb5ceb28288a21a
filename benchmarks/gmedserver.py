"""``gmed serve`` in a subprocess on a free loopback port: start, wait, read its log, measure, stop.

Shared by the end-to-end tests and the benchmarks (``pythonpath = ["benchmarks"]`` in
pyproject.toml), so that there is one way to start a server and wait for it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GmedServer:
    """One ``gmed serve --no-browser`` on 127.0.0.1, its output kept in a file.

    Parameters
    ----------
    *extra : str
        More ``gmed serve`` options (``--num-procs 2``, ``--max-sessions 0``).
    log_dir : Path, optional
        Where the log file goes (a private temporary file if not given).
    cwd : Path, optional
        Working folder of the server.
    env : dict, optional
        Extra environment variables (``GMED_CACHE_DIR``, ``PYTHONPATH``).
    """

    def __init__(
        self, *extra: str, log_dir: Path | None = None, cwd: Path | None = None, env: dict | None = None
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._own_log = log_dir is None  # a private temporary log is removed by stop()
        if log_dir is None:
            fd, name = tempfile.mkstemp(prefix=f"gmed-server-{self.port}-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        else:
            self.log_path = Path(log_dir) / f"server-{self.port}.log"
        self.log = open(self.log_path, "w")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "viewer.cli", "serve", "--no-browser", "--port", str(self.port), *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,
        )

    def wait_up(self, timeout: float = 90, poll: float = 0.02) -> GmedServer:
        """Wait until the port accepts connections; raise with the log if the server died."""
        deadline = time.time() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"gmed serve exited with {self.proc.returncode}: {self.text()}"
                    ) from None
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"gmed serve did not listen within {timeout:g} s: {self.text()}"
                    ) from None
                time.sleep(poll)

    def text(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text()

    def open_count(self) -> int:
        """Open sessions, as the server's last session log line says."""
        found = re.findall(r"\((\d+) open\)", self.text())
        return int(found[-1]) if found else 0

    def wait_sessions(self, n: int, timeout: float = 45) -> int:
        """Wait until ``n`` sessions are open (or the timeout); return the count."""
        deadline = time.time() + timeout
        while self.open_count() != n and time.time() < deadline:
            time.sleep(0.5)
        return self.open_count()

    def processes(self) -> list[psutil.Process]:
        """The server and its children (``--num-procs`` forks them)."""
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss_mb(self, children: bool = True) -> float:
        """Resident memory of the server (and its children: ``--num-procs``, the cache helper), MiB."""
        total = 0
        for p in self.processes()[: None if children else 1]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20

    def cpu_s(self) -> float:
        """CPU time (user + system) used so far by the server and its children, s."""
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Stop the server (SIGTERM, as Ctrl-C) and return its exit code; kill it if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            self.log.close()
            if self._own_log:
                self.log_path.unlink(missing_ok=True)


def grab_slider(page, label: str) -> tuple[float, float]:
    """Press the mouse on the handle of the app's slider titled ``label`` (e.g. ``"Mode 1 (SD)"``)
    in a Playwright page, and return where (x, y, CSS px): the caller moves it and lets go."""
    handle = page.locator(".bk-input-group", has_text=label).locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    return x, y
