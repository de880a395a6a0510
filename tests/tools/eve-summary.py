#!/usr/bin/python3
"""eve-summary.py - print a short summary of an eve.json: records by
event type, flows by app_proto, alerts by signature, anomalies by event."""
import collections
import json
import sys


def main(path):
    types = collections.Counter()
    protos = collections.Counter()
    alerts = collections.Counter()
    anomalies = collections.Counter()
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            rec = json.loads(line)
            et = rec.get("event_type", "?")
            types[et] += 1
            if et == "flow":
                protos[rec.get("app_proto", "(no payload)")] += 1
            elif et == "alert":
                a = rec["alert"]
                alerts["[%s] %s" % (a.get("signature_id"), a.get("signature"))] += 1
            elif et == "anomaly":
                anomalies[rec["anomaly"].get("event", "?")] += 1
    print("records by type:")
    for k, v in types.most_common():
        print("  %-12s %d" % (k, v))
    print("flows by app_proto:")
    for k, v in protos.most_common():
        print("  %-12s %d" % (k, v))
    print("alerts: %d" % sum(alerts.values()))
    for k, v in alerts.most_common(20):
        print("  %5d  %s" % (v, k))
    if anomalies:
        print("anomalies:")
        for k, v in anomalies.most_common(10):
            print("  %5d  %s" % (v, k))


if __name__ == "__main__":
    main(sys.argv[1])
