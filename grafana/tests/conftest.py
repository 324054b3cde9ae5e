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
def exposition():
    """What the real registry prints, every family with series (metrics_dump)."""
    dump = os.environ.get("METRICS_DUMP")
    if not dump:
        pytest.fail("METRICS_DUMP=/path/to/metrics_dump is not set (ctest sets it; "
                    "build target metrics_dump)")
    return grafana_check.read_dump(dump)


@pytest.fixture(scope="session")
def registry(exposition):
    """{sample name: family} of the real registry."""
    return grafana_check.registry_sample_names(exposition)


@pytest.fixture(scope="session")
def labels(exposition):
    """{sample name: label names} of the real registry."""
    return grafana_check.registry_labels(exposition)


@pytest.fixture
def dashboards():
    """A fresh copy of every committed dashboard, {file name: JSON}, to inspect
    or break."""
    return copy.deepcopy(grafana_check.load_dashboards())
