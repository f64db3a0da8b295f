#!/usr/bin/env python3
"""Turns the figures bench/run collected into bench/results/<date>.md (one table) and
bench/results/latest.json (name, value, unit, peer, ratio, how) for machines to read.

    bench/report.py OUT_DIR RESULTS_DIR

Reads what is there and says what is missing; never invents a figure. Inputs (under OUT_DIR):
  codec.json            Google Benchmark JSON of bench_codec (Bindery and libsmpp34, same run)
  callbacks.json        Google Benchmark JSON of bench_callbacks (callback body and signature,
                        next to the nlohmann + one-shot HMAC construction they replaced)
  smpp-window-<w>.json  bindery-smpp-load, one bind at window <w> against the simulator
  node-smpp-window-<w>.json   optional: node-smpp client, same bind/window/simulator (peer)
  http-<scenario>.json  bench/http.sh: loadgen JSON + end-to-end, RSS and CPU of the gateway
  alertmanager.json     bench_alertmanager (webhook -> last submit_sm)
  machine.json          cores, load average, build type, commit
"""
import datetime
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Tools that print a table first: the JSON object is the last thing in the output.
        start = text.rfind("\n{")
        try:
            return json.loads(text[start + 1 if start >= 0 else 0:])
        except json.JSONDecodeError:
            return None


def fmt(v, unit):
    if v is None:
        return "—"
    if unit in ("msg/s", "submit_sm/s", "ops/s", "callbacks/s"):
        return f"{v:,.0f} {unit}"
    if unit == "ns":
        return f"{v:.0f} ns"
    if unit == "ms":
        return f"{v:.2f} ms" if v < 100 else f"{v:.0f} ms"
    if unit == "MiB":
        return f"{v:.1f} MiB"
    if unit == "ms CPU":
        return f"{v:.1f} ms CPU"
    if unit == "count":
        return f"{v:.0f}"
    return f"{v} {unit}"


class Report:
    def __init__(self):
        self.rows = []      # (section, name, value, unit, peer, peer_value, ratio, how)
        self.missing = []

    def add(self, section, name, value, unit, how, peer=None, peer_value=None, ratio=None,
            md=True):
        """A figure: a row of the table (unless md=False) and an entry of latest.json."""
        self.rows.append(dict(section=section, name=name, value=value, unit=unit, peer=peer,
                              peer_value=peer_value, ratio=ratio, how=how, md=md))

    def add_text(self, section, name, text, how):
        """A table row that sums up several figures (each added with md=False)."""
        self.rows.append(dict(section=section, name=name, text=text, how=how, peer=None,
                              ratio=None, md=True))


def codec(rep, out):
    data = load(os.path.join(out, "codec.json"))
    if not data:
        rep.missing.append("codec (bench_codec)")
        return
    pairs = [(f"codec.{label.replace(' ', '_')}", ours, theirs, "libsmpp34") for label, ours, theirs in (
        ("decode submit_sm", "BM_Bindery_Decode_SubmitSm", "BM_Libsmpp34_Unpack_SubmitSm"),
        ("decode deliver_sm", "BM_Bindery_Decode_DeliverSm", "BM_Libsmpp34_Unpack_DeliverSm"),
        ("encode submit_sm", "BM_Bindery_Encode_SubmitSm", "BM_Libsmpp34_Pack_SubmitSm"),
        ("encode deliver_sm", "BM_Bindery_Encode_DeliverSm", "BM_Libsmpp34_Pack_DeliverSm"))]
    paired_cpu_times(rep, "codec", data, pairs,
                     "bench_codec: CPU time per PDU, same octets for both, same run")


