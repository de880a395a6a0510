#!/usr/bin/python3
"""mllp-server.py - a tiny MLLP (HL7 v2 minimal lower layer protocol)
server for the inline tests: accepts connections on PORT, acknowledges
every framed message with an ACK (MSA|AA|<control id>) and appends the
message, one line per segment and a blank line after it, to LOG.

Usage: mllp-server.py PORT LOG   (runs until killed)

Frame: <VT 0x0b> message <FS 0x1c><CR 0x0d>.
"""
import socketserver
import sys
import threading

VT, FS, CR = b"\x0b", b"\x1c", b"\x0d"
LOCK = threading.Lock()


def ack(msg: bytes) -> bytes:
    seg = msg.split(b"\r")[0].split(b"|")
    ctrl = seg[9] if len(seg) > 9 else b""
    return (VT + b"MSH|^~\\&|SRV|TEST|" + (seg[2] if len(seg) > 2 else b"")
            + b"||20260101000000||ACK|" + ctrl + b"|P|2.5\rMSA|AA|" + ctrl
            + b"\r" + FS + CR)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        self.request.settimeout(30)
        while True:
            try:
                d = self.request.recv(65536)
            except OSError:
                return
            if not d:
                return
            buf += d
            while True:
                s = buf.find(VT)
                e = buf.find(FS + CR, s + 1)
                if s < 0 or e < 0:
                    break
                msg = buf[s + 1:e]
                buf = buf[e + 2:]
                with LOCK, open(sys.argv[2], "ab") as fp:
                    fp.write(msg.replace(b"\r", b"\n") + b"\n")
                self.request.sendall(ack(msg))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    Server(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
