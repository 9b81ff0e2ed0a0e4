"""Hooks and fixtures of the xdpkit Python tests (helpers: _helpers.py)."""
from __future__ import annotations

import os

import pytest

from xdpkit.testing import require


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) no test may be skipped: a skip is a failure."""
    outcome = yield
    rep = outcome.get_result()
    if os.environ.get("CI") == "true" and rep.skipped and not hasattr(rep, "wasxfail"):
        rep.outcome = "failed"
        rep.longrepr = f"skipped in CI (CI=true): {rep.longrepr}"


@pytest.fixture(autouse=True, scope="session")
def _root():
    require(os.geteuid() == 0, "the xdpkit tests need root (CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN)")
