#!/usr/bin/python3
"""Check the eve.json medids wrote for one capture of make-astm-pcaps.py.

Usage: check-astm-eve.py CASE EVE_JSON PHI_KEY

CASE is results, results-split (the same, one byte per TCP segment),
bad-checksum, nak-storm or anomalies. The astm records
must equal the expected ones exactly (patient fields as "phi:" + the
HMAC-SHA-256 of the value under PHI_KEY, first 128 bits), and the alerts
(signature id, transaction, analyser port) and anomaly events must be
exactly the expected sets. Rules: the plugin's astm-events.rules (loaded
with it), plugin/examples/astm/astm.rules and tests/plugins/astm-test.rules.
Prints what differs; exit status 1 when anything does.
"""

import hashlib
import hmac
import json
import sys

LIS_PORT = 5000


def phi(key, value):
    return "phi:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def patient(key):
    return {"sequence": "1", "practice_id": phi(key, "PRAC0001"),
            "laboratory_id": phi(key, "LAB0001"), "name": phi(key, "TEST^PATIENT^ONE"),
            "birth_date": phi(key, "19700101"), "sex": phi(key, "F")}


HEAD_AN = {"sender": "SYNLAB-AN1^2.1^SN0042", "receiver": "LIS-HOST", "version": "LIS2-A2",
           "processing_id": "P", "delimiters": "|\\^&"}


def query():
    return dict(HEAD_AN, datetime="20240105103000", record_types=["H", "Q", "L"],
                record_count=3, frames=3, naks=0, termination_code="N",
                queries=[{"sequence": "1", "specimen_id": "SPEC0001", "test_ids": ["^^^ALL"],
                          "status": "O"}])


def orders(key):
    return {"sender": "LIS-HOST", "receiver": "SYNLAB-AN1", "version": "LIS2-A2",
            "processing_id": "P", "datetime": "20240105103001", "delimiters": "|\\^&",
            "record_types": ["H", "P", "O", "L"], "record_count": 4, "frames": 4, "naks": 0,
            "termination_code": "N", "patients": [patient(key)],
            "orders": [{"sequence": "1", "specimen_id": "SPEC0001", "test_ids": ["^^^GLU", "^^^K"],
                        "priority": "R", "action_code": "N", "report_type": "O"}]}


def results(key, naks=0):
    res = {"status": "F", "operator": "OPER1", "instrument": "SYNLAB-AN1"}
    return dict(HEAD_AN, control_id="MSG0042", datetime="20240105103500",
                record_types=["H", "P", "O", "R", "R", "C", "L"], record_count=7,
                frames=8, naks=naks, termination_code="N", patients=[patient(key)],
                orders=[{"sequence": "1", "specimen_id": "SPEC0001",
                         "instrument_specimen_id": "R0042", "test_ids": ["^^^GLU", "^^^K"],
                         "priority": "R", "action_code": "N", "report_type": "F"}],
                results=[dict(res, sequence="1", test_id="^^^GLU", value="612", units="mg/dL",
                              reference_range="70 to 110", abnormal_flags="HH",
                              completed="20240105103455"),
                         dict(res, sequence="2", test_id="^^^K", value="4.1", units="mmol/L",
                              reference_range="3.5 to 5.1", abnormal_flags="N",
                              completed="20240105103456")],
                comments=[{"sequence": "1", "source": "I", "type": "G"}])


def aborted():
    return dict(HEAD_AN, datetime="20240105103500", record_types=["H"], record_count=1,
                frames=1, naks=6)


# Expected astm records as (analyser port, tx_id, direction, object).
def records(case, key):
    if case == "results":
        return [(40001, 0, "to_server", query()), (40001, 1, "to_client", orders(key)),
                (40001, 2, "to_server", results(key))]
    if case == "bad-checksum":
        return [(40002, 0, "to_server", results(key, naks=1))]
    if case == "nak-storm":
        return [(40003, 0, "to_server", aborted()), (40003, 1, "to_server", results(key))]
    return None


CRIT = [2351001, 2351002, 9100001, 9100005, 9100014]
# Expected alerts: (analyser port, tx_id, signature id).
ALERTS = {
    "results": [(40001, 0, s) for s in (9100001, 9100003, 9100011, 9100012)]
    + [(40001, 1, 9100002)] + [(40001, 2, s) for s in CRIT + [9100019]],
    "bad-checksum": [(40002, 0, s) for s in CRIT + [2350001, 9100004, 9100013, 9100016]],
    "nak-storm": [(40003, 0, s) for s in (2350003, 2350011, 9100001, 9100004, 9100008, 9100009)]
    + [(40003, 1, s) for s in CRIT + [9100019]],
    "anomalies": [(41001, 0, s) for s in (2350002, 9100001, 9100015)]
    + [(41002, 0, s) for s in (2350004, 9100001, 9100015)]
    + [(41003, 0, s) for s in (2350005, 9100001, 9100017, 9100018)]
    + [(41004, 0, s) for s in (2350006, 9100017, 9100018)]
    + [(41005, 0, s) for s in (2350007, 9100001)]
    + [(41006, 0, s) for s in (2350008, 9100001)]
    + [(41007, 0, s) for s in (2350009, 9100001, 9100006, 9100010)]
    + [(41008, 0, 2350010)]
    + [(41009, 0, s) for s in (2350011, 9100001)]
    + [(41010, 0, s) for s in (2350012, 9100001, 9100007)]
    + [(41011, 0, s) for s in (2350013, 9100001)],
}

