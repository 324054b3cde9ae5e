"""Fixtures of the grafana/ tests: the metric names the real registry exports
(METRICS_DUMP=path to broker/metrics' metrics_dump, set by ctest)."""

import copy
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
# grafana/: generate_dashboards.py
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import grafana_check  # noqa: E402


@pytest.fixture(scope="session")
def registry():
    dump = os.environ.get("METRICS_DUMP")
    if not dump:
        pytest.fail("METRICS_DUMP=/path/to/metrics_dump is not set (ctest sets it; "
                    "build target metrics_dump)")
    return grafana_check.registry_from_dump(dump)


@pytest.fixture
def dashboards():
    """A fresh copy of every committed dashboard, {file name: JSON}, to inspect
    or break."""
    return copy.deepcopy(grafana_check.load_dashboards())
