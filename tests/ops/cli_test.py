"""The operator commands against a running instance: bindery status, send, message show,
bind pause|resume, dlq list|retry, their --json output and their exit codes.

Scenario (simulator as the carrier):
  status shows the carrier bound; send --wait ends DELIVERED; message show prints the history;
  bind pause stops dispatch (a message with a 1 s validity then dead-letters while queued);
  dlq list shows it; dlq retry sends it again as a new message (a second retry answers the same
  new id); bindery serve restarts: the carrier is still paused (the pause is in the store) and
  retrying the dead letter again still answers the same new id (no second copy); bind resume lets
  the retry go out and reach DELIVERED, and the next restart starts the carrier unpaused.
Exit codes: 1 unknown carrier / retry of a message that is not a dead letter, 2 usage,
3 unreachable, 4 wrong admin key.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

TO = "+989121234567"


def main():
    bindery = harness.env_path("BINDERY")
    work = harness.Workdir("cli")
    sim = harness.Simulator(work, ["--dlr-delay", "10"])
    # An SMPP server account that may bind as transmitter or receiver (no ESME binds it here).
    config = harness.write_config(work, sim.port, smpp_accounts=harness.ESME_ACCOUNT)
    gw = harness.Gateway(work, config)
    env = dict(os.environ, BINDERY_URL=gw.base, BINDERY_ADMIN_KEY=harness.ADMIN_KEY,
               BINDERY_API_KEY=harness.API_KEY)

    def restart():
        nonlocal gw
        code = gw.stop()
        harness.check(code == 0, f"bindery serve exited {code} on SIGTERM:\n{work.read('bindery.log')[-3000:]}")
        gw = harness.Gateway(work, config)
        env["BINDERY_URL"] = gw.base
        harness.check(harness.eventually(lambda: gw.get("/healthz", key=None)[0] == 200, timeout=60),
                      f"bindery not serving after restart:\n{work.read('bindery.log')[-3000:]}")

    def cli(*args, env_over=None, expect=0):
        e = dict(env)
        e.update(env_over or {})
        p = subprocess.run([bindery, *args], capture_output=True, text=True, env=e, timeout=120)
        harness.check(p.returncode == expect,
                      f"bindery {' '.join(args)}: exit {p.returncode}, want {expect}\n"
                      f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p.stdout

    def cli_json(*args):
        return json.loads(cli(*args, "--json"))

    def carrier_state():
        return cli_json("status")["carriers"][0]["state"]

    try:
        gw.wait_ready()
        if not harness.eventually(lambda: carrier_state() == "bound", timeout=30):
            harness.fail(f"carrier not bound: {cli_json('status')}")
        status = cli_json("status")
        harness.check(status["carriers"][0]["name"] == "sim", f"status: {status}")
        harness.check(set(status["lanes"]) == {"express", "normal", "bulk"}, f"lanes: {status}")
        human = cli("status")
        harness.check("sim" in human and "bound" in human and "LANE" in human, f"status:\n{human}")
        # The SMPP server account's bind types, none bound; trx is not among them.
        harness.check(sorted((e["account"], e["bind_type"], e["bound"]) for e in status["esme_sessions"])
                      == [("esme1", "rx", 0), ("esme1", "tx", 0)], f"esme_sessions: {status}")
        esme_row = [line.split() for line in human.splitlines() if line.startswith("esme1")]
        harness.check("ESME ACCOUNT" in human and esme_row == [["esme1", "-", "0", "0"]], f"status:\n{human}")

        # send --wait: DELIVERED, exit 0.
        sent = cli_json("send", "--to", TO, "--text", "cli trial", "--from", "Bindery", "--wait=60")
        harness.check(sent["messages"][0]["state"] == "DELIVERED", f"send: {sent}")
        delivered_id = sent["messages"][0]["id"]
        shown = cli("message", "show", delivered_id)
        harness.check("DELIVERED" in shown and "SENT" in shown and "PROVIDER" in shown,
                      f"message show:\n{shown}")
        harness.check(cli_json("message", "show", delivered_id)["history"], "no history")

        # Pause: nothing is dispatched; a short-validity message dead-letters while queued.
        harness.check("paused" in cli("bind", "pause", "sim"), "pause output")
        harness.check(carrier_state() == "paused", "status after pause")
        queued = cli_json("send", "--to", TO, "--text", "expires while paused", "--from", "Bindery",
                          "--validity", "1s")
        dead_id = queued["messages"][0]["id"]
        if not harness.eventually(lambda: cli_json("message", "show", dead_id)["state"] == "DEAD_LETTER",
                                  timeout=60, interval=0.5):
            harness.fail(f"not dead-lettered: {cli('message', 'show', dead_id)}")
        history = cli_json("message", "show", dead_id)["history"]
        harness.check(all(h["to"] != "SENDING" for h in history), f"dispatched while paused: {history}")

        dlq = cli_json("dlq", "list")
        harness.check(dead_id in [m["id"] for m in dlq["messages"]], f"dlq list: {dlq}")
        harness.check(dead_id in cli("dlq", "list"), "dlq list (text)")

        retried = cli_json("dlq", "retry", dead_id)
        harness.check(len(retried["retried"]) == 1 and not retried["failed"], f"retry: {retried}")
        new_id = retried["retried"][0]["new_id"]
        again = cli_json("dlq", "retry", dead_id)
        harness.check(again["retried"][0]["new_id"] == new_id, f"second retry made another copy: {again}")
        # Not a dead letter: exit 1 with the reason.
        cli("dlq", "retry", delivered_id, expect=1)

        # Restart: the operator's pause and the retry are in the store.
        restart()
        harness.check(carrier_state() == "paused", f"pause lost on restart: {cli_json('status')}")
        # An operator's pause keeps the instance ready (in the load balancer); /readyz names it.
        code, _, ready = gw.get("/readyz", key=None)
        harness.check(code == 200 and b"paused by operator: sim" in ready, f"/readyz while paused: {code} {ready!r}")
        harness.check("carrier paused by operator (restored)" in work.read("bindery.log"), "no restore log line")
        after = cli_json("dlq", "retry", dead_id)
        harness.check(after["retried"] == [{"id": dead_id, "new_id": new_id}] and not after["failed"],
                      f"retry after restart made another copy: {after}")
        everything = cli_json("dlq", "retry", "--all")
        harness.check({r["id"]: r["new_id"] for r in everything["retried"]}.get(dead_id) == new_id,
                      f"retry --all after restart: {everything}")
        dead_letters = [m["id"] for m in cli_json("dlq", "list")["messages"]]
        harness.check(dead_letters == [dead_id], f"dead letters: {dead_letters}")
        harness.check(cli_json("message", "show", new_id)["state"] in ("ACCEPTED", "QUEUED"),
                      f"the retry went out while paused: {cli('message', 'show', new_id)}")

        # Resume: the retried copy goes out.
        harness.check("bound" in cli("bind", "resume", "sim"), "resume output")
        if not harness.eventually(lambda: cli_json("message", "show", new_id)["state"] == "DELIVERED",
                                  timeout=60, interval=0.5):
            harness.fail(f"retry not delivered: {cli('message', 'show', new_id)}")
        # Resumed is saved too: the next start dispatches to the carrier.
        restart()
        if not harness.eventually(lambda: carrier_state() == "bound", timeout=30):
            harness.fail(f"carrier not bound after resume and restart: {cli_json('status')}")

        # Exit codes.
        cli("bind", "pause", "no-such-carrier", expect=1)
        cli("message", "show", "0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b", expect=1)
        cli("status", env_over={"BINDERY_ADMIN_KEY": "wrong-key-0123456789"}, expect=4)
        cli("status", env_over={"BINDERY_ADMIN_KEY": ""}, expect=2)
        cli("dlq", expect=2)
        cli("bind", "stop", "sim", expect=2)
        cli("send", "--to", TO, expect=2)
        cli("status", "--url", "http://127.0.0.1:1", expect=3)
        cli("status", "--url", "ftp://x", expect=2)
        print("ok")
    finally:
        gw.stop()
        sim.stop()


if __name__ == "__main__":
    main()
