"""Every metric the alert rules, SLO rules and the Grafana dashboard query is one Bindery exports.

Exported = the names a running `bindery serve` serves at /metrics (with the simulator as carrier
and a message sent through, so the sampled families have children), plus the documented catalogue
(docs/metrics.md and the families registered in http-frontend/metrics.cpp: a family such as
bindery_dead_letters_total has no sample until the first dead letter). Recording-rule names count
as exported once a rule file records them.
"""

import glob
import json
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from promql_names import (PROMETHEUS_SYNTHETIC, base_name, documented_names,  # noqa: E402
                          exposition_names, metric_names)


def rule_expressions(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            yield (rule.get("alert") or rule.get("record")), rule["expr"], rule.get("record")


def dashboard_expressions(path):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)

    def panels(items):
        for p in items:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(dash["panels"]):
        for t in p.get("targets", []):
            if t.get("expr"):
                yield f"panel '{p['title']}' {t.get('refId')}", t["expr"]
    for var in dash.get("templating", {}).get("list", []):
        q = var.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if var.get("type") == "query" and q:
            # label_values(selector, label): check the selector.
            inner = q[len("label_values("):q.rindex(",")] if q.startswith("label_values(") else q
            yield f"variable ${var['name']}", inner


def self_test():
    """The extractor itself: a test that cannot fail proves nothing."""
    cases = {
        'sum by (instance, carrier) (rate(bindery_x_total{a="b",c=~"d|e"}[5m])) > 0.05': {"bindery_x_total"},
        'label_replace(rate(foo_count[5m]), "carrier", "$1", "provider", "(.+)")': {"foo_count"},
        'a / on (instance) group_left (carrier) b': {"a", "b"},
        'histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))': {"h_bucket"},
        'x > (14.4 * 0.001) and y offset 5m': {"x", "y"},
        'rec:ratio_rate5m / 1e-3': {"rec:ratio_rate5m"},
        'sum without (job) (z)': {"z"},
        'count(q) by (job)': {"q"},
    }
    for expr, want in cases.items():
        got = metric_names(expr)
        harness.check(got == want, f"extractor: {expr!r} -> {got}, want {want}")


def main():
    source = harness.env_path("BINDERY_SOURCE")
    self_test()

    # What a running instance serves.
    work = harness.Workdir("names")
    sim = harness.Simulator(work, ["--dlr-delay", "10"])
    gw = harness.Gateway(work, harness.write_config(work, sim.port))
    try:
        gw.wait_ready()
        gw.wait_state(gw.send())
        status, _, body = gw.get("/metrics", key=None)
        harness.check(status == 200, f"/metrics answered {status}")
        served = exposition_names(body.decode())
    finally:
        gw.stop()
        sim.stop()
    harness.check("http_requests_total" in served, "/metrics lacks http_requests_total")

    exported = served | documented_names(source) | PROMETHEUS_SYNTHETIC
    exported |= {n for n in list(exported)}
    monitoring = os.path.join(source, "conf", "monitoring")
    rule_files = sorted(glob.glob(os.path.join(monitoring, "rules", "*.yml")))
    harness.check(rule_files, "no rule files")
    recorded = set()
    exprs = []
    for path in rule_files:
        for name, expr, record in rule_expressions(path):
            if record:
                recorded.add(record)
            exprs.append((f"{os.path.basename(path)}: {name}", expr))
    dashboards = sorted(glob.glob(os.path.join(monitoring, "grafana", "*.json")))
    harness.check(dashboards, "no dashboards")
    for path in dashboards:
        exprs.extend((f"{os.path.basename(path)}: {where}", e) for where, e in dashboard_expressions(path))

    unknown = []
    checked = 0
    for where, expr in exprs:
        for name in metric_names(expr):
            checked += 1
            if name in recorded or name in exported or base_name(name) in exported:
                continue
            unknown.append(f"{where}: {name}")
    print(f"{len(exprs)} expressions, {checked} metric references, {len(served)} names served, "
          f"{len(exported)} known")
    not_served = sorted({base_name(n) for _, e in exprs for n in metric_names(e)} - recorded
                        - {base_name(n) for n in served} - PROMETHEUS_SYNTHETIC)
    if not_served:
        print("documented but not served by this instance (no sample yet): " + ", ".join(not_served))
    harness.check(not unknown, "metrics Bindery does not export:\n  " + "\n  ".join(unknown))
    print("ok")


if __name__ == "__main__":
    main()
