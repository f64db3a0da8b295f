"""The web status page in headless Chromium (Debian's `chromium`) against a running instance.

The page loads with the admin key in its fragment, shows the simulator's bind as bound, and a
message sent through the API appears in "Recent messages" with its final state (DELIVERED). An
Alertmanager webhook posted to the gateway appears under "Alert notifications" (firing, sent, one
message), and opened by its id (#alert=ID) the page lists the message it produced with its state
(DELIVERED). The rendered DOM is checked through Chromium's --dump-dom; screenshots are saved as
test artifacts ($BINDERY_ARTIFACTS/ui-status.png and ui-alert.png, under the build directory).
Without the key, the page shows the login form and no data.
"""

import html.parser
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


class Rows(html.parser.HTMLParser):
    """Collects the data-* attributes of table rows, and whether the login form is hidden."""

    def __init__(self):
        super().__init__()
        self.rows = []
        self.login_hidden = None
        self.loaded = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and any(k.startswith("data-") for k in a):
            self.rows.append(a)
        if tag == "form" and a.get("id") == "login":
            self.login_hidden = "hidden" in a
        if tag == "body" and a.get("data-loaded") == "true":
            self.loaded = True


def run_chromium(browser, profile, args, timeout=120):
    cmd = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--no-default-browser-check", "--disable-extensions",
           f"--user-data-dir={profile}", "--window-size=1400,1000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def dump(browser, profile, url):
    # --virtual-time-budget lets the page's fetches and its refresh timer run before the dump.
    p = run_chromium(browser, profile, ["--virtual-time-budget=15000", "--dump-dom", url])
    parser = Rows()
    parser.feed(p.stdout)
    return parser, p


ONCALL = "+989121110001"
WEBHOOK_TOKEN = "ops-webhook-token-0123456789"
ALERTING = f"""alerting:
  auth: {{bearer_token: {WEBHOOK_TOKEN}}}
  receivers:
    - name: ops-oncall
      recipients: ["{ONCALL}"]
      sender: Bindery
      client: ops
"""


def webhook_payload():
    """What Alertmanager posts (webhook version 4): one firing alert for the receiver."""
    return {
        "version": "4",
        "groupKey": '{}:{alertname="BinderyCarrierDown"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "ops-oncall",
        "groupLabels": {"alertname": "BinderyCarrierDown"},
        "commonLabels": {"alertname": "BinderyCarrierDown", "severity": "critical", "carrier": "sim"},
        "commonAnnotations": {"summary": "carrier sim has no bound session"},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "BinderyCarrierDown", "severity": "critical", "carrier": "sim"},
            "annotations": {"summary": "carrier sim has no bound session"},
            "startsAt": "2026-11-23T22:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example:9090/graph",
            "fingerprint": "a1b2c3d4e5f60718",
        }],
    }


