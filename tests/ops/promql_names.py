"""Metric names referenced by PromQL expressions, and the names Bindery exports.

A small PromQL tokenizer: strings, label matchers ({...}), range/offset brackets ([...]) and the
label lists of by/without/on/ignoring/group_left/group_right are skipped; what remains are
identifiers, of which function calls and keywords are dropped. The rest are metric names.
"""

import glob
import os
import re

KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset", "atan2", "inf", "nan",
}
AGGREGATORS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile",
}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
NUMBER = re.compile(r"(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)")


def _skip_balanced(expr, i, open_ch, close_ch):
    depth = 0
    quote = None
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced {open_ch} in {expr!r}")


def metric_names(expr):
    """The set of metric names an expression selects."""
    names = set()
    i = 0
    pending_label_list = False
    while i < len(expr):
        c = expr[i]
        if c.isspace():
            i += 1
        elif c in "\"'`":
            j = i + 1
            while j < len(expr) and expr[j] != c:
                j += 2 if expr[j] == "\\" else 1
            i = j + 1
        elif c == "{":
            i = _skip_balanced(expr, i, "{", "}")
        elif c == "[":
            i = _skip_balanced(expr, i, "[", "]")
        elif c == "(" and pending_label_list:
            i = _skip_balanced(expr, i, "(", ")")
            pending_label_list = False
        elif c == "$":  # Grafana variables outside braces ($__rate_interval is inside [])
            m = IDENT.match(expr, i + 1)
            i = m.end() if m else i + 1
        elif c.isdigit() or (c == "." and i + 1 < len(expr) and expr[i + 1].isdigit()):
            m = NUMBER.match(expr, i)
            i = m.end() if m and m.end() > i else i + 1
        elif IDENT.match(expr, i):
            m = IDENT.match(expr, i)
            word = m.group(0)
            i = m.end()
            rest = expr[i:].lstrip()
            lower = word.lower()
            if lower in LABEL_LISTS:
                pending_label_list = True
            elif lower == "offset":  # offset 5m, offset -1h30m
                m = re.compile(r"\s*-?([0-9]+(ms|[smhdwy]))+").match(expr, i)
                i = m.end() if m else i
            elif lower in KEYWORDS:
                pass
            elif rest.startswith("(") or (lower in AGGREGATORS and re.match(r"(by|without)\b", rest)):
                pass  # a function or an aggregation
            else:
                names.add(word)
        else:
            i += 1
    return names


def base_name(name):
    """Histogram/summary series names map to their family."""
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def exposition_names(text):
    """Family names (HELP/TYPE lines) and sample names of a text exposition."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def documented_names(source_dir):
    """Metric names in the catalogue (docs/metrics.md) and registered in the sources."""
    names = set()
    doc = os.path.join(source_dir, "docs", "metrics.md")
    if os.path.exists(doc):
        with open(doc, encoding="utf-8") as f:
            for line in f:
                if line.startswith("|"):
                    names.update(re.findall(r"`((?:bindery|http|process)_[a-z0-9_]+)`", line))
    # Families registered with prometheus-cpp (BuildCounter().Name("...")) anywhere in the sources.
    for folder in ("http-frontend", "app", "router"):
        for src in sorted(glob.glob(os.path.join(source_dir, folder, "**", "*.cpp"), recursive=True)):
            with open(src, encoding="utf-8") as f:
                names.update(re.findall(r'\.Name\("([a-z_:][a-z0-9_:]*)"\)', f.read()))
    return names


# Series Prometheus adds itself for every target.
PROMETHEUS_SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_series_added", "scrape_samples_post_metric_relabeling"}
