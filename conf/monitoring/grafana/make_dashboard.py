#!/usr/bin/env python3
"""Generates bindery.json, the Grafana dashboard (edit here, then run:
    python3 conf/monitoring/grafana/make_dashboard.py conf/monitoring/grafana/bindery.json
tests/ops/metric_names_test.py checks every query against the metrics Bindery exports)."""
import json
DS = {"type": "prometheus", "uid": "${datasource}"}
panels = []
pid = [0]
y = [0]
def nid():
    pid[0] += 1; return pid[0]
def row(title):
    panels.append({"type": "row", "title": title, "id": nid(), "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": y[0]}, "panels": []})
    y[0] += 1
x = [0]
def place(w, h):
    if x[0] + w > 24:
        x[0] = 0; y[0] += place.h
    g = {"h": h, "w": w, "x": x[0], "y": y[0]}
    x[0] += w; place.h = h
    return g
place.h = 8
def flush():
    if x[0] > 0:
        y[0] += place.h; x[0] = 0
def ts(title, targets, unit="short", w=12, h=8, desc="", stack=False, min0=True):
    p = {"type": "timeseries", "title": title, "id": nid(), "datasource": DS,
         "description": desc, "gridPos": place(w, h),
         "fieldConfig": {"defaults": {"unit": unit, "custom": {"lineWidth": 1, "fillOpacity": 10,
                          "stacking": {"mode": "normal" if stack else "none", "group": "A"}}},
                         "overrides": []},
         "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                     "tooltip": {"mode": "multi", "sort": "desc"}},
         "targets": [{"datasource": DS, "refId": chr(65 + i), "expr": e, "legendFormat": l}
                     for i, (e, l) in enumerate(targets)]}
    if min0: p["fieldConfig"]["defaults"]["min"] = 0
    panels.append(p)
def stat(title, expr, unit="short", w=4, h=4, desc="", thresholds=None, legend=""):
    steps = thresholds or [{"color": "green", "value": None}]
    panels.append({"type": "stat", "title": title, "id": nid(), "datasource": DS, "description": desc,
                   "gridPos": place(w, h),
                   "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                                   "overrides": []},
                   "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                               "colorMode": "background", "graphMode": "area", "textMode": "auto"},
                   "targets": [{"datasource": DS, "refId": "A", "expr": expr, "legendFormat": legend}]})

I = 'instance=~"$instance"'
C = 'carrier=~"$carrier"'
P = 'provider=~"$carrier"'
R = '$__rate_interval'

row("Overview")
stat("Accepted messages/s", f'sum(rate(bindery_messages_accepted_total{{{I}}}[{R}]))', "reqps")
stat("Backlog", f'sum(bindery_router_backlog{{{I}}})', thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 1000}, {"color": "red", "value": 10000}])
stat("Binds up / configured", f'sum(bindery_binds_up{{{I},{C}}}) / sum(bindery_binds_configured{{{I},{C}}})', "percentunit",
     thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.5}, {"color": "green", "value": 1}])
stat("Accepting", f'min(bindery_router_accepting{{{I}}})', thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 1}],
     desc="1 while the router accepts new messages, 0 while the backlog is at its limit")
stat("Dead letters (1h)", f'sum(increase(bindery_dead_letters_total{{{I}}}[1h]))', thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 1}])
stat("Store errors (1h)", f'sum(increase(bindery_store_errors_total{{{I}}}[1h]))', thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 1}])
flush()

row("Throughput")
ts("Message transitions by carrier and state", [(f'sum by (provider, state) (rate(bindery_message_transitions_total{{{I},{P}}}[{R}]))', "{{provider}} {{state}}")], "ops",
   desc="Lifecycle transitions per second: the state entered and the provider of the attempt (none before routing)")
ts("Accepted and rejected by the API", [(f'sum by (priority) (rate(bindery_messages_accepted_total{{{I}}}[{R}]))', "accepted {{priority}}"),
                                         (f'sum by (reason) (rate(bindery_messages_rejected_total{{{I}}}[{R}]))', "rejected {{reason}}")], "ops")
ts("Provider submits by result", [(f'sum by (provider, result) (rate(bindery_provider_submit_duration_seconds_count{{{I},{P}}}[{R}]))', "{{provider}} {{result}}")], "ops", stack=True)
ts("Retries and back-pressure", [(f'sum(rate(bindery_retries_scheduled_total{{{I}}}[{R}]))', "retries scheduled"),
                                  (f'sum(rate(bindery_router_backpressure_refusals_total{{{I}}}[{R}]))', "refused (backlog full)"),
                                  (f'sum(rate(bindery_stale_results_total{{{I}}}[{R}]))', "stale results")], "ops")