def main():
    browser = harness.tool("chromium")
    artifacts = os.environ.get("BINDERY_ARTIFACTS") or os.getcwd()
    os.makedirs(artifacts, exist_ok=True)
    work = harness.Workdir("ui")
    sim = harness.Simulator(work, ["--dlr-delay", "10"])
    gw = harness.Gateway(work, harness.write_config(work, sim.port, ALERTING,
                                                    smpp_accounts=harness.ESME_ACCOUNT))
    try:
        gw.wait_ready()
        message_id = gw.send(text="seen on the status page")
        gw.wait_state(message_id)
        status, _, body = harness.http("POST", gw.base + "/v1/alertmanager", body=webhook_payload(),
                                       headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"})
        harness.check(status == 200, f"webhook answered {status}: {body!r}")
        notification = json.loads(body)
        alert_id = notification["id"]
        harness.check(notification["outcome"] == "sent" and notification["messages"] == 1,
                      f"webhook: {notification}")
        # The page shows the message's state: wait until the page can show it DELIVERED.
        status, _, body = gw.get(f"/admin/v1/alerts/{alert_id}", key=harness.ADMIN_KEY)
        harness.check(status == 200, f"admin alert answered {status}: {body!r}")
        alert_message = json.loads(body)["messages"][0]["message_id"]
        harness.check(alert_message, f"no message for the alert: {body!r}")
        gw.wait_state(alert_message)
        url = f"{gw.base}/ui/#key={harness.ADMIN_KEY}"

        def rendered():
            parser, p = dump(browser, work.file("profile"), url)
            carriers = {r.get("data-carrier"): r.get("data-state") for r in parser.rows if "data-carrier" in r}
            messages = {r.get("data-id"): r.get("data-state") for r in parser.rows if "data-id" in r}
            alerts = {r.get("data-alert-id"): r for r in parser.rows if "data-alert-id" in r}
            alert = alerts.get(alert_id, {})
            ok = (parser.loaded and carriers.get("sim") == "bound" and messages.get(message_id) == "DELIVERED"
                  and alert.get("data-status") == "firing" and alert.get("data-outcome") == "sent"
                  and alert.get("data-messages") == "1")
            return (parser, carriers, messages, p) if ok else None

        # Chromium start-up on a loaded machine: a few attempts.
        result = harness.eventually(rendered, timeout=240, interval=1)
        if not result:
            parser, p = dump(browser, work.file("profile"), url)
            harness.fail(f"page did not show the bound carrier, the delivered message and the alert:\n"
                         f"rows={parser.rows}\nloaded={parser.loaded}\nstderr={p.stderr[-2000:]}\n"
                         f"dom={p.stdout[-3000:]}")
        parser, carriers, messages, _ = result
        harness.check(parser.login_hidden is True, "login form visible with a key")
        lanes = [r.get("data-lane") for r in parser.rows if "data-lane" in r]
        harness.check(sorted(lanes) == ["bulk", "express", "normal"], f"lanes: {lanes}")
        # The SMPP server side's account, by bind type it may make, none bound.
        esme = sorted((r.get("data-esme-account"), r.get("data-bind-type"), r.get("data-bound"))
                      for r in parser.rows if "data-esme-account" in r)
        harness.check(esme == [("esme1", "rx", "0"), ("esme1", "tx", "0")], f"SMPP clients: {esme}")

        shot = os.path.join(artifacts, "ui-status.png")
        if os.path.exists(shot):
            os.remove(shot)
        p = run_chromium(browser, work.file("profile"),
                         ["--virtual-time-budget=15000", f"--screenshot={shot}", url])
        harness.check(os.path.exists(shot) and os.path.getsize(shot) > 10_000,
                      f"no screenshot: {p.stderr[-2000:]}")

        # Opened on the notification: the message it produced, with its state now.
        alert_url = f"{gw.base}/ui/#key={harness.ADMIN_KEY}&alert={alert_id}"

        def alert_rendered():
            parser, _ = dump(browser, work.file("profile"), alert_url)
            rows = [r for r in parser.rows if "data-alert-message" in r]
            ok = parser.loaded and [(r.get("data-alert-message"), r.get("data-state")) for r in rows] == [
                (alert_message, "DELIVERED")]
            return rows if ok else None

        if not harness.eventually(alert_rendered, timeout=120, interval=1):
            parser, p = dump(browser, work.file("profile"), alert_url)
            harness.fail(f"alert notification not shown with its message:\nrows={parser.rows}\n"
                         f"stderr={p.stderr[-2000:]}\ndom={p.stdout[-3000:]}")
        alert_shot = os.path.join(artifacts, "ui-alert.png")
        if os.path.exists(alert_shot):
            os.remove(alert_shot)
        p = run_chromium(browser, work.file("profile"),
                         ["--virtual-time-budget=15000", f"--screenshot={alert_shot}", alert_url])
        harness.check(os.path.exists(alert_shot) and os.path.getsize(alert_shot) > 10_000,
                      f"no alert screenshot: {p.stderr[-2000:]}")

        # Without a key: the login form, no data rows.
        anonymous, _ = dump(browser, work.file("profile-anon"), f"{gw.base}/ui/")
        harness.check(anonymous.login_hidden is False and not anonymous.rows,
                      f"anonymous page shows data: {anonymous.rows}")
        print(f"ok: carriers {carriers}, {len(messages)} messages, alert {alert_id}, "
              f"screenshots {shot} {alert_shot}")
    finally:
        gw.stop()
        sim.stop()


if __name__ == "__main__":
    main()
