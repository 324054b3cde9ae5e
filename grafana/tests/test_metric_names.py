"""Every metric a dashboard panel, a dashboard variable or an alert rule names
exists in broker/metrics, with the labels they select, group by and show,
so the dashboards, the alerts and the code cannot drift apart. The names
come from the real registry: the `# TYPE` lines that broker/metrics'
metrics_dump prints (METRICS_DUMP), with a histogram's _bucket/_sum/_count
samples; the labels from its series. Metrics of other exporters must be
allow-listed in grafana_check.FOREIGN_METRICS. ctest: grafana.metric_names."""

import copy

import pytest

import grafana_check as g


def test_the_registry_is_read(registry):
    # A few families every build has; a histogram brings its three series.
    for name in ("robustmq_connections", "robustmq_messages_received_total",
                 "robustmq_journal_append_latency_seconds_bucket",
                 "robustmq_journal_append_latency_seconds_sum",
                 "robustmq_journal_append_latency_seconds_count", "robustmq_build_info"):
        assert name in registry
    assert "robustmq_journal_append_latency_seconds" not in registry  # no such sample
    assert len(set(registry.values())) >= 40


def test_every_family_has_series_in_the_dump(registry, labels):
    # Labels are read from series: a family metrics_dump leaves without one
    # could not be checked (give it a value in broker/metrics/tests/metrics_dump.cc).
    missing = {f for s, f in registry.items() if s not in labels}
    assert missing == set()
    assert labels["robustmq_journal_append_latency_seconds_bucket"] == {"engine", "le"}
    assert labels["robustmq_kafka_consumer_group_lag"] == {"tenant", "group"}


def test_foreign_metrics_are_not_robustmq_names(registry):
    for name in g.FOREIGN_METRICS:
        assert not name.startswith("robustmq_") and name not in registry


@pytest.mark.parametrize("name", sorted(g.load_dashboards()))
def test_dashboard_names_exist(registry, name):
    d = g.load_dashboards()[name]
    assert g.unknown_metrics(g.dashboard_expressions(d), registry) == []


def test_alert_rule_names_exist(registry):
    assert g.unknown_metrics(g.rule_expressions(), registry) == []


@pytest.mark.parametrize("name", sorted(g.load_dashboards()))
def test_dashboard_labels_exist(labels, name):
    d = g.load_dashboards()[name]
    assert g.label_problems(g.dashboard_expressions(d), labels, g.dashboard_legends(d)) == []


def test_alert_rule_labels_exist(labels):
    assert g.label_problems(g.rule_expressions(), labels, g.rule_annotations()) == []


def test_the_whole_check_passes(exposition):
    assert g.all_problems(exposition) == []


def test_most_families_are_on_a_dashboard(registry):
    """Not a rule, a reminder: a new family should get a panel. The families
    no panel shows are listed here on purpose."""
    used = set()
    for d in g.load_dashboards().values():
        for _, e in g.dashboard_expressions(d):
            used |= {registry[n] for n in g.metric_names(e) if n in registry}
    unused = set(registry.values()) - used
    assert unused == set(), f"families on no dashboard: {sorted(unused)}"


# The check must be able to fail.

def test_an_unknown_panel_metric_fails(registry):
    d = copy.deepcopy(g.load_dashboards()["robustmq-mqtt.json"])
    panel = next(p for p in d["panels"] if p["type"] == "timeseries")
    panel["targets"][0]["expr"] = \
        'sum(rate(robustmq_messages_recieved_total{job=~"$job"}[$__rate_interval]))'
    problems = g.unknown_metrics(g.dashboard_expressions(d), registry)
    assert len(problems) == 1 and "unknown metric robustmq_messages_recieved_total" in problems[0]


def test_a_histogram_family_name_alone_fails(registry):
    # The family name of a histogram is not a series: only _bucket/_sum/_count are.
    problems = g.unknown_metrics(
        [("x", "rate(robustmq_journal_append_latency_seconds[5m])")], registry)
    assert len(problems) == 1


