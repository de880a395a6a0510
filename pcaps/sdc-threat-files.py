#!/usr/bin/python3
"""sdc-threat-files.py - build the SDC captures of the sdc e2e cases.

IEEE 11073-20701 SOAP 1.2 envelopes over plain HTTP/1.1 (keep-alive, one
TCP connection per direction of use, as sdc11073 does) and WS-Discovery
datagrams over UDP 3702, written with scapy. Element names and namespaces
follow the sdc11073 v2.3.0 capture in ../shared/pcaps/; addresses are
documentation/RFC 1918 ones, no patient data (the patient context is
invented). Run from anywhere: writes next to this script.

  sdc-malformed.pcap      malformed / hostile SOAP: cut XML, SOAP 1.1,
                          no wsa:Action, DOCTYPE entity bomb, deep nesting,
                          too many elements, overlong value, action that
                          does not match the body, cut WS-Discovery datagram
  sdc-threat-consumer.pcap SetValue from an allowed consumer (10.1.1.50) and
                          from 203.0.113.7 to the provider 10.1.1.20
  sdc-threat-alert-off.pcap SetAlertState: signal Off, presence Off, On
  sdc-threat-epr.pcap     Hello of a device, then a Hello and a Bye of the
                          same EPR from another host with other XAddrs
  sdc-set-no-report.pcap  two Set exchanges; only the first one is reported
                          (OperationInvokedReport), then 20 episodic reports
  sdc-patient.pcap        SetContextState with a PatientContextState
"""
import os

from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))

S12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSD = "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01"
MSG = "http://standards.ieee.org/downloads/11073/11073-10207-2017/message"
PM = "http://standards.ieee.org/downloads/11073/11073-10207-2017/participant"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SDC = "http://standards.ieee.org/downloads/11073/11073-20701-2018"
SEQ = "urn:uuid:0e0c5a6e-5d1c-4c55-9d0b-2f3c4b5a6d7e"
EPR = "urn:uuid:5dc0de00-1073-4000-8000-00000000a001"


def envelope(action, body, to=None, mid="urn:uuid:1", relates=None,
             extra_hdr=""):
    hdr = "<wsa:Action>%s</wsa:Action><wsa:MessageID>%s</wsa:MessageID>" % (
        action, mid)
    if to:
        hdr = "<wsa:To>%s</wsa:To>" % to + hdr
    if relates:
        hdr += "<wsa:RelatesTo>%s</wsa:RelatesTo>" % relates
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            '<s12:Envelope xmlns:s12="%s" xmlns:wsa="%s" xmlns:wsd="%s" '
            'xmlns:msg="%s" xmlns:pm="%s" xmlns:xsi="%s">'
            "<s12:Header>%s%s</s12:Header><s12:Body>%s</s12:Body>"
            "</s12:Envelope>" % (S12, WSA, WSD, MSG, PM, XSI, hdr, extra_hdr,
                                 body)).encode()


class Tcp:
    """One TCP connection: handshake, data both ways, FIN."""

    def __init__(self, pkts, cli, srv, sport, dport, t):
        self.pkts, self.cli, self.srv = pkts, cli, srv
        self.sport, self.dport, self.t = sport, dport, t
        self.seq = {0: 1000, 1: 5000}
        self.send(0, b"", "S")
        self.send(1, b"", "SA")
        self.send(0, b"", "A")

    def send(self, d, data, flags="PA"):
        src, dst = (self.cli, self.srv) if d == 0 else (self.srv, self.cli)
        sp, dp = (self.sport, self.dport) if d == 0 else (self.dport,
                                                          self.sport)
        ack = self.seq[1 - d] + (0 if flags == "S" else 0)
        p = (Ether() / IP(src=src, dst=dst) /
             TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[d], window=65535,
                 ack=0 if flags == "S" else ack))
        if data:
            p = p / Raw(data)
        self.t += 0.001
        p.time = self.t
        self.pkts.append(p)
        self.seq[d] += len(data) + (1 if ("S" in flags or "F" in flags)
                                    else 0)

    def data(self, d, data):
        for i in range(0, len(data), 1400):
            self.send(d, data[i:i + 1400])
            if i % 28000 == 26600:
                self.send(1 - d, b"", "A")
        self.send(1 - d, b"", "A")

    def post(self, path, body, resp=b""):
        req = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\n"
               "Content-Type: application/soap+xml; charset=utf-8\r\n"
               "Content-Length: %d\r\n\r\n" % (path, self.srv, self.dport,
                                             len(body))).encode() + body
        self.data(0, req)
        hdr = "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(resp)
        if resp:
            hdr += "Content-Type: application/soap+xml; charset=utf-8\r\n"
        self.data(1, hdr.encode() + b"\r\n" + resp)

    def close(self):
        self.send(0, b"", "FA")
        self.send(1, b"", "FA")
        self.send(0, b"", "A")


