"""Prometheus' own tool judges grafana/: the scrape configs load, the alert
rules parse, the alert unit tests (alerts_test.yml) pass, and every dashboard
expression is valid PromQL. promtool comes with Debian's `prometheus`
package (scripts/install-deps.sh --with-tests); without it these tests are
skipped. ctest: grafana.promtool."""

import shutil
import subprocess

import pytest
import yaml

import grafana_check as g

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None,
                                reason="promtool not installed (apt-get install prometheus)")


def promtool(*args, cwd=g.GRAFANA):
    r = subprocess.run([PROMTOOL, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-cluster.yml"])
def test_check_config(config):
    rc, out = promtool("check", "config", config)
    assert rc == 0, out
    assert "SUCCESS" in out and "1 rule files found" in out


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-cluster.yml"])
def test_config_scrapes_the_admin_port_and_loads_the_alerts(config):
    cfg = yaml.safe_load((g.GRAFANA / config).read_text())
    assert cfg["rule_files"] == ["alerts.yml"]
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    # RobustMQDown selects up{job=~"robustmq.*"}; the disk alerts job="node".
    assert set(jobs) == {"robustmq", "node"}
    assert 'up{job=~"robustmq.*"}' in dict(g.rule_expressions())["rule RobustMQDown"]
    assert jobs["robustmq"]["metrics_path"] == "/metrics"
    assert all(t.endswith(":58080") for sc in jobs["robustmq"]["static_configs"]
               for t in sc["targets"])


def test_cluster_config_scrapes_three_nodes():
    cfg = yaml.safe_load((g.GRAFANA / "prometheus-cluster.yml").read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "robustmq")
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    assert len(targets) == 3 and all(t.endswith(":58080") for t in targets)
    assert job["metrics_path"] == "/metrics"


def test_check_rules():
    rc, out = promtool("check", "rules", "alerts.yml")
    assert rc == 0, out
    alerts = [name for name, _ in g.rule_expressions()]
    assert f"SUCCESS: {len(alerts)} rules found" in out
    # The situations the issue names each have an alert.
    for a in ("RobustMQDown", "RobustMQConnectionRefusals", "RobustMQMessagesDropped",
              "RobustMQAuthFailuresSpike", "RobustMQJournalLatencyHigh",
              "RobustMQDiskSpaceLow"):
        assert f"rule {a}" in alerts


def test_every_alert_is_documented():
    doc = (g.GRAFANA.parent / "docs/monitoring.md").read_text()
    rules = yaml.safe_load(g.ALERTS.read_text())
    for group in rules["groups"]:
        for r in group["rules"]:
            name = r["alert"]
            assert f"### {name}" in doc, f"docs/monitoring.md has no section for {name}"
            assert r["annotations"]["runbook"] == f"docs/monitoring.md#{name.lower()}"
            assert r["labels"]["severity"] in ("warning", "critical")


def test_alert_unit_tests_pass():
    rc, out = promtool("test", "rules", "tests/alerts_test.yml")
    assert rc == 0, out
    assert "SUCCESS" in out


def test_alert_unit_tests_can_fail(tmp_path):
    # The same tests against rules whose broker-down alert waits 10 minutes.
    rules = (g.ALERTS).read_text().replace(
        'expr: up{job=~"robustmq.*"} == 0\n        for: 1m',
        'expr: up{job=~"robustmq.*"} == 0\n        for: 10m')
    assert rules != g.ALERTS.read_text()
    (tmp_path / "alerts.yml").write_text(rules)
    tests = yaml.safe_load((g.GRAFANA / "tests/alerts_test.yml").read_text())
    tests["rule_files"] = ["alerts.yml"]
    (tmp_path / "t.yml").write_text(yaml.safe_dump(tests))
    rc, out = promtool("test", "rules", "t.yml", cwd=tmp_path)
    assert rc != 0 and "RobustMQDown" in out, out


def _dashboard_rules(dashboards):
    """Every dashboard expression as a recording rule, Grafana's variables
    replaced by what a query would hold (regexes, a 1m rate interval)."""
    rules = []
    for name, d in sorted(dashboards.items()):
        for i, (where, expr) in enumerate(g.dashboard_expressions(d)):
            rules.append({"record": f"dashboard:{name.split('.')[0].replace('-', '_')}:{i}",
                          "expr": g.substitute_variables(expr),
                          "labels": {"where": f"{name} {where}"}})
    return {"groups": [{"name": "dashboards", "rules": rules}]}


def test_dashboard_expressions_are_valid_promql(tmp_path, dashboards):
    doc = _dashboard_rules(dashboards)
    (tmp_path / "dashboards.yml").write_text(yaml.safe_dump(doc))
    rc, out = promtool("check", "rules", "dashboards.yml", cwd=tmp_path)
    assert rc == 0, out
    assert f"SUCCESS: {len(doc['groups'][0]['rules'])} rules found" in out


def test_an_invalid_dashboard_expression_fails(tmp_path, dashboards):
    d = dashboards["robustmq-storage.json"]
    panel = next(p for p in d["panels"] if p["type"] == "timeseries")
    panel["targets"][0]["expr"] = "histogram_quantile(0.99, sum by (le) (rate(x[1m]))"
    (tmp_path / "dashboards.yml").write_text(yaml.safe_dump(_dashboard_rules(dashboards)))
    rc, out = promtool("check", "rules", "dashboards.yml", cwd=tmp_path)
    assert rc != 0, out
