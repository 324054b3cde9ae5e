"""The Grafana dashboards (grafana/dashboards/*.json) are importable JSON of
the shape Grafana expects, are what generate_dashboards.py writes, and the
provisioning files point at them. ctest: grafana.dashboards."""

import copy
import json

import yaml

import generate_dashboards
import grafana_check as g

EXPECTED = {"robustmq-overview.json", "robustmq-mqtt.json", "robustmq-kafka.json",
            "robustmq-storage.json", "robustmq-process.json"}


def test_the_five_dashboards_exist(dashboards):
    assert set(dashboards) == EXPECTED


def test_dashboards_are_well_formed(dashboards):
    problems = []
    for name, d in dashboards.items():
        problems += g.dashboard_problems(name, d)
    assert problems == []


def test_uids_and_titles_are_unique(dashboards):
    uids = [d["uid"] for d in dashboards.values()]
    titles = [d["title"] for d in dashboards.values()]
    assert len(set(uids)) == len(uids) and len(set(titles)) == len(titles)
    assert all(len(u) <= 40 for u in uids)  # Grafana's limit on a uid


def test_every_dashboard_has_queries(dashboards):
    for name, d in dashboards.items():
        exprs = [e for _, e in g.dashboard_expressions(d)]
        assert len(exprs) >= 8, name
        assert all("robustmq_" in e or "up{" in e for e in exprs), name


def test_committed_json_is_what_the_generator_writes():
    rendered = generate_dashboards.render()
    assert set(rendered) == EXPECTED
    for name, text in rendered.items():
        committed = (g.DASHBOARDS / name).read_text()
        assert committed == text, (
            f"grafana/dashboards/{name} differs from generate_dashboards.py's output: "
            "run `python3 grafana/generate_dashboards.py` and commit the result")


def test_provisioning_files():
    ds = yaml.safe_load((g.GRAFANA / "provisioning/datasources/robustmq.yml").read_text())
    assert ds["apiVersion"] == 1
    [source] = ds["datasources"]
    assert source["type"] == "prometheus" and source["access"] == "proxy"
    assert source["url"].startswith("http")

    prov = yaml.safe_load((g.GRAFANA / "provisioning/dashboards/robustmq.yml").read_text())
    assert prov["apiVersion"] == 1
    [provider] = prov["providers"]
    assert provider["type"] == "file" and provider["options"]["path"]
    # docs/monitoring.md tells where to copy the JSON files: the same path.
    doc = (g.GRAFANA.parent / "docs/monitoring.md").read_text()
    assert f"sudo mkdir -p {provider['options']['path']}" in doc


# The checks must be able to fail: each case breaks one thing in a copy of a
# real dashboard and expects the problem to be reported.

def _problems_after(dashboards, breaker):
    d = copy.deepcopy(dashboards["robustmq-overview.json"])
    breaker(d)
    json.loads(json.dumps(d))  # still JSON
    return g.dashboard_problems("broken.json", d)


def _first_graph(d):
    return next(p for p in d["panels"] if p["type"] == "timeseries")


def test_a_repeated_panel_id_is_reported(dashboards):
    def br(d):
        d["panels"][1]["id"] = d["panels"][0]["id"]
    assert any("also used by" in p for p in _problems_after(dashboards, br))


def test_a_panel_without_datasource_is_reported(dashboards):
    def br(d):
        del _first_graph(d)["datasource"]
    assert any("datasource None" in p for p in _problems_after(dashboards, br))


def test_a_panel_without_targets_is_reported(dashboards):
    def br(d):
        _first_graph(d)["targets"] = []
    assert any("no targets" in p for p in _problems_after(dashboards, br))


def test_overlapping_panels_are_reported(dashboards):
    def br(d):
        d["panels"][1]["gridPos"] = dict(d["panels"][0]["gridPos"])
    assert any("overlaps" in p for p in _problems_after(dashboards, br))


def test_an_undefined_variable_is_reported(dashboards):
    def br(d):
        _first_graph(d)["targets"][0]["expr"] = 'robustmq_sessions{node="$node"}'
    assert any("undefined variable $node" in p for p in _problems_after(dashboards, br))


def test_a_missing_instance_variable_is_reported(dashboards):
    def br(d):
        d["templating"]["list"] = [v for v in d["templating"]["list"]
                                   if v["name"] != "instance"]
    assert any("no template variable 'instance'" in p for p in _problems_after(dashboards, br))
