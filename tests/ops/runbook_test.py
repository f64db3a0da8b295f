"""Every alert links a runbook section that exists in docs/operations.md, and every alert has
severity, service, summary and description."""

import glob
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def slug(heading):
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def main():
    source = harness.env_path("BINDERY_SOURCE")
    with open(os.path.join(source, "docs", "operations.md"), encoding="utf-8") as f:
        anchors = {slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", f.read(), re.M)}
    problems = []
    alerts = 0
    for path in sorted(glob.glob(os.path.join(source, "conf", "monitoring", "rules", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                alerts += 1
                name = rule["alert"]
                labels = rule.get("labels", {})
                notes = rule.get("annotations", {})
                if labels.get("severity") not in ("critical", "warning"):
                    problems.append(f"{name}: severity {labels.get('severity')!r}")
                if labels.get("service") != "bindery":
                    problems.append(f"{name}: service label")
                for key in ("summary", "description", "runbook_url"):
                    if not notes.get(key):
                        problems.append(f"{name}: no {key}")
                anchor = notes.get("runbook_url", "").partition("#")[2]
                if anchor not in anchors:
                    problems.append(f"{name}: runbook anchor #{anchor} not in docs/operations.md")
    harness.check(alerts >= 20, f"only {alerts} alerts")
    harness.check(not problems, "\n  ".join(["alert rules:"] + problems))
    print(f"ok: {alerts} alerts")


if __name__ == "__main__":
    main()
