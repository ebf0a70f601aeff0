#!/usr/bin/env python3
"""tests/fuzz/make_corpus.py: writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/.

usage: /usr/bin/python3 tests/fuzz/make_corpus.py   (from the repository root; needs scapy)
Seeds come from the pcaps the trace tests generate (tools/mkpcap_trace.py) and ship
(tests/render/*/trace.pcap), plus a few frames each decoder branch needs to see once.
The corpora are committed small: regenerate them only when the inputs' format changes.
"""
import glob
import hashlib
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import mkpcap_trace as mk  # noqa: E402
from scapy.all import (Ether, Dot1Q, IP, IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrFragment, TCP, UDP,  # noqa: E402
                       ICMP, ICMPv6DestUnreach, Raw, raw)

OUT = os.path.join(os.path.dirname(__file__), "corpus")
# fuzz_decode's byte 0 (low 3 bits): index into its link-type table.
DLT_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 12: 5, 228: 6, 229: 7}


def put(name, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def pcap_frames(path):
    """(linktype, frames) of a classic little-endian microsecond pcap."""
    b = open(path, "rb").read()
    if len(b) < 24 or b[:4] != b"\xd4\xc3\xb2\xa1":
        return None, []
    lt = struct.unpack("<I", b[20:24])[0]
    out, o = [], 24
    while o + 16 <= len(b):
        cap = struct.unpack("<I", b[o + 8:o + 12])[0]
        out.append(b[o + 16:o + 16 + cap])
        o += 16 + cap
    return lt, out


def odd_frames():
    """Frames for decoder branches the hello pcaps never reach (index into the DLT table, bytes)."""
    c, s = "10.0.0.1", "10.0.0.2"
    syn = TCP(sport=40000, dport=9999, flags="S", options=[("MSS", 1460), ("SAckOK", b""),
              ("Timestamp", (1, 2)), ("WScale", 7), ("SAck", (10, 20, 30, 40)), ("EOL", None)])
    q = IP(src=c, dst=s, id=7) / UDP(sport=40001, dport=9998) / Raw(b"x")
    q6 = IPv6(src="fd00::1", dst="fd00::2") / TCP(sport=40000, dport=9999, seq=5)
    return [
        (0, raw(Ether() / Dot1Q(vlan=5) / IP(src=c, dst=s) / syn)),
        (0, raw(Ether() / Dot1Q(vlan=5) / Dot1Q(vlan=6) / IP(src=c, dst=s, options=b"\x01\x01\x01\x00") / UDP())),
        (0, raw(Ether() / IP(src=s, dst=c) / ICMP(type=3, code=3) / raw(q))),
        (0, raw(Ether() / IP(src=c, dst=s, flags="MF", frag=0) / UDP(sport=1, dport=2) / Raw(b"a" * 16))),
        (0, raw(Ether() / IP(src=c, dst=s, frag=3) / Raw(b"b" * 16))),
        (0, raw(Ether() / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrHopByHop() / IPv6ExtHdrFragment() /
                TCP(sport=40000, dport=9999, flags="PA") / Raw(b"Michael"))),
        (0, raw(Ether() / IPv6(src="fd00::2", dst="fd00::1") / ICMPv6DestUnreach(code=4) / raw(q6))),
        (0, raw(Ether(type=0x0806) / Raw(b"\0" * 28))),
        (1, b"\0\0\x03\x04\0\x06" + b"\0" * 8 + b"\x08\x00" + raw(IP(src=c, dst=s) / UDP() / Raw(b"hi"))),
        (3, struct.pack(">I", 30) + raw(IPv6(src="::1", dst="::1") / UDP(sport=5, dport=9999) / Raw(b"v6"))),
        (4, struct.pack(">I", 2) + raw(IP(src=c, dst=s) / TCP(flags="FR"))),
        (6, raw(IP(src=c, dst=s) / TCP(dataofs=3))),
        (7, raw(IPv6(src="::1", dst="::1", plen=9000) / UDP())),
        (5, raw(IP(src=c, dst=s, ihl=4) / TCP())),
    ]


def frame_seeds():
    """fuzz_frame: header (mode, limit, chunk seed) + a stream."""
    streams = [b"Michael", b"Michael\nTracy\r\nSarah\nexit\n", b"\r\n\n\r\r\n", b"x" * 40 + b"\n",
               b"no newline at all", b"\0\xff\n\x00exit\n", b"exit"]
    for mode in range(4):
        for limit in (0, 1, 8, 32):
            for st in streams:
                yield bytes([mode | (3 << 2), limit, 0x12, 0x34]) + st


ADDR_SEEDS = [b"127.0.0.1", b"127.0.0.1:9999", b"[::1]:9999", b"::1", b"[::1]", b"fe80::1%1",
              b"[fe80::1%2]:80", b"localhost:80", b"0", b"65535", b"65536", b"09999", b"1.2.3.4:",
              b"[::1", b"::1]", b"[]:1", b":9999", b"::ffff:10.0.0.1", b"[::ffff:10.0.0.1]:0"]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        mk.main.__globals__["sys"].argv = ["mkpcap_trace.py", tmp]
        mk.main()
        pcaps = sorted(glob.glob(os.path.join(tmp, "*.pcap*")))
        here = os.path.join(os.path.dirname(__file__), "..", "render")
        pcaps += sorted(glob.glob(os.path.join(here, "*", "trace.pcap")))
        seen = set()
        for p in pcaps:
            data = open(p, "rb").read()
            if len(data) <= 16384:
                put("fuzz_offline", data)
            lt, frames = pcap_frames(p)
            if lt not in DLT_INDEX:
                continue
            for fr in frames:
                seed = bytes([DLT_INDEX[lt]]) + fr
                key = (lt, fr[:64])
                if key not in seen:
                    seen.add(key)
                    put("fuzz_decode", seed)
        for idx, fr in odd_frames():
            put("fuzz_decode", bytes([idx]) + fr)
            # the same frame as a one-packet pcap of that link type
            lt = [k for k, v in DLT_INDEX.items() if v == idx][0]
            path = os.path.join(tmp, "one.pcap")
            mk.write_pcap(path, [fr], linktype=lt)
            put("fuzz_offline", open(path, "rb").read())
    for s in frame_seeds():
        put("fuzz_frame", s)
    for i, s in enumerate(ADDR_SEEDS):
        put("fuzz_addr", bytes([i % 6]) + s)


if __name__ == "__main__":
    main()
