"""Another revision of the project in a throw-away git worktree, and processes run from a tree."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil

#: the tree these benchmarks belong to (the code measured when no revision is given)
HERE = Path(__file__).resolve().parent.parent


def short(rev: str, repo: Path = HERE) -> str:
    """The abbreviated commit id of ``rev`` (raises CalledProcessError for an unknown one)."""
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@contextlib.contextmanager
def worktree(rev: str, repo: Path = HERE) -> Iterator[Path]:
    """A detached ``git worktree`` of ``rev`` in a temporary folder, removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="gmed-rev-"))
    tree = folder / "tree"
    subprocess.run(
        ["git", "-C", str(repo), "worktree", "add", "--detach", "--quiet", str(tree), rev],
        check=True,
    )
    try:
        yield tree
    finally:
        rm = subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(folder, ignore_errors=True)
        if rm.returncode:  # its folder is gone now: forget it
            subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=False)


def tree_env(tree: Path, cache_dir: str | Path) -> dict:
    """Environment variables that make ``python -m viewer.cli`` run the code of ``tree``."""
    return {"PYTHONPATH": str(tree), "GMED_CACHE_DIR": str(cache_dir)}


def python(
    tree: Path, *args: str, cache_dir: str | Path, timeout: float, env: dict | None = None, label: str = "old"
):
    """Run ``python args`` with the code of ``tree``; echo its output, prefixed, as it comes.

    On timeout it gets SIGINT (its ``finally`` blocks stop its servers), then SIGKILL, and so
    does every process it started. Returns (exit code, the whole output).
    """
    full = {**os.environ, "PYTHONUNBUFFERED": "1", **tree_env(tree, cache_dir), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=tree,
        env=full,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []

    def read():
        for line in proc.stdout:
            lines.append(line)
            print(f"    [{label}] {line}", end="", flush=True)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        lines.append(f"\n(timed out after {timeout:.0f} s)\n")
        stop_tree(proc)
    finally:
        if proc.poll() is None:
            stop_tree(proc)
    reader.join(timeout=5)
    return proc.returncode, "".join(lines)


def stop_tree(proc: subprocess.Popen, grace: float = 30) -> None:
    """Stop ``proc`` (SIGINT, then SIGKILL after ``grace`` s) and every process it started."""
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kids = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for k in kids:  # by id: only what it started (servers run in sessions of their own)
        with contextlib.suppress(psutil.NoSuchProcess):
            if k.is_running():
                k.kill()