def udp(pkts, src, dst, sport, payload, t):
    p = Ether() / IP(src=src, dst=dst) / UDP(sport=sport, dport=3702) / Raw(
        payload)
    p.time = t
    pkts.append(p)


def set_value(handle, value, mid):
    return envelope(SDC + "/SetService/SetValue",
                    "<msg:SetValue><msg:OperationHandleRef>%s"
                    "</msg:OperationHandleRef><msg:RequestedNumericValue>%s"
                    "</msg:RequestedNumericValue></msg:SetValue>" %
                    (handle, value), to="http://10.1.1.20:6464/Set", mid=mid)


def set_response(op, txid, mid, relates, seq=SEQ):
    return envelope(SDC + "/SetService/%sResponse" % op,
                    '<msg:%sResponse MdibVersion="40" SequenceId="%s">'
                    "<msg:InvocationInfo><msg:TransactionId>%d"
                    "</msg:TransactionId><msg:InvocationState>Wait"
                    "</msg:InvocationState></msg:InvocationInfo>"
                    "</msg:%sResponse>" % (op, seq, txid, op),
                    mid=mid, relates=relates)


def report(handle, txid, state, n, seq=SEQ):
    return envelope(SDC + "/SetService/OperationInvokedReport",
                    '<msg:OperationInvokedReport MdibVersion="%d" '
                    'SequenceId="%s"><msg:ReportPart OperationHandleRef="%s">'
                    "<msg:InvocationInfo><msg:TransactionId>%d"
                    "</msg:TransactionId><msg:InvocationState>%s"
                    "</msg:InvocationState></msg:InvocationInfo>"
                    "</msg:ReportPart></msg:OperationInvokedReport>" %
                    (40 + n, seq, handle, txid, state),
                    to="http://10.1.1.50:8080/subscr2",
                    mid="urn:uuid:r%d" % n)


def metric_report(n, seq=SEQ):
    return envelope(SDC + "/StateEventService/EpisodicMetricReport",
                    '<msg:EpisodicMetricReport MdibVersion="%d" '
                    'SequenceId="%s"><msg:ReportPart><msg:MetricState '
                    'DescriptorHandle="numeric.ch1.vmd0" '
                    'xsi:type="pm:NumericMetricState"><pm:MetricValue '
                    'Value="%d"/></msg:MetricState></msg:ReportPart>'
                    "</msg:EpisodicMetricReport>" % (50 + n, seq, n),
                    to="http://10.1.1.50:8080/subscr1",
                    mid="urn:uuid:m%d" % n)


def hello(epr, xaddrs, action="Hello", n=1):
    body = ("<wsd:%s><wsa:EndpointReference><wsa:Address>%s</wsa:Address>"
            "</wsa:EndpointReference><wsd:Types>dpws:Device "
            "mdpws:MedicalDevice</wsd:Types><wsd:Scopes>"
            "sdc.ctxt.loc:/sdc.ctxt.loc.detail/icu%%2F%%2F%%2Fbed4?fac=icu"
            "&amp;bed=bed4 sdc.cdc.type:///130535</wsd:Scopes>"
            "<wsd:XAddrs>%s</wsd:XAddrs><wsd:MetadataVersion>1"
            "</wsd:MetadataVersion></wsd:%s>" % (action, epr, xaddrs, action))
    return envelope(WSD + "/" + action, body,
                    to="urn:docs-oasis-open-org:ws-dd:ns:discovery:2009:01",
                    mid="urn:uuid:h%d" % n,
                    extra_hdr='<wsd:AppSequence InstanceId="77" '
                    'MessageNumber="%d"/>' % n)


