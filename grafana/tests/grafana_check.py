"""What the grafana/ tests check, as functions the tests (and a person at a
shell) can call: the metric names a PromQL expression uses, the names the
real registry exports, and the shape of a Grafana dashboard.

    python3 grafana/tests/grafana_check.py METRICS_DUMP

prints every problem found in grafana/ and exits 1 if there is one.

PromQL is not parsed in full here: promtool (test_promtool.py) proves every
rule and panel expression is valid PromQL, and this module only has to find
the metric names in a valid expression. After strings, label matchers,
range/subquery brackets, grouping label lists, durations and numbers are
removed, every identifier that is not a keyword and not followed by `(` (a
function or aggregation) is a metric name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

GRAFANA = Path(__file__).resolve().parent.parent
DASHBOARDS = GRAFANA / "dashboards"
ALERTS = GRAFANA / "alerts.yml"

# Metrics that do not come from broker/metrics, and who makes them. Anything
# else a panel or rule names must be in the registry.
FOREIGN_METRICS = {
    "up": "Prometheus itself: 1 if the target's last scrape succeeded",
}

# Labels of the foreign metrics (beyond the target labels).
FOREIGN_LABELS = {
    "up": set(),
}

# Labels Prometheus adds to every series it scrapes (grafana/prometheus*.yml).
TARGET_LABELS = {"job", "instance"}

# Grafana's built-in variables and what the tests put in their place.
BUILTIN_VARIABLES = {
    "__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__range_s": "3600",
    "__interval_ms": "60000", "__all": ".+",
}

PANEL_TYPES = {"timeseries", "stat", "table", "heatmap", "gauge", "bargauge", "row"}

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "inf", "nan", "atan2", "start", "end"}

_VAR = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_COMMENT = re.compile(r"#[^\n]*")
_BRACES = re.compile(r"\{[^}]*\}")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_DURATION = re.compile(r"(?<![\w:.])(\d+(ms|s|m|h|d|w|y))+(?![\w:])")
_NUMBER = re.compile(r"(?<![\w:.])(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((.*),\s*\w+\s*\)\s*$", re.S)


def substitute_variables(expr: str, values: dict[str, str] | None = None) -> str:
    """Grafana variables ($job, ${job}, [[job]], $__rate_interval) -> test values
    (`values`, then BUILTIN_VARIABLES, else ".+", which fits a regex matcher)."""
    values = values or {}

    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return values.get(name, BUILTIN_VARIABLES.get(name, ".+"))
    return _VAR.sub(repl, expr)


def metric_names(expr: str) -> set[str]:
    """The metric names a (valid) PromQL expression selects."""
    s = substitute_variables(expr)
    s = _STRING.sub(" ", s)
    s = _COMMENT.sub(" ", s)
    s = _BRACES.sub(" ", s)
    s = _BRACKETS.sub(" ", s)
    s = _GROUPING.sub(" ", s)
    s = _DURATION.sub(" ", s)
    s = _NUMBER.sub(" ", s)
    names = set()
    for m in _IDENT.finditer(s):
        word = m.group(0)
        if word.lower() in KEYWORDS:
            continue
        if s[m.end():].lstrip().startswith("("):
            continue  # a function or an aggregation
        names.add(word)
    return names


def variable_query_expr(query) -> str | None:
    """The PromQL inside a Grafana Prometheus variable query, or None
    (label_values(label) and label_names() name no metric)."""
    if isinstance(query, dict):
        query = query.get("query", "")
    if not query:
        return None
    m = _LABEL_VALUES.match(query)
    if m:
        return m.group(1)
    m = re.match(r"^\s*query_result\s*\((.*)\)\s*$", query, re.S)
    if m:
        return m.group(1)
    if re.match(r"^\s*(label_values\s*\(\s*\w+\s*\)|label_names\s*\(\s*\)|metrics\s*\()", query):
        return None
    return query


# ---------------------------------------------------------------------------
# The registry


def registry_sample_names(exposition: str) -> dict[str, str]:
    """{sample name: family} for every family in a text exposition (from its
    `# TYPE` lines): a histogram's family `x` has samples `x_bucket`, `x_sum`,
    `x_count`; a summary's `x`, `x_sum`, `x_count`; others just `x`."""
    out = {}
    for line in exposition.splitlines():
        m = re.match(r"^# TYPE (\S+) (\S+)$", line)
        if not m:
            continue
        family, kind = m.groups()
        if kind == "histogram":
            suffixes = ["_bucket", "_sum", "_count"]
        elif kind == "summary":
            suffixes = ["", "_sum", "_count"]
        else:
            suffixes = [""]
        for s in suffixes:
            out[family + s] = family
    return out


