#!/usr/bin/python3
"""The EVE schema overlay and its validator.

Checks that:
- Suricata's schema merged with doc/schema/medids-eve-overlay.json is a
  valid draft-07 schema and stays closed (additionalProperties:false);
- the validator accepts typical medids records and rejects unknown keys,
  unknown counters and malformed lines;
- an overlay that tries to reopen a closed object is refused;
- every counter the engine declares (MD_CTR(ID, "dotted.path") in the .def
  files under src/, parsers/ and plugin/) is an integer leaf of
  `stats` in the merged schema, so a new counter cannot ship without its
  overlay entry.

Exit 0 on success, 1 on failure, 77 when the base schema is not available.
"""

import glob
import importlib.util
import json
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(os.path.dirname(HERE))

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
spec = importlib.util.spec_from_file_location("eve_validate", os.path.join(HERE, "eve-validate.py"))
ev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ev)

TS = "2024-01-15T10:30:00.123456+0000"
GOOD = [
    {"timestamp": TS, "flow_id": 1, "event_type": "flow", "src_ip": "10.0.0.1",
     "src_port": 40000, "dest_ip": "10.0.0.2", "dest_port": 104, "proto": "TCP",
     "app_proto": "failed",
     "flow": {"pkts_toserver": 3, "pkts_toclient": 2, "bytes_toserver": 180,
              "bytes_toclient": 120, "start": TS, "end": TS, "age": 0,
              "state": "closed", "reason": "shutdown", "alerted": False},
     "tcp": {"tcp_flags": "1b", "syn": True, "fin": True, "ack": True,
             "psh": True, "state": "closed"}},
    {"timestamp": TS, "event_type": "anomaly", "src_ip": "10.0.0.1",
     "dest_ip": "10.0.0.2", "proto": "TCP", "vlan": [10],
     "anomaly": {"type": "decode", "event": "ipv4.trunc_pkt"}},
    {"timestamp": TS, "event_type": "stats",
     "stats": {"uptime": 1, "flow": {"total": 1, "end": {"timeout": 0}},
               "eve": {"written": 2, "errors": 0}}},
]
BAD = [
    ({"timestamp": TS, "event_type": "flow", "medids_private": 1}, "unknown top-level key"),
    ({"timestamp": TS, "event_type": "stats", "stats": {"flow": {"no_such": 1}}}, "unknown counter"),
    ({"timestamp": TS, "event_type": "stats", "stats": {"eve": {"written": "2"}}}, "string counter"),
    ({"event_type": "flow"}, "missing timestamp"),
    ({"timestamp": "2024-01-15 10:30:00", "event_type": "flow"}, "bad timestamp"),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("not ok - %s" % what)


def resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None
        node = schema
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def leaf_type(schema, path):
    """Type of stats.<path> in the merged schema, or None when absent."""
    node = schema["properties"]["stats"]
    for part in path.split("."):
        node = resolve(schema, node)
        props = node.get("properties", {}) if isinstance(node, dict) else {}
        if part not in props:
            return None
        node = props[part]
    node = resolve(schema, node)
    return node.get("type") if isinstance(node, dict) else None


def declared_counters():
    """(file, path) for every counter in the engine's .def files: each
    MD_CTR(ID, "path"), and each X(ID, "name") of a list that a
    `#define X(id, name) MD_CTR(..., "prefix." name)` turns into counters."""
    texts = {}
    for sub in ("src", "parsers", "plugin"):
        for f in sorted(glob.glob(os.path.join(SRCDIR, sub, "**", "*.def"), recursive=True)):
            with open(f, encoding="utf-8", errors="replace") as fh:
                texts[os.path.relpath(f, SRCDIR)] = fh.read()
    prefixes = {"MD_CTR": ""}
    define = re.compile(r'#define\s+(\w+)\s*\(\s*\w+\s*,\s*(\w+)\s*\)\s*'
                        r'MD_CTR\s*\([^,]+,\s*"([^"]*)"\s*(\w+)\s*\)')
    for text in texts.values():
        for m in define.finditer(text):
            if m.group(2) == m.group(4):
                prefixes[m.group(1)] = m.group(3)
    use = re.compile(r'^\s*(\w+)\s*\(\s*\w+\s*,\s*"([^"]+)"\s*\)', re.M)
    out = []
    for src, text in texts.items():
        for m in use.finditer(text):
            if m.group(1) in prefixes:
                out.append((src, prefixes[m.group(1)] + m.group(2)))
    return out


def main():
    try:
        validator = ev.load_validator()
    except ev.SchemaError as e:
        if "not found" in str(e):
            print("SKIP: %s" % e)
            return 77
        print("not ok - schema: %s" % e)
        return 1
    schema = validator.schema
    check(schema.get("additionalProperties") is False, "merged schema closed at top level")
    check(schema["properties"]["stats"]["properties"]["eve"].get("additionalProperties") is False,
          "overlay objects are closed")

    for rec in GOOD:
        errs = ev.validate_record(validator, rec)
        check(not errs, "valid %s record accepted %s" % (rec["event_type"], errs))
    for rec, why in BAD:
        check(ev.validate_record(validator, rec), "invalid record rejected (%s)" % why)

    with tempfile.TemporaryDirectory() as tmp:
        eve = os.path.join(tmp, "eve.json")
        with open(eve, "w") as f:
            f.write(json.dumps(GOOD[0]) + "\n{not json\n" + json.dumps(BAD[0][0]) + "\n")
        records, errors, msgs = ev.validate_file(validator, eve)
        check(records == 3 and errors == 2, "validate_file counts 3 records, 2 invalid")
        check(any(":2:" in m for m in msgs), "bad JSON reported with its line number")

        loose = os.path.join(tmp, "loose.json")
        with open(loose, "w") as f:
            json.dump({"properties": {"flow": {"additionalProperties": True}}}, f)
        try:
            ev.load_validator(overlay_path=loose)
            check(False, "overlay reopening a closed object is refused")
        except ev.SchemaError:
            pass

    counters = declared_counters()
    print("# %d declared counters" % len(counters))
    for src, path in counters:
        t = leaf_type(schema, path)
        check(t == "integer", "counter %s (%s) is an integer in the schema (found %s)"
              % (path, src, t))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