def malformed():
    pkts = []
    c = Tcp(pkts, "10.1.1.50", "10.1.1.20", 40001, 6464, 1000.0)
    ok = set_value("numeric.ch0.vmd1_sco_0", "42", "urn:uuid:a1")
    c.post("/Set", ok[:-40])  # cut inside the Body
    c.post("/Set", ok.replace(S12.encode(),
                              b"http://schemas.xmlsoap.org/soap/envelope/"))
    c.post("/Set", ok.replace(b"<wsa:Action>", b"<wsa:Xction>").replace(
        b"</wsa:Action>", b"</wsa:Xction>"))
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE s12:Envelope [\n'
            b'<!ENTITY a "aaaaaaaaaa">\n'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n'
            b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n]>\n' +
            ok.split(b"\n", 1)[1].replace(b">42<", b">&d;<"))
    c.post("/Set", bomb)
    deep = ok.replace(b"<msg:SetValue>", b"<msg:SetValue>" + b"<x>" * 100)
    deep = deep.replace(b"</msg:SetValue>", b"</x>" * 100 + b"</msg:SetValue>")
    c.post("/Set", deep)
    many = ok.replace(b"</msg:SetValue>", b"<y/>" * 17000 +
                      b"</msg:SetValue>")
    c.post("/Set", many)
    long_ = envelope(SDC + "/SetService/SetString",
                     "<msg:SetString><msg:OperationHandleRef>string.ch0"
                     "</msg:OperationHandleRef><msg:RequestedStringValue>%s"
                     "</msg:RequestedStringValue></msg:SetString>" %
                     ("A" * 70000), mid="urn:uuid:a7")
    c.post("/Set", long_)
    smuggle = envelope(SDC + "/GetService/GetMdib",
                       "<msg:SetValue><msg:OperationHandleRef>numeric.ch0"
                       "</msg:OperationHandleRef><msg:RequestedNumericValue>"
                       "0</msg:RequestedNumericValue></msg:SetValue>",
                       mid="urn:uuid:a8")
    c.post("/Get", smuggle)
    c.close()
    udp(pkts, "10.1.1.20", "239.255.255.250", 50001,
        hello(EPR, "http://10.1.1.20:6464/dev")[:300], c.t + 1)
    wrpcap(os.path.join(HERE, "sdc-malformed.pcap"), pkts)


def consumer():
    pkts = []
    t = 2000.0
    for n, cli in enumerate(["10.1.1.50", "203.0.113.7"]):
        c = Tcp(pkts, cli, "10.1.1.20", 41000 + n, 6464, t)
        mid = "urn:uuid:c%d" % n
        c.post("/Set", set_value("numeric.ch0.vmd1_sco_0", str(50 + n), mid),
               set_response("SetValue", 10 + n, "urn:uuid:cr%d" % n, mid))
        c.close()
        t = c.t + 5
    wrpcap(os.path.join(HERE, "sdc-threat-consumer.pcap"), pkts)


