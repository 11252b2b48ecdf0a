"""With RSSPRESS_TEST_NO_SKIPS=1 every skipped test fails instead, naming why it would have skipped.

CI sets it where every external program is installed: a test that quietly stopped running (a
program missing, PostgreSQL not reachable) is then a red run, not a line in a summary.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

NO_SKIPS = "RSSPRESS_TEST_NO_SKIPS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:  # fmt: skip
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and os.environ.get(NO_SKIPS) == "1" and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped with {NO_SKIPS}=1: {reason}"
