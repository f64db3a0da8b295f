"""The README's quick start, as a new user runs it after `make run`.

`make run` starts bindery-smsc-sim on 127.0.0.1:2775 and `bindery serve --config conf/bindery.yaml`;
the README then shows two shell commands (send a message, then read it back DELIVERED with its
history) and the answers they print. This test checks that they agree:
  - the Makefile's run recipe starts the simulator on the address conf/bindery.yaml's carrier uses;
  - the README's two `sh` blocks after "In a second terminal", run by bash as written, against the
    shipped conf/bindery.yaml, print a 202 answer with the same keys as the README's and then a
    DELIVERED message whose keys and state changes match the README's example.
Only the ports are changed (to free ones, so the test runs beside anything else on the machine) and
the id file /tmp/id is put in the test's own directory.
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def blocks(text, lang):
    return re.findall(r"```" + lang + r"\n(.*?)```", text, re.S)


def steps(history):
    return [(h["from"], h["to"]) for h in history]


def main():
    source = harness.env_path("BINDERY_SOURCE")
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    with open(os.path.join(source, "conf", "bindery.yaml"), encoding="utf-8") as f:
        config = f.read()
    with open(os.path.join(source, "Makefile"), encoding="utf-8") as f:
        makefile = f.read()

    harness.check("--listen 127.0.0.1:2775" in makefile, "make run no longer starts the simulator on 127.0.0.1:2775")
    harness.check(re.search(r"address: 127\.0\.0\.1:2775\b", config),
                  "conf/bindery.yaml's carrier is not the simulator make run starts (127.0.0.1:2775)")
    harness.check(re.search(r"listen: 127\.0\.0\.1:8080\b", config), "conf/bindery.yaml's HTTP port is not 8080")

    start = readme.index("In a second terminal")
    end = readme.index("(line breaks added)", start)
    quick = readme[start:end]
    commands = blocks(quick, "sh")
    answers = blocks(quick, "json")
    harness.check(len(commands) == 2 and len(answers) == 2,
                  f"expected two sh and two json blocks in the quick start, found {len(commands)} and {len(answers)}")
    readme_202 = json.loads(answers[0])
    readme_final = json.loads(answers[1])

    work = harness.Workdir("readme")
    sim = harness.Simulator(work)
    started = []  # the gateway, once started: stopped however the test ends
    try:
        gw = quick_start(work, sim, config, commands, readme_202, readme_final, started)
        code = gw.stop()
        harness.check(code == 0, f"bindery serve exited {code} on SIGTERM:\n{gw.output()[-3000:]}")
    finally:
        for process in started:
            process.stop()
        sim.stop()
    print("README quick start: POST 202 ACCEPTED, GET DELIVERED with the README's history")


def parse(text, what):
    try:
        return json.loads(text)
    except ValueError:
        harness.fail(f"{what} is not JSON: {text!r}")


def quick_start(work, sim, config, commands, readme_202, readme_final, started):
    http_port, smpp_port = harness.free_port(), harness.free_port()
    local = (config.replace("127.0.0.1:2775", f"127.0.0.1:{sim.port}")
                   .replace("127.0.0.1:8080", f"127.0.0.1:{http_port}")
                   .replace("127.0.0.1:2776", f"127.0.0.1:{smpp_port}"))
    config_path = work.file("bindery.yaml")
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(local)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINDERY_DEMO_")}
    gw = harness.Process([harness.env_path("BINDERY"), "serve", "--config", config_path],
                         work.file("bindery.out"), cwd=work.path, env=env)
    started.append(gw)
    base = f"http://127.0.0.1:{http_port}"
    ready = harness.eventually(lambda: harness.http("GET", base + "/readyz")[0] == 200, timeout=60)
    harness.check(ready, f"bindery never became ready:\n{gw.output()[-3000:]}")

    id_file = work.file("id")

    def run(script):
        script = script.replace("127.0.0.1:8080", f"127.0.0.1:{http_port}").replace("/tmp/id", id_file)
        out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                             timeout=30, cwd=work.path, env=env)
        harness.check(out.returncode == 0, f"README command failed ({out.returncode}):\n{script}\n{out.stderr}")
        return out

    posted = run(commands[0])
    answer = parse(posted.stderr, "the POST's answer")  # `tee /dev/stderr` shows it; the id goes to the file
    harness.check(sorted(answer) == sorted(readme_202), f"202 answer keys {sorted(answer)} != README's {sorted(readme_202)}")
    message = answer["messages"][0]
    harness.check(sorted(message) == sorted(readme_202["messages"][0]),
                  f"message keys {sorted(message)} != README's {sorted(readme_202['messages'][0])}")
    harness.check(message["state"] == "ACCEPTED", f"state {message['state']}")
    harness.check(open(id_file).read().strip() == message["id"], "the id file does not hold the message's id")

    def final():
        shown = parse(run(commands[1]).stdout, "the GET's answer")
        return shown if shown.get("state") == "DELIVERED" else None

    shown = harness.eventually(final, timeout=20)
    harness.check(shown, f"the message never showed DELIVERED:\n{run(commands[1]).stdout}")
    harness.check(sorted(shown) == sorted(readme_final), f"keys {sorted(shown)} != README's {sorted(readme_final)}")
    harness.check(steps(shown["history"]) == steps(readme_final["history"]),
                  f"history {steps(shown['history'])} != README's {steps(readme_final['history'])}")
    harness.check(shown["id"] == message["id"], "GET showed another message")
    return gw


if __name__ == "__main__":
    main()
