#!/usr/bin/python3
"""Validate EVE-JSON records against Suricata's schema plus the medids overlay.

Usage: eve-validate.py [--schema BASE] [--overlay OVERLAY]
                       [--extra-overlay FILE]... [--max-errors N] [-q] FILE...

Every line of every FILE must be one JSON object that validates against the
merged schema (JSON Schema draft-07). The base schema is Suricata's
etc/schema.json, looked up as $MD_SHARED/reference/suricata-eve-schema.json,
then ../shared/reference/ beside the repository. The overlay is
doc/schema/medids-eve-overlay.json plus each parser's
parsers/<proto>/eve-schema.json (its record object); how it merges is described in its own
"description" and in deep_merge() below. --extra-overlay adds the overlay of
a loaded protocol plugin (its descriptor's eve_schema, e.g.
plugin/examples/astm/eve-schema.json), merged the same way; repeatable.

Exit status: 0 when every record is valid, 1 when any is not (each error is
printed as FILE:LINE: PATH: message), 2 on a usage or schema problem.

Other scripts import this file (importlib) for load_validator() and
validate_file().
"""

import argparse
import glob
import json
import os
import sys

import jsonschema

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_NAME = "suricata-eve-schema.json"
OVERLAY = os.path.join(REPO, "doc", "schema", "medids-eve-overlay.json")


class SchemaError(Exception):
    """The base schema or the overlay is missing or inconsistent."""


def find_base_schema():
    """Path of Suricata's schema: $MD_SHARED/reference, then ../shared."""
    dirs = []
    if os.environ.get("MD_SHARED"):
        dirs.append(os.environ["MD_SHARED"])
    dirs.append(os.path.join(os.path.dirname(REPO), "shared"))
    for d in dirs:
        p = os.path.join(d, "reference", BASE_NAME)
        if os.path.isfile(p):
            return p
    raise SchemaError("%s not found in %s" % (BASE_NAME, " or ".join(
        os.path.join(d, "reference") for d in dirs)))


def deep_merge(base, over, path="#"):
    """Return base merged with over (neither is modified).

    Objects merge key by key, recursively; arrays become the union of both
    (base items first, then overlay items not already present); any other
    overlay value replaces the base's. An overlay may not loosen an object
    the base closed with additionalProperties:false (SchemaError).
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, val in over.items():
            where = path + "/" + key
            if key == "additionalProperties" and base.get(key) is False and val is not False:
                raise SchemaError("overlay loosens additionalProperties at " + path)
            out[key] = deep_merge(base[key], val, where) if key in base else val
        return out
    if isinstance(base, list) and isinstance(over, list):
        return base + [v for v in over if v not in base]
    return over


def parser_overlays():
    """Each protocol parser's own overlay, parsers/<proto>/eve-schema.json:
    the object it adds (its transaction record), merged like the overlay."""
    return sorted(glob.glob(os.path.join(REPO, "parsers", "*", "eve-schema.json")))


def merged_schema(base_path=None, overlay_path=None, extra=()):
    """Load the base schema, the overlay, the parsers' overlays and the
    extra (plugin) overlays, return the merged schema."""
    base_path = base_path or find_base_schema()
    paths = [overlay_path or OVERLAY] + parser_overlays() + list(extra)
    try:
        with open(base_path, encoding="utf-8") as f:
            base = json.load(f)
        overlays = []
        for path in paths:
            with open(path, encoding="utf-8") as f:
                overlays.append((path, json.load(f)))
    except (OSError, ValueError) as e:
        raise SchemaError(str(e)) from e
    schema = dict(base)
    for path, overlay in overlays:
        for key in ("properties", "$defs"):
            if key in overlay:
                schema[key] = deep_merge(schema.get(key, {}), overlay[key],
                                         os.path.basename(path) + "#/" + key)
    if schema.get("additionalProperties") is not False:
        raise SchemaError("base schema is not closed at the top level")
    return schema


def load_validator(base_path=None, overlay_path=None, extra=()):
    """Draft-07 validator over the merged schema (raises SchemaError)."""
    schema = merged_schema(base_path, overlay_path, extra)
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        raise SchemaError("merged schema is invalid: %s" % e.message) from e
    return jsonschema.Draft7Validator(schema)


def _where(err):
    return ".".join(str(p) for p in err.absolute_path) or "(record)"


def validate_record(validator, rec):
    """List of 'PATH: message' strings for one decoded record."""
    if not isinstance(rec, dict):
        return ["(record): not a JSON object"]
    errs = sorted(validator.iter_errors(rec), key=lambda e: list(map(str, e.absolute_path)))
    return ["%s: %s" % (_where(e), e.message) for e in errs]


def validate_file(validator, path, max_errors=20):
    """Validate every line of path. Returns (records, errors, messages);
    messages holds at most max_errors 'FILE:LINE: ...' strings."""
    records = errors = 0
    msgs = []
    try:
        f = open(path, "rb")
    except OSError as e:
        return 0, 1, ["%s: %s" % (path, e.strerror)]
    with f:
        for lineno, raw in enumerate(f, 1):
            records += 1
            try:
                rec = json.loads(raw.decode("utf-8"))
                problems = validate_record(validator, rec)
            except (UnicodeDecodeError, ValueError) as e:
                problems = ["(record): not valid JSON: %s" % e]
            if problems:
                errors += 1
                for p in problems:
                    if len(msgs) < max_errors:
                        msgs.append("%s:%d: %s" % (path, lineno, p))
    return records, errors, msgs


def main(argv):
    ap = argparse.ArgumentParser(description="Validate EVE-JSON files against "
                                 "Suricata's schema merged with the medids overlay.")
    ap.add_argument("--schema", help="base schema (default: found via $MD_SHARED)")
    ap.add_argument("--overlay", help="overlay (default: doc/schema/medids-eve-overlay.json)")
    ap.add_argument("--extra-overlay", action="append", default=[], metavar="FILE",
                    help="a plugin's overlay schema, merged after the others (repeatable)")
    ap.add_argument("--max-errors", type=int, default=20,
                    help="errors printed per file (default 20)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)
    try:
        validator = load_validator(args.schema, args.overlay, args.extra_overlay)
    except SchemaError as e:
        print("eve-validate: %s" % e, file=sys.stderr)
        return 2
    bad = 0
    for path in args.files:
        records, errors, msgs = validate_file(validator, path, args.max_errors)
        for m in msgs:
            print(m)
        if len(msgs) >= args.max_errors:
            print("%s: only the first %d errors are shown" % (path, args.max_errors))
        if not args.quiet:
            print("%s: %d records, %d invalid" % (path, records, errors))
        bad += errors
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