def registry_labels(exposition: str) -> dict[str, set[str]]:
    """{sample name: label names} over the sample lines of an exposition (a
    histogram's _bucket has `le`). A family without series has no entry."""
    out: dict[str, set[str]] = {}
    for line in exposition.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? \S+$", line)
        if m:
            out.setdefault(m.group(1), set()).update(
                re.findall(r'(\w+)="', _STRING.sub('""', m.group(2) or "")))
    return out


def read_dump(metrics_dump: str) -> str:
    """The exposition metrics_dump prints: every family, each with series."""
    text = subprocess.run([metrics_dump], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    if "# TYPE " not in text:
        raise RuntimeError(f"{metrics_dump} printed no # TYPE lines")
    return text


def registry_from_dump(metrics_dump: str) -> dict[str, str]:
    return registry_sample_names(read_dump(metrics_dump))


# ---------------------------------------------------------------------------
# What grafana/ holds


def load_dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARDS.glob("*.json"))}


def all_panels(dashboard: dict):
    """Every panel, including those inside (collapsed) rows."""
    for p in dashboard.get("panels", []):
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def dashboard_expressions(dashboard: dict):
    """(where, PromQL) for every panel target and every query variable."""
    for p in all_panels(dashboard):
        for t in p.get("targets", []) or []:
            yield f"panel {p.get('id')} {p.get('title')!r} target {t.get('refId')}", \
                t.get("expr", "")
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            expr = variable_query_expr(v.get("query"))
            if expr is not None:
                yield f"variable {v.get('name')}", expr


def rule_expressions(path: Path = ALERTS):
    doc = yaml.safe_load(path.read_text())
    for g in doc["groups"]:
        for r in g["rules"]:
            yield f"rule {r.get('alert') or r.get('record')}", r["expr"]


def unknown_metrics(expressions, known: dict[str, str]) -> list[str]:
    """Problems: metric names neither in the registry nor in FOREIGN_METRICS."""
    problems = []
    for where, expr in expressions:
        if "__name__" in expr:
            problems.append(f"{where}: selects by __name__, which this check cannot follow; "
                            "name the metric")
        for name in sorted(metric_names(expr)):
            if name not in known and name not in FOREIGN_METRICS:
                hint = ""
                if name.startswith("robustmq_"):
                    hint = " (not in broker/metrics: see docs/metrics.md)"
                else:
                    hint = " (not robustmq_*: allow-list it in FOREIGN_METRICS with its source)"
                problems.append(f"{where}: unknown metric {name}{hint}")
    return problems


