"""Shared helpers of the operations tests (tests/ops/*_test.py).

Starts the SMSC simulator and `bindery serve` on 127.0.0.1 with ephemeral ports, talks HTTP to
them, and stops exactly the processes it started (by pid). Every wait is bounded.

Environment (set by tests/ops/ops.cmake):
  BINDERY          path of the bindery executable
  BINDERY_SIM      path of bindery-smsc-sim
  BINDERY_SOURCE   repository root
  BINDERY_ARTIFACTS directory for artifacts (screenshots, logs kept on failure)
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

API_KEY = "ops-test-key-0123456789"
ADMIN_KEY = "ops-admin-key-0123456789"


def env_path(name):
    value = os.environ.get(name)
    if not value:
        fail(f"{name} is not set (run through ctest)")
    return value


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def eventually(predicate, timeout=30.0, interval=0.1):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def free_port():
    """A port free right now on 127.0.0.1 (for programs that cannot report an ephemeral port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=10.0):
    """Returns (status, headers, body bytes); never raises on HTTP errors."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
        return 0, {}, str(e).encode()


class Workdir:
    """A temporary directory, removed on success and kept (path printed) on failure."""

    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=f"bindery-{prefix}-")

    def file(self, name):
        return os.path.join(self.path, name)

    def read(self, name):
        try:
            with open(self.file(name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Process:
    """A child process in its own process group; stop() ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, args, log_path, cwd=None, env=None):
        self.args = args
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd,
                                     env=env, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        return self.proc.returncode

    def output(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()


class Simulator(Process):
    def __init__(self, work, extra=()):
        self.port_file = work.file("sim.port")
        super().__init__([env_path("BINDERY_SIM"), "--listen", "127.0.0.1:0", "--port-file",
                          self.port_file, *extra], work.file("sim.log"))
        text = eventually(lambda: _read(self.port_file).strip(), timeout=20)
        check(text, f"simulator did not report its port:\n{self.output()}")
        self.port = int(text)


# An SMPP server-side account that may bind as transmitter or receiver (write_config's accounts).
ESME_ACCOUNT = """  accounts:
    - system_id: esme1
      password: pw
      client: ops
      bind_types: [tx, rx]
"""


def write_config(work, carrier_port, extra="", smpp_accounts=""):
    """The gateway's config: `extra` appended at the top level, `smpp_accounts` (e.g.
    ESME_ACCOUNT) under smpp_server."""
    path = work.file("bindery.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""process:
  io_threads: 2
  drain_timeout: 5s
logging:
  level: info
  format: json
  file: {work.file("bindery.log")}
store:
  path: {work.file("var/bindery.db")}
  synchronous: normal
http:
  listen: 127.0.0.1:0
smpp_server:
  listen: 127.0.0.1:0
{smpp_accounts}carriers:
  - name: sim
    kind: smpp
    address: 127.0.0.1:{carrier_port}
    system_id: bindery
    password: secret
    window: 20
    reconnect: {{initial: 100ms, max: 1s}}
routes:
  - name: default
    providers: [sim]
clients:
  - name: ops
    api_key: {API_KEY}
    allowed_senders: ["*"]
    rate: 100000
    burst: 100000
{extra}""")
    return path


class Gateway(Process):
    """`bindery serve` with the config from write_config(); `port` is read from its log."""

    LISTENING = re.compile(r'"msg":"http listening","port":"?([0-9]+)')

    def __init__(self, work, config):
        self.work = work
        # The admin endpoint's key comes from the environment (docs/operations.md).
        env = dict(os.environ, BINDERY_ADMIN_KEY=ADMIN_KEY)
        # A restart appends to the same log: look for the port only in what this run writes.
        start = len(work.read("bindery.log"))
        super().__init__([env_path("BINDERY"), "serve", "--config", config], work.file("bindery.out"),
                         cwd=work.path, env=env)

        def port():
            m = self.LISTENING.search(work.read("bindery.log")[start:])
            return int(m.group(1)) if m else (None if self.alive() else -1)

        p = eventually(port, timeout=60)
        check(p and p > 0, f"bindery did not start:\n{self.output()}\n{work.read('bindery.log')}")
        self.port = p
        self.base = f"http://127.0.0.1:{p}"

    def get(self, path, key=API_KEY):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return http("GET", self.base + path, headers=headers)

    def post(self, path, body, key=API_KEY):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return http("POST", self.base + path, body=body, headers=headers)

    def wait_ready(self, timeout=60):
        ok = eventually(lambda: self.get("/readyz", key=None)[0] == 200, timeout=timeout)
        check(ok, f"bindery never became ready: {self.get('/readyz', key=None)}\n"
                  f"{self.work.read('bindery.log')}")

    def send(self, to="+989121234567", text="ops test"):
        status, _, body = self.post("/v1/messages", {"to": [to], "from": "Bindery", "text": text})
        check(status == 202, f"send answered {status}: {body!r}")
        return json.loads(body)["messages"][0]["id"]

    def wait_state(self, message_id, states=("DELIVERED",), timeout=60):
        def state():
            status, _, body = self.get(f"/v1/messages/{message_id}")
            return json.loads(body).get("state") if status == 200 else None

        final = eventually(lambda: state() in states, timeout=timeout)
        check(final, f"message {message_id} did not reach {states}: last {state()}")


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def tool(name):
    """Absolute path of a tool on PATH; fails when it is missing (tools/install-deps installs it)."""
    path = shutil.which(name)
    if not path:
        fail(f"{name} not installed (tools/install-deps installs it)")
    return path