def alert_off():
    pkts = []
    c = Tcp(pkts, "10.1.1.50", "10.1.1.20", 42000, 6464, 3000.0)
    states = [('xsi:type="pm:AlertSignalState" DescriptorHandle="as0.mds0" '
               'ActivationState="Off"'),
              ('xsi:type="pm:AlertSignalState" DescriptorHandle="as0.vmd0" '
               'ActivationState="On" Presence="Off"'),
              ('xsi:type="pm:AlertConditionState" DescriptorHandle="ac0.mds0"'
               ' ActivationState="On"')]
    for n, st in enumerate(states):
        mid = "urn:uuid:s%d" % n
        body = ("<msg:SetAlertState><msg:OperationHandleRef>alertop.%d"
                "</msg:OperationHandleRef><msg:ProposedAlertState %s/>"
                "</msg:SetAlertState>" % (n, st))
        c.post("/Set", envelope(SDC + "/SetService/SetAlertState", body,
                                to="http://10.1.1.20:6464/Set", mid=mid),
               set_response("SetAlertState", 20 + n, "urn:uuid:sr%d" % n,
                            mid))
    c.close()
    wrpcap(os.path.join(HERE, "sdc-threat-alert-off.pcap"), pkts)


def epr():
    pkts = []
    udp(pkts, "10.1.1.20", "239.255.255.250", 50001,
        hello(EPR, "http://10.1.1.20:6464/dev", n=1), 4000.0)
    udp(pkts, "10.1.1.20", "239.255.255.250", 50001,
        hello(EPR, "http://10.1.1.20:6464/dev", n=2), 4001.0)
    udp(pkts, "10.66.6.6", "239.255.255.250", 50002,
        hello(EPR, "http://10.66.6.6:6464/dev", n=3), 4002.0)
    udp(pkts, "10.66.6.6", "239.255.255.250", 50002,
        hello(EPR, "http://10.66.6.66:6464/dev", action="Bye", n=4), 4003.0)
    wrpcap(os.path.join(HERE, "sdc-threat-epr.pcap"), pkts)


def no_report():
    pkts = []
    c = Tcp(pkts, "10.1.1.50", "10.1.1.20", 43000, 6464, 5000.0)
    c.post("/Set", set_value("numeric.ch0.vmd1_sco_0", "7", "urn:uuid:n1"),
           set_response("SetValue", 5, "urn:uuid:nr1", "urn:uuid:n1"))
    n = Tcp(pkts, "10.1.1.20", "10.1.1.50", 43001, 8080, c.t)
    for i, st in enumerate(["Wait", "Start", "Fin"]):
        n.post("/subscr2", report("numeric.ch0.vmd1_sco_0", 5, st, i))
    c.t = n.t
    c.post("/Set", set_value("numeric.ch0.vmd1_sco_0", "8", "urn:uuid:n2"),
           set_response("SetValue", 6, "urn:uuid:nr2", "urn:uuid:n2"))
    n.t = c.t
    for i in range(20):
        n.post("/subscr1", metric_report(i))
    c.t = n.t
    c.close()
    n.close()
    wrpcap(os.path.join(HERE, "sdc-set-no-report.pcap"), pkts)


def patient():
    pkts = []
    c = Tcp(pkts, "10.1.1.50", "10.1.1.20", 44000, 6464, 6000.0)
    body = ("<msg:SetContextState><msg:OperationHandleRef>patctx.op"
            "</msg:OperationHandleRef><msg:ProposedContextState "
            'xsi:type="pm:PatientContextState" DescriptorHandle="PC.mds0" '
            'Handle="pc.1" ContextAssociation="Assoc"><pm:Identification '
            'Root="1.2.3.4.5" Extension="SYN-MRN-0042"/><pm:CoreData>'
            "<pm:Givenname>Testa</pm:Givenname><pm:Familyname>Synthetic"
            "</pm:Familyname><pm:DateOfBirth>1970-01-01</pm:DateOfBirth>"
            "</pm:CoreData></msg:ProposedContextState></msg:SetContextState>")
    c.post("/Set", envelope(SDC + "/SetService/SetContextState", body,
                            to="http://10.1.1.20:6464/Set", mid="urn:uuid:p1"),
           set_response("SetContextState", 30, "urn:uuid:pr1", "urn:uuid:p1"))
    c.close()
    wrpcap(os.path.join(HERE, "sdc-patient.pcap"), pkts)


if __name__ == "__main__":
    malformed()
    consumer()
    alert_off()
    epr()
    no_report()
    patient()
