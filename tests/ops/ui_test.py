"""The web status page in headless Chromium (Debian's `chromium`) against a running instance.

The page loads with the admin key in its fragment, shows the simulator's bind as bound, and a
message sent through the API appears in "Recent messages" with its final state (DELIVERED). The
rendered DOM is checked through Chromium's --dump-dom; a screenshot is saved as a test artifact
($BINDERY_ARTIFACTS/ui-status.png, under the build directory). Without the key, the page shows the
login form and no data.
"""

import html.parser
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


def main():
    browser = harness.tool("chromium")
    artifacts = os.environ.get("BINDERY_ARTIFACTS") or os.getcwd()
    os.makedirs(artifacts, exist_ok=True)
    work = harness.Workdir("ui")
    sim = harness.Simulator(work, ["--dlr-delay", "10"])
    gw = harness.Gateway(work, harness.write_config(work, sim.port))
    try:
        gw.wait_ready()
        message_id = gw.send(text="seen on the status page")
        gw.wait_state(message_id)
        url = f"{gw.base}/ui/#key={harness.ADMIN_KEY}"

        def rendered():
            parser, p = dump(browser, work.file("profile"), url)
            carriers = {r.get("data-carrier"): r.get("data-state") for r in parser.rows if "data-carrier" in r}
            messages = {r.get("data-id"): r.get("data-state") for r in parser.rows if "data-id" in r}
            ok = parser.loaded and carriers.get("sim") == "bound" and messages.get(message_id) == "DELIVERED"
            return (parser, carriers, messages, p) if ok else None

        # Chromium start-up on a loaded machine: a few attempts.
        result = harness.eventually(rendered, timeout=240, interval=1)
        if not result:
            parser, p = dump(browser, work.file("profile"), url)
            harness.fail(f"page did not show the bound carrier and the delivered message:\n"
                         f"rows={parser.rows}\nloaded={parser.loaded}\nstderr={p.stderr[-2000:]}\n"
                         f"dom={p.stdout[-3000:]}")
        parser, carriers, messages, _ = result
        harness.check(parser.login_hidden is True, "login form visible with a key")
        lanes = [r.get("data-lane") for r in parser.rows if "data-lane" in r]
        harness.check(sorted(lanes) == ["bulk", "express", "normal"], f"lanes: {lanes}")

        shot = os.path.join(artifacts, "ui-status.png")
        if os.path.exists(shot):
            os.remove(shot)
        p = run_chromium(browser, work.file("profile"),
                         ["--virtual-time-budget=15000", f"--screenshot={shot}", url])
        harness.check(os.path.exists(shot) and os.path.getsize(shot) > 10_000,
                      f"no screenshot: {p.stderr[-2000:]}")

        # Without a key: the login form, no data rows.
        anonymous, _ = dump(browser, work.file("profile-anon"), f"{gw.base}/ui/")
        harness.check(anonymous.login_hidden is False and not anonymous.rows,
                      f"anonymous page shows data: {anonymous.rows}")
        print(f"ok: carriers {carriers}, {len(messages)} messages, screenshot {shot}")
    finally:
        gw.stop()
        sim.stop()


if __name__ == "__main__":
    main()
