"""Debian's Prometheus scrapes a running Bindery: names and labels work end to end.

Starts the SMSC simulator, `bindery serve` and `prometheus` (loopback, temporary storage, 1 s
scrape interval, the shipped rule files loaded), sends a message to DELIVERED, waits for a scrape
that saw it, then asks Prometheus's HTTP API (/api/v1/query) for:
  - the target's health (up == 1, no scrape error);
  - specific series with their labels (http_requests_total for the 202, accepted by priority,
    queue depth by lane, process metrics, and the carrier series when the instance serves them);
  - every metric family the instance served with samples (each must exist in Prometheus);
  - the shipped rules: loaded, and evaluated without error against the real series.
"""

import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from promql_names import exposition_names  # noqa: E402


def main():
    prometheus = harness.tool("prometheus")
    source = harness.env_path("BINDERY_SOURCE")
    work = harness.Workdir("scrape")
    sim = harness.Simulator(work, ["--dlr-delay", "10"])
    gw = harness.Gateway(work, harness.write_config(work, sim.port))
    procs = [gw, sim]
    try:
        gw.wait_ready()
        message_id = gw.send()
        gw.wait_state(message_id)
        _, _, metrics = gw.get("/metrics", key=None)
        served_text = metrics.decode()

        rules = os.path.join(source, "conf", "monitoring", "rules")
        prom = None
        # The port is picked before Prometheus binds it: retry on the (rare) race.
        for _ in range(3):
            port = harness.free_port()
            config = work.file("prometheus.yml")
            with open(config, "w", encoding="utf-8") as f:
                f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {rules}/bindery-alerts.yml
  - {rules}/bindery-slo.yml
scrape_configs:
  - job_name: bindery
    static_configs:
      - targets: ["127.0.0.1:{gw.port}"]
""")
            prom = harness.Process([prometheus, f"--config.file={config}",
                                    f"--storage.tsdb.path={work.file('tsdb')}",
                                    f"--web.listen-address=127.0.0.1:{port}",
                                    "--storage.tsdb.retention.time=1h", "--log.level=info"],
                                   work.file("prometheus.log"))
            base = f"http://127.0.0.1:{port}"
            ready = harness.eventually(
                lambda: harness.http("GET", base + "/-/ready")[0] == 200 or not prom.alive(),
                timeout=60)
            if ready and prom.alive():
                break
            prom.stop()
            prom = None
        harness.check(prom is not None, f"prometheus did not start:\n{work.read('prometheus.log')}")
        procs.insert(0, prom)

        def query(expr):
            url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
            status, _, body = harness.http("GET", url)
            harness.check(status == 200, f"query {expr!r}: HTTP {status} {body!r}")
            doc = json.loads(body)
            harness.check(doc["status"] == "success", f"query {expr!r}: {doc}")
            return doc["data"]["result"]

        # A scrape that saw the delivered message.
        accepted = 'http_requests_total{job="bindery",route="/v1/messages",method="POST",code="202"}'
        found = harness.eventually(lambda: query(accepted), timeout=60, interval=0.5)
        harness.check(found, f"no {accepted} in Prometheus:\n{work.read('prometheus.log')}")
        harness.check(float(found[0]["value"][1]) >= 1, f"{accepted} = {found}")
        labels = found[0]["metric"]
        harness.check(labels.get("instance") == f"127.0.0.1:{gw.port}", f"instance label: {labels}")

        # The target's own health.
        _, _, body = harness.http("GET", base + "/api/v1/targets")
        targets = json.loads(body)["data"]["activeTargets"]
        harness.check(len(targets) == 1 and targets[0]["health"] == "up" and not targets[0]["lastError"],
                      f"target: {targets}")
        harness.check(query('up{job="bindery"} == 1'), "up != 1")

        # Series and labels an operator's rules and dashboards use.
        expect = [
            'bindery_messages_accepted_total{job="bindery",priority="normal"} >= 1',
            'bindery_queue_depth{job="bindery",lane="express"}',
            'bindery_queue_depth{job="bindery",lane="bulk"}',
            'http_request_duration_seconds_bucket{job="bindery",route="/v1/messages",method="POST",le="0.25"} >= 1',
            'http_requests_total{job="bindery",route="/readyz",method="GET",code="200"} >= 1',
            'process_resident_memory_bytes{job="bindery"} > 0',
            'process_start_time_seconds{job="bindery"} > 0',
        ]
        # Sampled families, when this build serves them.
        if 'bindery_binds_up{carrier="sim"}' in served_text:
            expect += ['bindery_binds_up{job="bindery",carrier="sim"} == 1',
                       'bindery_binds_configured{job="bindery",carrier="sim"} >= 1',
                       'bindery_bind_events_total{job="bindery",carrier="sim",event="up"} >= 1']
        if 'bindery_message_transitions_total{' in served_text:
            expect += ['bindery_message_transitions_total{job="bindery",state="DELIVERED"} >= 1']
        for expr in expect:
            harness.check(query(expr), f"no result for {expr}")

        # Every family served with samples arrived under the same name.
        sampled = {line.split("{")[0].split(" ")[0] for line in served_text.splitlines()
                   if line and not line.startswith("#")}
        missing = [n for n in sorted(sampled) if not query(f'count({{__name__="{n}",job="bindery"}})')]
        harness.check(not missing, f"served but not in Prometheus: {missing}")
        harness.check(exposition_names(served_text) >= sampled, "exposition parse")

        # The shipped rules load and evaluate cleanly against real series (SLO groups run every
        # 30 s: wait for one evaluation of every group).
        def rules_state():
            _, _, b = harness.http("GET", base + "/api/v1/rules")
            groups = json.loads(b)["data"]["groups"]
            rs = [r for g in groups for r in g["rules"]]
            return rs if rs and all(r.get("health") != "unknown" for r in rs) else None

        evaluated = harness.eventually(rules_state, timeout=90, interval=1)
        harness.check(evaluated, "rules never evaluated")
        bad = [f"{r['name']}: {r.get('lastError')}" for r in evaluated if r.get("health") != "ok"]
        harness.check(not bad, f"rules failing: {bad}")
        harness.check(len(evaluated) >= 30, f"only {len(evaluated)} rules loaded")
        # The recording rules produce a series from the real traffic.
        # (the group runs every 30 s; a rate needs two scrapes inside its range).
        recorded = harness.eventually(
            lambda: query('bindery:submit_requests:rate5m{job="bindery",code="202"}'), timeout=90, interval=1)
        harness.check(recorded, "bindery:submit_requests:rate5m not recorded")
        # Nothing is firing on a healthy instance (pending alerts are fine).
        firing = [a for a in query('ALERTS{alertstate="firing"}')]
        harness.check(not firing, f"alerts firing on a healthy instance: {firing}")
        print(f"ok: {len(sampled)} families, {len(expect)} series checks, {len(evaluated)} rules")
    finally:
        for p in procs:
            p.stop()


if __name__ == "__main__":
    main()