flush()

row("Latency")
ts("HTTP submit latency (POST /v1/messages)", [
    (f'histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket{{{I},route="/v1/messages",method="POST"}}[{R}])))', f"p{int(q*100)}")
    for q in (0.5, 0.95, 0.99)], "s", desc="Request complete -> response; a 202 means the message is durable in the store")
ts("Carrier submit latency (submit_sm -> resp)", [
    (f'histogram_quantile({q}, sum by (provider, le) (rate(bindery_provider_submit_duration_seconds_bucket{{{I},{P}}}[{R}])))', f"{{{{provider}}}} p{int(q*100)}")
    for q in (0.5, 0.95, 0.99)], "s")
flush()

row("Binds and windows")
ts("Binds up", [(f'sum by (carrier) (bindery_binds_up{{{I},{C}}})', "{{carrier}} up"),
                (f'sum by (carrier) (bindery_binds_configured{{{I},{C}}})', "{{carrier}} configured")], "short", w=8)
ts("Bind events", [(f'sum by (carrier, event) (increase(bindery_bind_events_total{{{I},{C}}}[{R}]))', "{{carrier}} {{event}}")], "short", w=8,
   desc="up: bind succeeded; down: a bound link was lost; failed: a bind attempt failed")
ts("Window occupancy", [(f'sum by (carrier) (bindery_window_in_flight{{{I},{C}}}) / sum by (carrier) (bindery_window_size{{{I},{C}}})', "{{carrier}}")], "percentunit", w=8,
   desc="Submits awaiting a response over the total window of the bound binds")
ts("Throttling", [(f'sum by (carrier, source) (rate(bindery_throttle_events_total{{{I},{C}}}[{R}]))', "{{carrier}} {{source}}")], "ops", w=8,
   desc="carrier: ESME_RTHROTTLED responses; local: waits on the configured max_tps")
ts("Circuit breakers", [(f'max by (provider) (bindery_breaker_state{{{I},{P}}})', "{{provider}}")], "short", w=8,
   desc="0 closed, 1 half-open, 2 open")
ts("Mobile-originated messages", [(f'sum by (carrier) (rate(bindery_mo_messages_total{{{I},{C}}}[{R}]))', "{{carrier}}")], "ops", w=8)
flush()

row("Queues")
ts("Router queue by lane", [(f'sum by (lane) (bindery_queue_depth{{{I}}})', "{{lane}}")], "short", w=8, stack=True)
ts("Backlog and limit", [(f'sum(bindery_router_backlog{{{I}}})', "backlog"), (f'sum(bindery_router_backlog_limit{{{I}}})', "limit")], "short", w=8)
ts("Carrier pool queue", [(f'sum by (carrier) (bindery_carrier_queue_depth{{{I},{C}}})', "{{carrier}}")], "short", w=8,
   desc="Submits waiting in a carrier's bind pool for window room")
flush()

row("Receipts and callbacks")
ts("Receipts from carriers", [(f'sum by (carrier, result) (rate(bindery_carrier_receipts_total{{{I},{C}}}[{R}]))', "{{carrier}} {{result}}")], "ops", w=8)
ts("Receipts matched by the router", [(f'sum by (result) (rate(bindery_receipts_total{{{I}}}[{R}]))', "{{result}}")], "ops", w=8)
ts("Delivery callbacks", [(f'sum by (result) (rate(bindery_callback_attempts_total{{{I}}}[{R}]))', "attempt {{result}}"),
                          (f'sum by (outcome) (rate(bindery_callbacks_completed_total{{{I}}}[{R}]))', "completed {{outcome}}"),
                          (f'sum(bindery_callbacks_pending{{{I}}})', "pending")], "short", w=8)
flush()

row("SMPP server side (ESMEs)")
ts("Deliveries waiting per account", [(f'sum by (account, kind) (bindery_smpp_deliveries_pending{{{I}}})', "{{account}} {{kind}}")], "short", w=8,
   desc="Receipts and MO stored for an ESME account, waiting for one of its RX/TRX binds or a retry")
ts("Deliveries to ESMEs by outcome", [(f'sum by (kind, outcome) (rate(bindery_smpp_deliveries_total{{{I}}}[{R}]))', "{{kind}} {{outcome}}")], "ops", w=8,
   desc="given_up: expired or refused with ESME_RX_P_APPN (logged, in the message history)")