# Expected anomaly events: (analyser port, event).
ANOMALIES = {
    "results": [],
    "bad-checksum": [(40002, "astm.bad_checksum")],
    "nak-storm": [(40003, "astm.nak_storm"), (40003, "astm.missing_terminator")],
    "anomalies": [(41001, "astm.frame_number_gap"), (41002, "astm.oversized_frame"),
                  (41003, "astm.record_out_of_order"), (41004, "astm.missing_header"),
                  (41005, "astm.malformed_frame"), (41006, "astm.unexpected_data"),
                  (41007, "astm.unknown_record"), (41008, "astm.invalid_delimiters"),
                  (41009, "astm.missing_terminator"), (41010, "astm.too_many_records"),
                  (41011, "astm.record_too_long")],
}

# anomalies: per port, (record_types or their number, record_count, frames, termination).
SUMMARY = {
    41001: (["H", "P", "O", "R", "L"], 5, 5, "N"),
    41002: (["H", "P", "O", "R", "L"], 5, 5, "N"),
    41003: (["H", "P", "R", "L"], 4, 4, "N"),
    41004: (["P", "O", "R", "L"], 4, 4, "N"),
    41005: (["H", "P", "L"], 3, 3, "N"),
    41006: (["H", "P", "L"], 3, 3, "N"),
    41007: (["H", "X", "L"], 3, 3, "N"),
    41008: (["H", "L"], 2, 2, "N"),
    41009: (["H", "P", "O"], 3, 3, None),
    41010: (100, 301, 301, None),  # max-log-values 100; L beyond max-items
    41011: (["H", "C", "L"], 3, 294, "N"),
}


def port_of(rec):
    return rec["dest_port"] if rec["src_port"] == LIS_PORT else rec["src_port"]


def diff(want, got, where, out):
    if want != got:
        out.append("%s:\n  want %s\n  got  %s" % (where, json.dumps(want, sort_keys=True),
                                                   json.dumps(got, sort_keys=True)))


def check_anomalies_summary(astm, out):
    got = {}
    for r in astm:
        a = r["astm"]
        types = a.get("record_types", [])
        got[port_of(r)] = (types if len(types) < 100 else len(types), a.get("record_count"),
                           a.get("frames"), a.get("termination_code"))
        if r["tx_id"] != 0 or a.get("naks") != 0:
            out.append("port %d: tx_id %d naks %s" % (port_of(r), r["tx_id"], a.get("naks")))
    diff({p: list(v) for p, v in SUMMARY.items()}, {p: list(v) for p, v in got.items()},
         "astm records per port", out)


def main(argv):
    if len(argv) != 4 or argv[1].replace("-split", "") not in ALERTS:
        print(__doc__, file=sys.stderr)
        return 2
    name, case = argv[1], argv[1].replace("-split", "")
    with open(argv[3], "rb") as f:
        key = f.read()
    recs = [json.loads(line) for line in open(argv[2], encoding="utf-8")]
    out = []
    astm = [r for r in recs if r["event_type"] == "astm"]
    want = records(case, key)
    if want is None:
        check_anomalies_summary(astm, out)
    else:
        got = [(port_of(r), r["tx_id"], r["direction"], r["astm"]) for r in astm]
        diff(want, got, "astm records", out)
    alerts = sorted((port_of(r), r["tx_id"], r["alert"]["signature_id"])
                    for r in recs if r["event_type"] == "alert")
    diff(sorted(ALERTS[case]), alerts, "alerts (port, tx_id, sid)", out)
    anomalies = sorted((port_of(r), r["anomaly"]["event"])
                       for r in recs if r["event_type"] == "anomaly")
    diff(sorted(ANOMALIES[case]), anomalies, "anomaly events (port, event)", out)
    flows = [r for r in recs if r["event_type"] == "flow"]
    if not flows or any(r.get("app_proto") != "astm" for r in flows):
        out.append("flows: want app_proto astm on each, got %s"
                   % [r.get("app_proto") for r in flows])
    for o in out:
        print("%s: %s" % (name, o))
    print("%s: %d astm records, %d alerts, %d anomalies, %d flows: %s"
          % (name, len(astm), len(alerts), len(anomalies), len(flows),
             "as expected" if not out else "%d differences" % len(out)))
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