def test_a_counter_without_total_fails(registry):
    problems = g.unknown_metrics([("x", "rate(robustmq_auth[5m])")], registry)
    assert len(problems) == 1


def test_an_unlisted_foreign_metric_fails(registry):
    problems = g.unknown_metrics([("rule X", "node_load1 > 4")], registry)
    assert len(problems) == 1 and "FOREIGN_METRICS" in problems[0]


def test_an_unknown_variable_metric_fails(registry):
    d = copy.deepcopy(g.load_dashboards()["robustmq-overview.json"])
    job = next(v for v in d["templating"]["list"] if v["name"] == "job")
    job["query"]["query"] = "label_values(robustmq_build, job)"
    problems = g.unknown_metrics(g.dashboard_expressions(d), registry)
    assert problems == ["variable job: unknown metric robustmq_build "
                        "(not in broker/metrics: see docs/metrics.md)"]


@pytest.mark.parametrize("expr, names", [
    ('histogram_quantile(0.99, sum by (instance, le) (rate('
     'robustmq_journal_append_latency_seconds_bucket{job=~"$job", engine="rocksdb"}'
     '[$__rate_interval])))', {"robustmq_journal_append_latency_seconds_bucket"}),
    ("robustmq_storage_pending_compaction_bytes > 20 * 1024 * 1e3",
     {"robustmq_storage_pending_compaction_bytes"}),
    ('sum without (qos) (rate(a_total{x="sum(b)"}[1h] offset 5m)) / on(instance) '
     'group_left(version) c', {"a_total", "c"}),
    ("rate(x[5m:30s]) and y offset 1h30m unless bool z", {"x", "y", "z"}),
    ('count_values("v", robustmq_build_info)', {"robustmq_build_info"}),
    ("topk(5, max by (group)(lag)) # a comment naming not_a_metric", {"lag"}),
    ("label_values(robustmq_build_info, job)", {"robustmq_build_info", "job"}),
    ('{__name__="hidden"}', set()),
    ("1 + 2", set()),
])
def test_metric_names_of_an_expression(expr, names):
    assert g.metric_names(expr) == names


@pytest.mark.parametrize("expr, legend, problem", [
    ('robustmq_connections{protocol="mqtt", listner="mqtt-tcp"}', "",
     "robustmq_connections has no label 'listner'"),
    ("sum by (qos) (rate(robustmq_messages_dropped_total[5m]))", "",
     "by (qos): no metric of the expression has label 'qos'"),
    ('histogram_quantile(0.9, rate(robustmq_journal_append_latency_seconds_sum{le="1"}[1m]))',
     "", "robustmq_journal_append_latency_seconds_sum has no label 'le'"),
    ("sum by (reason) (rate(robustmq_messages_dropped_total[5m]))", "{{ listener }}",
     "shows label 'listener'"),
    ("robustmq_auth_total > 0", "$labels.reason", "shows label 'reason'"),
])
def test_a_wrong_label_fails(labels, expr, legend, problem):
    problems = g.label_problems([("x", expr)], labels, [("x", legend, expr)])
    assert len(problems) == 1 and problem in problems[0], problems


def test_labels_that_exist_pass(labels):
    expr = ('sum by (job, instance, reason) (rate(robustmq_messages_dropped_total'
            '{reason!="no_subscriber", job=~"$job"}[5m])) / on (instance) '
            'group_left (version) robustmq_build_info')
    assert g.label_problems([("x", expr)], labels,
                            [("x", "{{instance}} {{reason}} {{version}}", expr)]) == []


def test_a_name_matcher_fails(registry):
    problems = g.unknown_metrics([("x", '{__name__=~"robustmq_.*"}')], registry)
    assert len(problems) == 1 and "__name__" in problems[0]


def test_variable_queries():
    assert g.variable_query_expr({"query": 'label_values(robustmq_x{a="b"}, instance)'}) \
        == 'robustmq_x{a="b"}'
    assert g.variable_query_expr("label_values(job)") is None
    assert g.variable_query_expr("query_result(topk(3, robustmq_y))") == "topk(3, robustmq_y)"
