#!/usr/bin/python3
"""End-to-end cases: replay a capture through medids, check eve.json.

Usage: run.py [--medids PATH] [--srcdir DIR] [--outdir DIR] [--only PATTERN]
              [-v] [CASE...]

Each case is a directory tests/e2e/<case>/ with test.yaml, an optional
test.rules and a README.md. The format of test.yaml is described in
tests/README.md ("End-to-end cases"). For each case the runner:

  1. skips it (ok ... # SKIP) when a `requires:` entry is not met;
  2. runs  $MEDIDS -r PCAP -l LOGDIR -k none [args...] [-S test.rules]
     and expects exit status 0 (or `exit-code:`);
  3. validates every eve.json record against the EVE schema plus the medids
     overlay (tests/scripts/eve-validate.py);
  4. evaluates every `checks:` filter against the records.

Output, one line per case: `ok - CASE`, `ok - CASE # SKIP reason` or
`not ok - CASE: reason` (details follow as `#` lines), then a summary
comment `# N passed, N failed, N skipped`. Exit status 1 when any case
failed, 2 on a usage error, else 0.

medids comes from --medids, else $MEDIDS, else $MD_BUILDDIR/medids, else
build/medids in the source tree. Logs of a case go to OUTDIR/CASE/ (kept),
or to a temporary directory removed after a passing case.
"""

import argparse
import fnmatch
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 600
MISSING = object()


# ------------------------------------------------------------ test.yaml ---

class CaseError(Exception):
    """test.yaml is malformed, or the case cannot run."""


def expand(text, env):
    """Replace $SHARED, $SRCDIR, $CASEDIR and $LOGDIR in text."""
    for key in ("SHARED", "SRCDIR", "CASEDIR", "LOGDIR"):
        text = text.replace("${%s}" % key, env[key]).replace("$" + key, env[key])
    return text


def resolve_path(path, env):
    """A test.yaml path: $VAR-expanded, then relative to the repo root."""
    path = expand(str(path), env)
    return path if os.path.isabs(path) else os.path.join(env["SRCDIR"], path)


def unmet_requirement(req, env):
    """Reason the case must be skipped, or None when all requirements hold."""
    if not req:
        return None
    if not isinstance(req, dict):
        raise CaseError("requires: must be a mapping")
    for key in req:
        if key not in ("commands", "files", "env"):
            raise CaseError("requires: unknown key %r" % key)
    for cmd in req.get("commands", []):
        if shutil.which(cmd) is None:
            return "command %s not found" % cmd
    for f in req.get("files", []):
        if not os.path.exists(resolve_path(f, env)):
            return "%s not found" % f
    for var in req.get("env", []):
        if not os.environ.get(var):
            return "environment variable %s not set" % var
    return None


# --------------------------------------------------------------- checks ---

def lookup(rec, path):
    """Value at a dotted path (integers index arrays), or MISSING."""
    cur = rec
    for part in str(path).split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and \
                -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return MISSING
    return cur