_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)")
_GROUPING_LABELS = re.compile(
    r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
_LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_TEMPLATE_LABEL = re.compile(r"\$labels\.(\w+)")


def _labels_of(name: str, labels: dict[str, set[str]]) -> set[str] | None:
    if name in FOREIGN_LABELS:
        return FOREIGN_LABELS[name] | TARGET_LABELS
    if name in labels:
        return labels[name] | TARGET_LABELS
    return None  # unknown metric: unknown_metrics() says so


def expression_labels(expr: str, labels: dict[str, set[str]]) -> set[str]:
    """Every label a series of any metric of the expression may carry."""
    out = set(TARGET_LABELS)
    for name in metric_names(expr):
        out |= _labels_of(name, labels) or set()
    return out


def label_problems(expressions, labels: dict[str, set[str]], legends=()) -> list[str]:
    """Problems: a label in a selector that its metric does not have, a label
    in by/without/on/ignoring/group_* that no metric of the expression has,
    and a label a legend or an alert annotation shows that no metric of the
    expression has. `legends`: (where, text, expr) with {{label}} or
    $labels.label references."""
    problems = []
    for where, expr in expressions:
        e = substitute_variables(expr)
        for m in _SELECTOR.finditer(e):
            name = m.group(1)
            matchers = _MATCHER_LABEL.findall(_STRING.sub('""', m.group(2)))
            if not name:
                continue  # {__name__=...}: unknown_metrics() reports it
            have = _labels_of(name, labels)
            if have is None:
                continue
            for label in matchers:
                if label not in have:
                    problems.append(f"{where}: {name} has no label {label!r} "
                                    f"(it has {sorted(have)})")
        union = expression_labels(expr, labels)
        for m in _GROUPING_LABELS.finditer(_STRING.sub('""', e)):
            for label in filter(None, (x.strip() for x in m.group(2).split(","))):
                if label not in union:
                    problems.append(f"{where}: {m.group(1)} ({label}): no metric of the "
                                    f"expression has label {label!r}")
    for where, text, expr in legends:
        union = expression_labels(expr, labels)
        for label in _LEGEND_LABEL.findall(text) + _TEMPLATE_LABEL.findall(text):
            if label not in union:
                problems.append(f"{where}: shows label {label!r}, which no metric of "
                                f"its expression has")
    return problems


def dashboard_legends(dashboard: dict):
    """(where, legendFormat, expr) of every panel target."""
    for p in all_panels(dashboard):
        for t in p.get("targets", []) or []:
            yield f"panel {p.get('id')} {p.get('title')!r} target {t.get('refId')} legend", \
                t.get("legendFormat", ""), t.get("expr", "")


def rule_annotations(path: Path = ALERTS):
    """(where, annotation text, expr) of every alert rule."""
    doc = yaml.safe_load(path.read_text())
    for g in doc["groups"]:
        for r in g["rules"]:
            for key, text in (r.get("annotations") or {}).items():
                yield f"rule {r.get('alert')} annotation {key}", text, r["expr"]


def dashboard_problems(name: str, d: dict) -> list[str]:
    """What makes a dashboard unfit to import, or unlike the others."""
    p = []
    for key in ("uid", "title", "schemaVersion", "panels", "templating", "time"):
        if key not in d:
            p.append(f"{name}: no {key!r}")
    if p:
        return p
    if not isinstance(d["schemaVersion"], int) or d["schemaVersion"] < 36:
        p.append(f"{name}: schemaVersion {d['schemaVersion']!r} (want an int >= 36)")
    if "robustmq" not in d.get("tags", []):
        p.append(f"{name}: no 'robustmq' tag (the dashboards link to each other by it)")
    variables = {v.get("name"): v for v in d["templating"].get("list", [])}
    for v in ("datasource", "job", "instance"):
        if v not in variables:
            p.append(f"{name}: no template variable {v!r}")
    if variables.get("datasource", {}).get("type") not in (None, "datasource") or \
            variables.get("datasource", {}).get("query") not in (None, "prometheus"):
        p.append(f"{name}: variable datasource must be a Prometheus data source variable")

    ids = {}
    cells = {}
    for panel in all_panels(d):
        pid = panel.get("id")
        where = f"{name}: panel {pid} {panel.get('title')!r}"
        if not isinstance(pid, int):
            p.append(f"{where}: id is not an integer")
        elif pid in ids:
            p.append(f"{where}: id {pid} also used by {ids[pid]!r}")
        else:
            ids[pid] = panel.get("title")
        if not panel.get("title"):
            p.append(f"{where}: no title")
        if panel.get("type") not in PANEL_TYPES:
            p.append(f"{where}: type {panel.get('type')!r} is not one of {sorted(PANEL_TYPES)}")
        g = panel.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            p.append(f"{where}: gridPos needs integer h, w, x, y")
        else:
            if g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
                p.append(f"{where}: gridPos {g} outside the 24 columns")
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        p.append(f"{where}: overlaps panel {cells[(x, y)]}")
                        break
                    cells[(x, y)] = pid
                else:
                    continue
                break
        if panel.get("type") == "row":
            continue
        ds = panel.get("datasource")
        if not isinstance(ds, dict) or ds.get("type") != "prometheus" or \
                ds.get("uid") != "${datasource}":
            p.append(f"{where}: datasource {ds!r} is not the $datasource variable")
        targets = panel.get("targets") or []
        if not targets:
            p.append(f"{where}: no targets")
        refs = set()
        for t in targets:
            if not (t.get("expr") or "").strip():
                p.append(f"{where}: target {t.get('refId')!r} has no expr")
            if t.get("refId") in refs or not t.get("refId"):
                p.append(f"{where}: refId {t.get('refId')!r} missing or repeated")
            refs.add(t.get("refId"))
            tds = t.get("datasource")
            if tds is not None and tds != ds:
                p.append(f"{where}: target {t.get('refId')} has another datasource {tds!r}")
            for m in _VAR.finditer(t.get("expr", "")):
                var = m.group(1) or m.group(2) or m.group(3)
                if var not in variables and var not in BUILTIN_VARIABLES:
                    p.append(f"{where}: uses undefined variable ${var}")
    return p


def all_problems(exposition: str) -> list[str]:
    known = registry_sample_names(exposition)
    labels = registry_labels(exposition)
    problems = []
    dashboards = load_dashboards()
    uids = {}
    for name, d in dashboards.items():
        problems += dashboard_problems(name, d)
        exprs = [(f"{name} {w}", e) for w, e in dashboard_expressions(d)]
        problems += unknown_metrics(exprs, known)
        problems += label_problems(exprs, labels, [(f"{name} {w}", t, e)
                                                   for w, t, e in dashboard_legends(d)])
        if d.get("uid") in uids:
            problems.append(f"{name}: uid {d['uid']!r} also used by {uids[d['uid']]}")
        uids[d.get("uid")] = name
    rules = [(f"alerts.yml {w}", e) for w, e in rule_expressions()]
    problems += unknown_metrics(rules, known)
    problems += label_problems(rules, labels, [(f"alerts.yml {w}", t, e)
                                               for w, t, e in rule_annotations()])
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: grafana_check.py METRICS_DUMP")
    found = all_problems(read_dump(sys.argv[1]))
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    sys.exit(1 if found else 0)