ts("MO routed / unrouted", [(f'sum by (carrier, account) (rate(bindery_smpp_mo_routed_total{{{I}}}[{R}]))', "{{carrier}} -> {{account}}"),
                            (f'sum by (carrier) (rate(bindery_smpp_mo_unrouted_total{{{I}}}[{R}]))', "{{carrier}} unrouted")], "ops", w=8)
flush()

ts("ESME binds and submits", [(f'sum by (result) (rate(bindery_smpp_server_binds_total{{{I}}}[{R}]))', "bind {{result}}"),
                              (f'sum by (result) (rate(bindery_smpp_server_submits_total{{{I}}}[{R}]))', "submit {{result}}"),
                              (f'sum(rate(bindery_smpp_server_throttled_total{{{I}}}[{R}]))', "throttled")], "ops", w=8,
   desc="bind rejected: see ESME bind rejections by reason; submit refused: answered with an error status")
ts("ESME sessions bound", [(f'sum by (account, bind_type) (bindery_smpp_server_sessions_bound{{{I}}})', "{{account}} {{bind_type}}")], "short", w=8,
   stack=True, desc="ESME sessions bound to the SMPP server side now, by account (system_id) and bind type (trx, tx, rx)")
ts("ESME bind rejections by reason", [(f'sum by (reason) (rate(bindery_smpp_server_bind_rejections_total{{{I}}}[{R}]))', "{{reason}}")], "ops", w=8,
   desc="unknown_system_id, bad_password, bind_type_not_allowed (not in the account's bind_types), max_binds, already_bound (a bind on a bound connection), invalid_pdu (a bind that does not decode); each logged at warn by smpp.server")
flush()

row("Message store")
ts("Store writer busy", [(f'rate(bindery_store_writer_cpu_seconds_total{{{I}}}[{R}])', "{{instance}}")], "percentunit", w=8,
   desc="CPU of the single SQLite writer thread; near 100% it is the node's throughput limit")
ts("Commits and checkpoints", [(f'sum(rate(bindery_store_commits_total{{{I}}}[{R}]))', "commits"),
                               (f'sum by (by) (rate(bindery_store_checkpoints_total{{{I}}}[{R}]))', "checkpoints by {{by}}"),
                               (f'sum(rate(bindery_store_checkpoint_failures_total{{{I}}}[{R}]))', "checkpoint failures")], "ops", w=8)
ts("WAL length", [(f'bindery_store_wal_pages{{{I}}}', "{{instance}}")], "short", w=8,
   desc="Pages in the write-ahead log after the last commit; it starts over after each complete checkpoint")
flush()

row("Alerting (Alertmanager receiver)")
ts("Alert webhooks by outcome", [(f'sum by (receiver, outcome) (increase(bindery_alert_notifications_total{{{I}}}[{R}]))', "{{receiver}} {{outcome}}")], "short", w=8,
   desc="sent: SMS submitted; duplicate/filtered/not_wanted: nothing to send; no_recipients, unknown_receiver, invalid, retry: look at the log")
ts("Alerts received", [(f'sum by (receiver, status) (increase(bindery_alerts_received_total{{{I}}}[{R}]))', "{{receiver}} {{status}}")], "short", w=8)
ts("Directory lookups by source", [(f'sum by (directory, source) (increase(bindery_directory_lookups_total{{{I}}}[{R}]))', "{{directory}} {{source}}")], "short", w=8,
   desc="stale: the directory failed and the cached members were used")
flush()

row("Prepaid credit")
ts("Credit balance by client", [(f'sum by (client) (bindery_credit_balance{{{I}}})', "{{client}}")], "short", w=8,
   desc="Available prepaid credit of each metered client, in minor units of credits.currency (docs/credits.md). At 0 its messages are refused with 402 insufficient_credit")
ts("Credit on hold by client", [(f'sum by (client) (bindery_credit_on_hold{{{I}}})', "{{client}}")], "short", w=8,
   desc="Held by messages not yet final: captured (spent) or released later")
ts("Credit moved per hour", [(f'sum by (client) (increase(bindery_credit_captured_total{{{I}}}[1h]))', "{{client}} captured"),
                             (f'sum by (client) (increase(bindery_credit_released_total{{{I}}}[1h]))', "{{client}} released"),
                             (f'sum by (client) (increase(bindery_credit_added_total{{{I}}}[1h]))', "{{client}} added")], "short", w=8,
   desc="captured: spent on SENT/DELIVERED; released: given back after a permanent failure or a cancel; added: top-ups")