def paired_cpu_times(rep, section, data, pairs, how):
    """Google Benchmark CPU times, ours against a peer's, for (name, ours, theirs, peer) pairs."""
    by = {b["name"]: b for b in data.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"}
    for name, ours, theirs, peer in pairs:
        if ours not in by:
            continue
        v = by[ours]["cpu_time"]
        p = by[theirs]["cpu_time"] if theirs in by else None
        rep.add(section, name, v, "ns", how,
                peer=peer if p else None, peer_value=p, ratio=(p / v) if p else None)


def callback_encoding(rep, out):
    data = load(os.path.join(out, "callbacks.json"))
    if not data:
        rep.missing.append("callback body/signature (bench_callbacks)")
        return
    pairs = [("callbacks.body_ns", "body/new_plain", "body/old_nlohmann_plain", "nlohmann::ordered_json"),
             ("callbacks.body_rich_ns", "body/new_rich", "body/old_nlohmann_rich", "nlohmann::ordered_json"),
             ("callbacks.signature_ns", "signature/new_kept_context", "signature/old_one_shot_hmac",
              "one-shot HMAC()")]
    paired_cpu_times(rep, "callbacks", data, pairs,
                     "bench_callbacks: CPU time per delivery-callback body / signature, same event, "
                     "previous construction as peer, same run")


def single_bind(rep, out):
    found = False
    for w in (1, 10, 100, 500):
        ours = load(os.path.join(out, f"smpp-window-{w}.json"))
        if not ours:
            continue
        found = True
        peer = load(os.path.join(out, f"node-smpp-window-{w}.json"))
        pv = peer.get("submits_per_second") if peer else None
        v = ours.get("submits_per_second")
        rep.add("smpp", f"smpp.one_bind_window_{w}", v, "submit_sm/s",
                f"bindery-smpp-load: 1 bind, window {w}, {ours.get('count')} submit_sm to "
                "bindery-smsc-sim on loopback, closed loop",
                peer="node-smpp 0.5.1" if pv else None, peer_value=pv,
                ratio=(v / pv) if pv and v else None)
    if not found:
        rep.missing.append("single-bind by window (bindery-smpp-load)")


def http(rep, out):
    runs = {}
    for s in ("closed", "batch", "batch_unrecorded", "noreceipts", "open5000", "conn1000",
              "callbacks"):
        d = load(os.path.join(out, f"http-{s}.json"))
        if d:
            runs[s] = d
    if not runs:
        rep.missing.append("HTTP -> simulator (bench/http.sh)")
        return
    where = ("bindery serve + bindery-smsc-sim (4 binds x window 100) + bindery-loadgen on "
             "loopback, SQLite WAL synchronous=normal, commit_interval 0ms, a delivery receipt "
             "asked for each message (the simulator sends it 100 ms after the submit; the "
             "gateway handles it during the run)")
    if "closed" in runs:
        r = runs["closed"]
        rep.add("http", "http.accepted_per_second", r["accepted_per_second"], "msg/s",
                f"{where}; 64 keep-alive connections, closed loop, 1 recipient/request, "
                f"{r['seconds']:.0f} s")
        rep.add("http", "http.end_to_end_per_second", r["end_to_end_per_second"], "msg/s",
                "same run: accepted messages / time until the gateway reported all of them SENT "
                "(submit_sm_resp from the simulator)")
        rep.add("http", "http.closed_p50_ms", r["latency_ms"]["p50"], "ms",
                "same run: POST -> 202, per request")
        rep.add("http", "http.closed_p99_ms", r["latency_ms"]["p99"], "ms", "same run")
    if "batch" in runs:
        r = runs["batch"]
        rep.add("http", "http.batch50_accepted_per_second", r["accepted_per_second"], "msg/s",
                f"{where}; 16 connections, closed loop, 50 recipients/request")
        rep.add("http", "http.batch50_end_to_end_per_second", r["end_to_end_per_second"], "msg/s",
                "same run, until all SENT")
    if "batch_unrecorded" in runs:
        r = runs["batch_unrecorded"]
        rep.add("http", "http.batch50_unrecorded_accepted_per_second", r["accepted_per_second"],
                "msg/s",
                f"{where}, store.record_dispatch false (a submit goes out without its own "
                "QUEUED -> SENDING commit; docs/store.md); 32 connections, closed loop, "
                "50 recipients/request")
        rep.add("http", "http.batch50_unrecorded_end_to_end_per_second",
                r["end_to_end_per_second"], "msg/s",
                f"same run, until all SENT (p99 acceptance {r['latency_ms']['p99']:.0f} ms, "
                f"gateway CPU {r['gateway_cpu_ms_per_1000']:.0f} ms per 1,000 messages)")
    if "noreceipts" in runs:
        r = runs["noreceipts"]
        rep.add("http", "http.batch50_noreceipts_accepted_per_second", r["accepted_per_second"],
                "msg/s",
                "HTTP -> SMSC alone (the issue 6/9 40,000 msg/s figure): bindery serve + "
                "bindery-smsc-sim (4 binds x window 100) + bindery-loadgen on loopback, SQLite "
                "WAL synchronous=normal, commit_interval 0ms, the default store (every dispatch "
                "recorded), the carrier with registered_delivery false (no receipts asked: "
                f"{r.get('receipts_matched_by_then', 0)} handled); 32 connections, closed loop, "
                "50 recipients/request")
        rep.add("http", "http.batch50_noreceipts_end_to_end_per_second",
                r["end_to_end_per_second"], "msg/s",
                f"same run, until all SENT (p99 acceptance {r['latency_ms']['p99']:.0f} ms, "
                f"gateway CPU {r['gateway_cpu_ms_per_1000']:.0f} ms per 1,000 messages)")
    if "open5000" in runs:
        r = runs["open5000"]
        rep.add("http", "http.open5000_p50_ms", r["latency_ms"]["p50"], "ms",
                f"{where}; open loop at a fixed 5,000 msg/s over 64 connections, latency from "
                f"each request's scheduled time (achieved {r['accepted_per_second']:,.0f} msg/s, "
                f"{r.get('late', 0)} sends > 1 ms late)")
        rep.add("http", "http.open5000_p99_ms", r["latency_ms"]["p99"], "ms", "same run")
        rep.add("http", "http.open5000_max_ms", r["latency_ms"]["max"], "ms", "same run")
    if "conn1000" in runs:
        r = runs["conn1000"]
        rep.add("http", "http.conn1000_refused_or_dropped",
                r["connect_failures"] + r["dropped"], "count",
                "1,000 connections opened at once, then open loop 2,000 msg/s for 5 s: "
                f"connect failures {r['connect_failures']}, connections closed by the server "
                f"{r['dropped']}; requests still unanswered when the run was cut (drain 10 s) "
                f"{r['unanswered']}, accepted {r['accepted']}")
        rep.add("http", "http.conn1000_p99_ms", r["latency_ms"]["p99"], "ms", "same run")
    if "callbacks" in runs and runs["callbacks"].get("callbacks"):
        callbacks(rep, runs["callbacks"], where)
    # Resources over the HTTP runs.
    rss = [r.get("gateway_peak_rss_kib") for r in runs.values() if r.get("gateway_peak_rss_kib")]
    if rss:
        rep.add("resources", "gateway.peak_rss_mib", max(rss) / 1024.0, "MiB",
                "max over the HTTP scenarios of the gateway's VmHWM (/proc/PID/status)")
    if "closed" in runs and runs["closed"].get("gateway_cpu_ms_per_1000"):
        rep.add("resources", "gateway.cpu_ms_per_1000_messages",
                runs["closed"]["gateway_cpu_ms_per_1000"], "ms CPU",
                "closed-loop HTTP run: gateway user+system CPU (/proc/PID/stat) per 1,000 "
                "messages accepted and sent to the simulator")


def callbacks(rep, r, where):
    """Issue 9: HTTP -> simulator with receipts and signed delivery callbacks at 15,000 msg/s."""
    c = r["callbacks"]
    gw = r.get("gateway_callbacks") or {}
    attempts = gw.get("attempts", {})
    acc, cbs = r["accepted_per_second"], c["per_second"]
    arrival = c.get("arrival_per_second", 0)
    p99, missing = c["latency_ms"]["p99"], c["missing"]
    how = (f"{where}; open loop at {r['target_rate']:,.0f} msg/s, {r['connections']} connections, "
           f"{r.get('batch', 1)} recipients/request, {r['messages'] / r['target_rate'] if r['target_rate'] else r['seconds']:.0f} s of load; the simulator "
           "sends a receipt per message, the gateway POSTs a callback signed with the client's "
           "callback_secret to bindery-loadgen's receiver, which verifies it; callbacks/s = "
           "callbacks received / (first send -> last callback), and the arrival rate = callbacks "
           "received / (first callback -> last callback), which leaves out the pipeline's fixed "
           "delay before the first one (the simulator's 100 ms receipt delay); latency from each request's "
           "scheduled time to the message's first final-state callback; missing = accepted "
           f"without a final callback when the bounded wait ended. Same run: "
           f"{c['received']:,} callbacks ({', '.join(f'{k} {v:,}' for k, v in c['by_state'].items()) or 'none'}), "
           f"duplicates {c['duplicates']}, bad signatures {c['bad_signatures']}, unknown ids "
           f"{c['unknown']}, {r.get('unsent', 0)} sends never made, {r.get('late', 0)} sends > 1 ms "
           f"late; " + (f"bindery-loadgen's receiver used {c['receiver_cpu_seconds']:.2f} s CPU; "
                        if c.get("receiver_cpu_seconds") else "") + f"gateway: attempts {', '.join(f'{k} {v:,}' for k, v in attempts.items()) or '?'}, "
           f"mean attempt {gw.get('attempt_mean_ms', 0):.1f} ms, pending at the end "
           f"{gw.get('pending', '?')}")
    rep.add_text("http", "HTTP → simulator with receipts and callbacks at 15,000 msg/s",
                 f"{fmt(acc, 'msg/s')} accepted; {cbs:,.0f} callbacks/s over the run, arriving at "
                 f"{arrival:,.0f}/s; p99 submit→callback "
                 f"{fmt(p99, 'ms')}; missing {missing:,} of {c['expected']:,}", how)
    rep.add("http", "http.callbacks15000_accepted_per_second", acc, "msg/s", how, md=False)
    rep.add("http", "http.callbacks15000_callbacks_per_second", cbs, "callbacks/s",
            "same run: callbacks received / (first send -> last callback)", md=False)
    rep.add("http", "http.callbacks15000_arrival_per_second", arrival, "callbacks/s",
            "same run: callbacks received / (first callback -> last callback)", md=False)
    rep.add("http", "http.callbacks15000_p99_submit_to_callback_ms", p99, "ms",
            "same run: scheduled send -> first final-state callback, per message", md=False)
    rep.add("http", "http.callbacks15000_missing", missing, "count",
            "same run: accepted messages without a final callback when the wait ended", md=False)


def alerts(rep, out):
    d = load(os.path.join(out, "alertmanager.json"))
    if not d:
        rep.missing.append("alert webhook -> SMS (bench_alertmanager)")
        return
    how = (f"bench_alertmanager: Alertmanager webhook POST for a {d.get('group')}-person group "
           "-> the last submit_sm accepted by the simulator, whole gateway in-process, "
           f"{d.get('rounds')} rounds")
    rep.add("alerts", "alerts.webhook_to_last_submit_p50_ms", d["last_submit_sm_ms"]["p50"], "ms", how)
    rep.add("alerts", "alerts.webhook_to_last_submit_p99_ms", d["last_submit_sm_ms"]["p99"], "ms",
            "same run")
    rep.add("alerts", "alerts.webhook_ack_p99_ms", d["ack_ms"]["p99"], "ms",
            "same run: POST -> 200 (all messages durable)")


def main():
    out, results = sys.argv[1], sys.argv[2]
    rep = Report()
    codec(rep, out)
    callback_encoding(rep, out)
    single_bind(rep, out)
    http(rep, out)
    alerts(rep, out)
    machine = load(os.path.join(out, "machine.json")) or {}
    now = datetime.datetime.now(datetime.timezone.utc)
    os.makedirs(results, exist_ok=True)
    md = os.path.join(results, now.strftime("%Y-%m-%d") + ".md")
    lines = [f"# Benchmark results, {now.strftime('%Y-%m-%d %H:%M UTC')}", ""]
    if machine:
        lines.append(f"Machine: {machine.get('cpus', '?')} CPUs ({machine.get('cpu_model', '?')}), "
                     f"load average at start {machine.get('loadavg', '?')}; build "
                     f"{machine.get('build', '?')}; commit {machine.get('commit', '?')}. "
                     "Other work was running on the machine unless the load average says "
                     "otherwise: compare ratios measured in the same run, not absolute figures "
                     "across runs.")
        lines.append("")
    lines.append("| figure | value | peer (same run) | ratio | how it was measured |")
    lines.append("| --- | --- | --- | --- | --- |")
    for r in rep.rows:
        if not r["md"]:
            continue
        peer = f"{r['peer']}: {fmt(r['peer_value'], r['unit'])}" if r["peer"] else "—"
        ratio = f"{r['ratio']:.1f}×" if r["ratio"] else "—"
        value = r["text"] if "text" in r else fmt(r["value"], r["unit"])
        lines.append(f"| {r['name']} | {value} | {peer} | {ratio} | {r['how']} |")
    if rep.missing:
        lines += ["", "Not measured in this run: " + "; ".join(rep.missing) + "."]
    lines += ["", "Ratios: peer time / Bindery time for the codec and callback encoding (higher is better for Bindery); "
              "Bindery rate / peer rate for throughput. Reproduce with `make bench` "
              "(docs/bench.md)."]
    with open(md, "w") as f:
        f.write("\n".join(lines) + "\n")
    latest = {"date": now.isoformat(timespec="seconds"), "machine": machine,
              "results": [{k: r[k] for k in ("name", "value", "unit", "peer", "peer_value", "ratio",
                                               "how")} for r in rep.rows if "text" not in r],
              "missing": rep.missing}
    with open(os.path.join(results, "latest.json"), "w") as f:
        json.dump(latest, f, indent=1)
        f.write("\n")
    print(f"report: {md} and {os.path.join(results, 'latest.json')}")


if __name__ == "__main__":
    main()