def same(expected, actual):
    """Equality without Python's bool/int mixing (true != 1)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and \
            all(same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and \
            all(same(e, a) for e, a in zip(expected, actual))
    return expected == actual


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


FILTER_KEYS = ("count", "match", "lt", "gt", "exists", "not-exists")


def check_filter(flt):
    """Validate one filter: mapping; raise CaseError when malformed."""
    if not isinstance(flt, dict):
        raise CaseError("filter must be a mapping")
    for key in flt:
        if key not in FILTER_KEYS:
            raise CaseError("filter: unknown key %r" % key)
    if "count" in flt and (not isinstance(flt["count"], int) or isinstance(flt["count"], bool)):
        raise CaseError("filter: count must be an integer")
    for key in ("match", "lt", "gt"):
        if not isinstance(flt.get(key, {}), dict):
            raise CaseError("filter: %s must be a mapping of paths" % key)
    for key in ("lt", "gt"):
        for path, val in flt.get(key, {}).items():
            if not is_number(val):
                raise CaseError("filter: %s.%s must be a number" % (key, path))
    for key in ("exists", "not-exists"):
        if not isinstance(flt.get(key, []), list):
            raise CaseError("filter: %s must be a list of paths" % key)


def record_matches(rec, flt):
    """True when rec satisfies every condition of the filter."""
    for path, want in flt.get("match", {}).items():
        if not same(want, lookup(rec, path)):
            return False
    for path, bound in flt.get("lt", {}).items():
        val = lookup(rec, path)
        if not is_number(val) or not val < bound:
            return False
    for path, bound in flt.get("gt", {}).items():
        val = lookup(rec, path)
        if not is_number(val) or not val > bound:
            return False
    for path in flt.get("exists", []):
        if lookup(rec, path) is MISSING:
            return False
    for path in flt.get("not-exists", []):
        if lookup(rec, path) is not MISSING:
            return False
    return True


def describe(flt):
    parts = []
    for key in ("match", "lt", "gt"):
        for path, val in flt.get(key, {}).items():
            op = {"match": "=", "lt": "<", "gt": ">"}[key]
            parts.append("%s%s%s" % (path, op, json.dumps(val)))
    parts += ["%s exists" % p for p in flt.get("exists", [])]
    parts += ["no %s" % p for p in flt.get("not-exists", [])]
    return ", ".join(parts) or "any record"


def evaluate_checks(records, checks):
    """List of failure messages for the checks over the records."""
    fails = []
    for i, chk in enumerate(checks, 1):
        if not isinstance(chk, dict) or list(chk) != ["filter"]:
            raise CaseError("check %d: must be a mapping with one key, filter" % i)
        flt = chk["filter"]
        check_filter(flt)
        n = sum(1 for rec in records if record_matches(rec, flt))
        want = flt.get("count")
        if (want is None and n == 0) or (want is not None and n != want):
            fails.append("check %d (%s): %d record(s) matched, expected %s"
                         % (i, describe(flt), n, "at least 1" if want is None else want))
    return fails


# ----------------------------------------------------------------- run ---

def load_eve_validator():
    path = os.path.join(os.path.dirname(HERE), "scripts", "eve-validate.py")
    sys.dont_write_bytecode = True      # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("eve_validate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, mod.load_validator()


def read_eve(path):
    """Decoded records of eve.json (already validated, so all JSON)."""
    with open(path, "rb") as f:
        return [json.loads(raw.decode("utf-8")) for raw in f]


def tail(path, n=15):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []
    return lines[-n:]


def run_case(casedir, logdir, opts, ev, validator):
    """Run one case. Returns (status, reason, detail lines); status is
    'pass', 'fail' or 'skip'."""
    if not os.path.isfile(os.path.join(casedir, "README.md")):
        raise CaseError("README.md missing (one paragraph: purpose, origin of the pcap)")
    with open(os.path.join(casedir, "test.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f) or {}
    if not isinstance(spec, dict):
        raise CaseError("test.yaml must be a mapping")
    for key in spec:
        if key not in ("pcap", "args", "requires", "checks", "exit-code"):
            raise CaseError("test.yaml: unknown key %r" % key)
    env = {"SHARED": opts.shared, "SRCDIR": opts.srcdir, "CASEDIR": casedir, "LOGDIR": logdir}
    why = unmet_requirement(spec.get("requires"), env)
    if why:
        return "skip", why, []
    if "pcap" not in spec:
        raise CaseError("test.yaml: pcap is required")
    pcap = resolve_path(spec["pcap"], env)
    if not os.path.exists(pcap):
        return "fail", "pcap %s not found" % spec["pcap"], []
    args = spec.get("args", [])
    if not isinstance(args, list):
        raise CaseError("test.yaml: args must be a list")
    cmd = [opts.medids, "-r", pcap, "-l", logdir, "-k", "none"]
    cmd += [expand(str(a), env) for a in args]
    rules = os.path.join(casedir, "test.rules")
    if os.path.exists(rules):
        cmd += ["-S", rules]
    with open(os.path.join(logdir, "cmdline"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    stdout = os.path.join(logdir, "stdout")
    stderr = os.path.join(logdir, "stderr")
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                timeout=TIMEOUT, check=False).returncode
        except subprocess.TimeoutExpired:
            return "fail", "medids timed out after %d s" % TIMEOUT, tail(stderr)
        except OSError as e:
            return "fail", "cannot run %s: %s" % (opts.medids, e), []
    want_rc = spec.get("exit-code", 0)
    if rc != want_rc:
        what = "killed by signal %d" % -rc if rc < 0 else "exit status %d" % rc
        return "fail", "medids %s, expected %d" % (what, want_rc), tail(stderr)

    eve = os.path.join(logdir, "eve.json")
    if not os.path.exists(eve):
        return "fail", "medids wrote no eve.json", tail(stderr)
    _, bad, msgs = ev.validate_file(validator, eve, max_errors=10)
    if bad:
        return "fail", "%d eve.json record(s) fail the schema" % bad, msgs
    records = read_eve(eve)
    checks = spec.get("checks", [])
    if not isinstance(checks, list):
        raise CaseError("test.yaml: checks must be a list")
    fails = evaluate_checks(records, checks)
    if fails:
        return "fail", fails[0], fails[1:]
    return "pass", "", []


def find_cases(opts):
    names = sorted(d for d in os.listdir(HERE)
                   if os.path.isfile(os.path.join(HERE, d, "test.yaml")))
    if opts.cases:
        unknown = [c for c in opts.cases if c not in names]
        if unknown:
            raise SystemExit("run.py: no such case: %s" % ", ".join(unknown))
        names = opts.cases
    if opts.only:
        names = [n for n in names if fnmatch.fnmatchcase("e2e/" + n, "*%s*" % opts.only)]
    return names


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Run the medids end-to-end cases.")
    ap.add_argument("--medids", help="medids binary (default $MEDIDS)")
    ap.add_argument("--srcdir", help="source tree (default: from this file)")
    ap.add_argument("--outdir", help="keep each case's logs in OUTDIR/CASE")
    ap.add_argument("--only", help="run cases whose name e2e/CASE matches *PATTERN*")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the command lines")
    ap.add_argument("cases", nargs="*", metavar="CASE")
    opts = ap.parse_args(argv)
    opts.srcdir = os.path.abspath(opts.srcdir or os.path.dirname(os.path.dirname(HERE)))
    build = os.environ.get("MD_BUILDDIR") or os.path.join(opts.srcdir, "build")
    opts.medids = os.path.abspath(opts.medids or os.environ.get("MEDIDS")
                                  or os.path.join(build, "medids"))
    opts.shared = os.path.abspath(os.environ.get("MD_SHARED")
                                  or os.path.join(os.path.dirname(opts.srcdir), "shared"))
    return opts


def main(argv):
    opts = parse_args(argv)
    names = find_cases(opts)
    if not names:
        print("# 0 passed, 0 failed")
        return 0
    ev, validator = load_eve_validator()
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for name in names:
        casedir = os.path.join(HERE, name)
        if opts.outdir:
            logdir = os.path.join(os.path.abspath(opts.outdir), name)
            shutil.rmtree(logdir, ignore_errors=True)
            os.makedirs(logdir)
        else:
            logdir = tempfile.mkdtemp(prefix="md-e2e-%s-" % name)
        try:
            status, reason, detail = run_case(casedir, logdir, opts, ev, validator)
        except (CaseError, OSError, yaml.YAMLError) as e:
            status, reason, detail = "fail", "bad case: %s" % e, []
        counts[status] += 1
        if status == "pass":
            print("ok - %s" % name)
        elif status == "skip":
            print("ok - %s # SKIP %s" % (name, reason))
        else:
            print("not ok - %s: %s" % (name, reason))
            for line in detail:
                print("#   %s" % line)
            print("#   logs: %s" % logdir)
        if opts.verbose:
            for line in tail(os.path.join(logdir, "cmdline")):
                print("#   " + line)
        if not opts.outdir and status != "fail":
            shutil.rmtree(logdir, ignore_errors=True)
        sys.stdout.flush()
    print("# %d passed, %d failed, %d skipped" % (counts["pass"], counts["fail"], counts["skip"]))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