flush()

row("HTTP")
ts("HTTP requests by code", [(f'sum by (code) (rate(http_requests_total{{{I}}}[{R}]))', "{{code}}")], "reqps", stack=True)
ts("HTTP requests by route", [(f'sum by (route, method) (rate(http_requests_total{{{I}}}[{R}]))', "{{method}} {{route}}")], "reqps")
ts("HTTP connections", [(f'sum(http_connections_active{{{I}}})', "active"),
                        (f'sum(rate(http_connections_refused_total{{{I}}}[{R}]))', "refused/s")], "short")
ts("Store errors by code", [(f'sum by (code) (increase(bindery_store_errors_total{{{I}}}[{R}]))', "{{code}}")], "short")
ts("Store retention: rows purged per hour", [(f'sum(increase(bindery_store_purged_messages_total{{{I}}}[1h]))', "messages"),
                                             (f'sum(increase(bindery_store_purged_alerts_total{{{I}}}[1h]))', "alert records"),
                                             (f'sum(increase(bindery_store_purge_failures_total{{{I}}}[1h]))', "messages: failed runs"),
                                             (f'sum(increase(bindery_store_alert_purge_failures_total{{{I}}}[1h]))', "alert records: failed runs")], "short",
   desc="messages: finished messages past store.retention; alerts: alert records past alerting.retention")
flush()

row("SLO burn rate")
ts("Acceptance availability: error budget burn rate", [
    ('bindery:slo_acceptance_errors:ratio_rate5m / 0.001', "5m"),
    ('bindery:slo_acceptance_errors:ratio_rate1h / 0.001', "1h"),
    ('bindery:slo_acceptance_errors:ratio_rate30m / 0.001', "30m"),
    ('bindery:slo_acceptance_errors:ratio_rate6h / 0.001', "6h")], "x",
   desc="SLO 99.9% of POST /v1/messages not 5xx. Pages when 1h and 5m > 14.4, or 6h and 30m > 6 (conf/monitoring/rules/bindery-slo.yml)")
ts("Submit latency: error budget burn rate", [
    ('bindery:slo_submit_slow:ratio_rate5m / 0.01', "5m"),
    ('bindery:slo_submit_slow:ratio_rate1h / 0.01', "1h"),
    ('bindery:slo_submit_slow:ratio_rate30m / 0.01', "30m"),
    ('bindery:slo_submit_slow:ratio_rate6h / 0.01', "6h")], "x",
   desc="SLO 99% of POST /v1/messages within 250 ms")
flush()

row("Process")
ts("Memory", [(f'process_resident_memory_bytes{{job="bindery",{I}}}', "RSS {{instance}}")], "bytes", w=8)
ts("CPU", [(f'rate(process_cpu_seconds_total{{job="bindery",{I}}}[{R}])', "{{instance}}")], "percentunit", w=8)
ts("File descriptors", [(f'process_open_fds{{job="bindery",{I}}}', "open {{instance}}"), (f'process_max_fds{{job="bindery",{I}}}', "max {{instance}}")], "short", w=8)
flush()

dash = {
  "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
  "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                 {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
  "title": "Bindery", "uid": "bindery-overview", "description": "Bindery SMS gateway: throughput, latency, binds, queues, receipts, HTTP, SLO burn (conf/monitoring/grafana/bindery.json)",
  "tags": ["bindery", "sms", "smpp"], "timezone": "browser", "schemaVersion": 37, "version": 1, "editable": True,
  "refresh": "30s", "time": {"from": "now-6h", "to": "now"}, "graphTooltip": 1,
  "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
                            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
  "links": [],
  "templating": {"list": [
      {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "current": {}, "hide": 0, "refresh": 1},
      {"name": "instance", "label": "Instance", "type": "query", "datasource": DS, "query": {"query": 'label_values(up{job="bindery"}, instance)', "refId": "instance"},
       "definition": 'label_values(up{job="bindery"}, instance)', "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "current": {}, "hide": 0, "sort": 1},
      {"name": "carrier", "label": "Carrier", "type": "query", "datasource": DS, "query": {"query": 'label_values(bindery_binds_configured{instance=~"$instance"}, carrier)', "refId": "carrier"},
       "definition": 'label_values(bindery_binds_configured{instance=~"$instance"}, carrier)', "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "current": {}, "hide": 0, "sort": 1},
  ]},
  "panels": panels,
}
import sys
json.dump(dash, open(sys.argv[1], "w"), indent=2)
open(sys.argv[1], "a").write("\n")
