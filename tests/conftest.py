"""Shared fixtures and settings: the hip model is loaded once per test session."""

import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from viewer.anatomy import HipModel

# CI is derandomized, so that a red run is reproducible with the same examples; a local run
# keeps exploring new ones (HYPOTHESIS_PROFILE=ci to reproduce CI here).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# the tests (and the servers they start) use their own start-up cache, never the user's
os.environ["GMED_CACHE_DIR"] = tempfile.mkdtemp(prefix="gmed-test-cache-")


@pytest.fixture(scope="session")
def model() -> HipModel:
    return HipModel()
