"""Shared fixtures: the hip model is loaded once per test session."""

import os
import tempfile
from pathlib import Path

import pytest

from viewer.anatomy import HipModel

SHARED = Path(__file__).resolve().parents[2] / "shared"

# the tests (and the servers they start) use their own start-up cache, never the user's
os.environ["GMED_CACHE_DIR"] = tempfile.mkdtemp(prefix="gmed-test-cache-")


@pytest.fixture(scope="session")
def model() -> HipModel:
    return HipModel()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "reference").is_dir():
        pytest.skip("../shared is not present beside the checkout")
    return SHARED
