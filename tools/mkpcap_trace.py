#!/usr/bin/env python3
"""tools/mkpcap_trace.py: writes the pcap/pcapng files the trace_offline suites read.

usage: mkpcap_trace.py DIR               the fixed set of tests/integration/trace_offline.sh
       mkpcap_trace.py --case CASE.json OUT.pcap
                                        one case of tests/trace/cases/ (see its README.md)
Needs scapy: run with /usr/bin/python3. Timestamps are 1 ms apart.
"""
import json
import os
import struct
import sys

from scapy.all import Ether, IP, IPv6, TCP, UDP, ICMP, ICMPv6DestUnreach, Raw, raw
from scapy.utils import PcapNgWriter

T0 = 1700000000.0
C4, S4, C6, S6 = "10.0.0.1", "10.0.0.2", "fd00::1", "fd00::2"
CP, SP = 40000, 9999
SYN_OPTS = [("MSS", 65495), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]


def tcp_hello(v6=False, retransmit=False):
    """The hello exchange as (client?, flags, payload) with seq/ack computed; returns IP packets."""
    ip = (lambda s, d: IPv6(src=s, dst=d)) if v6 else (lambda s, d: IP(src=s, dst=d))
    addr = {True: (C6 if v6 else C4), False: (S6 if v6 else S4)}
    port = {True: CP, False: SP}
    nxt = {True: 1000, False: 5000}
    script = [(True, "S", b""), (False, "SA", b""), (True, "A", b""), (False, "PA", b"hello!"),
              (True, "A", b"")]
    for name in (b"Michael", b"Tracy", b"Sarah"):
        script += [(True, "PA", name), (False, "PA", b"Hello, " + name + b"!")]
        if retransmit and name == b"Tracy":
            script.insert(len(script) - 1, (True, "PA", b"RETRANSMIT"))
    script += [(True, "PA", b"exit"), (False, "FA", b""), (True, "FA", b""), (False, "A", b"")]
    out, last = [], {}
    for client, flags, data in script:
        if data == b"RETRANSMIT":
            seq, data = last[client]
        else:
            seq = nxt[client]
            if data:
                last[client] = (seq, data)
            nxt[client] += len(data) + ("S" in flags) + ("F" in flags)
        ack = nxt[not client] if "A" in flags else 0
        t = TCP(sport=port[client], dport=port[not client], flags=flags, seq=seq, ack=ack, window=65483,
                options=SYN_OPTS if "S" in flags else [])
        p = ip(addr[client], addr[not client]) / t
        out.append(p / Raw(data) if data else p)
    return out


def udp_hello():
    out = []
    for name in (b"Michael", b"Tracy"):
        out.append(IP(src=C4, dst=S4) / UDP(sport=CP, dport=SP) / Raw(name))
        out.append(IP(src=S4, dst=C4) / UDP(sport=SP, dport=CP) / Raw(b"Hello, " + name + b"!"))
    # Sarah is lost once, then her retry is answered.
    out.append(IP(src=C4, dst=S4) / UDP(sport=CP, dport=SP) / Raw(b"Sarah"))
    out.append(IP(src=C4, dst=S4) / UDP(sport=CP, dport=SP) / Raw(b"Sarah"))
    out.append(IP(src=S4, dst=C4) / UDP(sport=SP, dport=CP) / Raw(b"Hello, Sarah!"))
    # A datagram to a closed port, and the port unreachable that quotes it.
    req = IP(src=C4, dst=S4, id=4242) / UDP(sport=CP + 1, dport=SP - 1) / Raw(b"anyone?")
    out.append(req)
    out.append(IP(src=S4, dst=C4) / ICMP(type=3, code=3) / raw(req))
    return out


def write_pcap(path, frames, linktype=1, snaplen=262144, times=None, nano=False):
    """frames: raw bytes per packet; a frame longer than snaplen is cut (caplen < len).
    times: (sec, usec) per frame, or (sec, nsec) with nano (pcap's nanosecond variant),
    written as the record's two unsigned 32-bit fields as they are (default: T0 + 1 ms per
    frame). Returns the file offset where each record ends."""
    times = times or default_times(len(frames), (int(T0), 0))
    ends = []
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for b, (sec, usec) in zip(frames, times):
            cap = b[:snaplen]
            f.write(struct.pack("<IIII", sec, usec, len(cap), len(b)))
            f.write(cap)
            ends.append(f.tell())
    return ends


def default_times(n, t0):
    return [(t0[0] + (t0[1] + i * 1000) // 1000000, (t0[1] + i * 1000) % 1000000) for i in range(n)]


def pcapng_block(kind, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", kind, n) + body + struct.pack("<I", n)


def write_pcapng(path, frames, linktype=1, snaplen=262144, times=None, tsresol=6, tsoffset=0):
    """A pcapng of one interface whose if_tsresol is 10^-tsresol s and if_tsoffset tsoffset
    seconds: each time (sec, usec) becomes 64-bit ticks = (sec - tsoffset) * 10^tsresol
    plus the fraction, the way libpcap reads them back (sec = ticks / resol + tsoffset).
    Returns the file offset where each packet's block ends."""
    times = times or default_times(len(frames), (int(T0), 0))
    resol = 10 ** tsresol
    opts = struct.pack("<HHB3x", 9, 1, tsresol)
    if tsoffset:
        opts += struct.pack("<HHq", 14, 8, tsoffset)
    opts += struct.pack("<HH", 0, 0)
    ends = []
    with open(path, "wb") as f:
        f.write(pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + struct.pack("<HH", 0, 0)))
        f.write(pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + opts))
        for b, (sec, usec) in zip(frames, times):
            ticks = (sec - tsoffset) * resol + usec * resol // 1000000
            assert 0 <= ticks < 1 << 64, "time out of the pcapng's 64-bit ticks"
            cap = b[:snaplen]
            f.write(pcapng_block(6, struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(cap), len(b)) + cap))
            ends.append(f.tell())
    return ends


def write_case(path, case):
    """A case of tests/trace/cases/ (its README.md): "format" pcap (default), pcap-ns or
    pcapng ("tsresol", "tsoffset"), "t0" [sec, usec] and a step's own "ts" [sec, usec]
    ([sec, nsec] in pcap-ns)."""
    steps = [st for st in case["steps"] if not st.get("lost")]
    frames = [eth(p) for p in case_packets(case)]
    fmt = case.get("format", "pcap")
    times = default_times(len(frames), case.get("t0", (int(T0), 0)))
    if fmt == "pcap-ns":
        times = [(s, us * 1000) for s, us in times]
    times = [tuple(st.get("ts", t)) for st, t in zip(steps, times)]
    snaplen = case.get("snaplen", 262144)
    if fmt == "pcapng":
        write_pcapng(path, frames, snaplen=snaplen, times=times, tsresol=case.get("tsresol", 6),
                     tsoffset=case.get("tsoffset", 0))
    else:
        write_pcap(path, frames, snaplen=snaplen, times=times, nano=fmt == "pcap-ns")


def eth(p):
    return raw(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p)


def sll2(p):
    proto = 0x86DD if p.haslayer(IPv6) else 0x0800
    return struct.pack(">HHIHBB8s", proto, 0, 1, 772, 0, 6, b"\0" * 8) + raw(p)


def case_packets(case):
    """A case's steps -> IP packets. TCP seq/ack follow the script as in tests/lib/trace_build.c:
    ISNs 1000 (client) and 5000 (server); each step acknowledges all the peer sent, unless
    "stale_ack" (what the peer had sent before its last segment); "retransmit" resends the
    side's previous data segment; "lost" builds a segment but leaves it out of the capture."""
    v6 = case.get("v6", False)
    ip = (lambda s, d: IPv6(src=s, dst=d)) if v6 else (lambda s, d: IP(src=s, dst=d))
    addr = {"C": C6 if v6 else C4, "S": S6 if v6 else S4}
    port = {"C": CP, "S": SP}
    other = {"C": "S", "S": "C"}
    nxt, before, last = {"C": 1000, "S": 5000}, {"C": 1000, "S": 5000}, {}
    out, last_udp = [], None
    for st in case["steps"]:
        who, kind = st["who"], st["flags"]
        data = st.get("data", "").encode()
        if kind == "udp":
            p = ip(addr[who], addr[other[who]]) / UDP(sport=port[who], dport=st.get("dport", port[other[who]])) / Raw(data)
            if who == "C":
                last_udp = p
        elif kind == "icmp-unreach":
            q = raw(last_udp)
            p = (IPv6(src=addr[who], dst=addr[other[who]]) / ICMPv6DestUnreach(code=4) / q if v6 else
                 IP(src=addr[who], dst=addr[other[who]]) / ICMP(type=3, code=3) / q)
        else:
            if st.get("retransmit") and ("F" in kind or "S" in kind) and not data:
                seq = nxt[who] - 1          # the FIN (or SYN) again
            elif st.get("retransmit"):
                seq, data = last[who]
            else:
                seq = nxt[who]
                before[who] = nxt[who]
                if data:
                    last[who] = (seq, data)
                nxt[who] += len(data) + ("S" in kind) + ("F" in kind)
            ack = (before if st.get("stale_ack") else nxt)[other[who]] if "A" in kind else 0
            t = TCP(sport=port[who], dport=port[other[who]], flags=kind, seq=seq, ack=ack,
                    window=0 if st.get("zero_window") else 65483, options=SYN_OPTS if "S" in kind else [])
            p = ip(addr[who], addr[other[who]]) / t
            if data:
                p = p / Raw(data)
        if not st.get("lost"):
            out.append(p)
    return out


def main():
    if sys.argv[1] == "--case":
        write_case(sys.argv[3], json.load(open(sys.argv[2])))
        return
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    hello = tcp_hello()
    write_pcap(f"{d}/tcp_hello.pcap", [eth(p) for p in hello])
    w = PcapNgWriter(f"{d}/tcp_hello.pcapng")
    for i, p in enumerate(hello):
        e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p
        e.time = T0 + i * 0.001
        w.write(e)
    w.close()
    write_pcap(f"{d}/tcp_hello_sll2.pcap", [sll2(p) for p in hello], linktype=276)
    write_pcap(f"{d}/tcp_hello_null.pcap", [struct.pack("<I", 2) + raw(p) for p in hello], linktype=0)
    write_pcap(f"{d}/tcp_hello_raw.pcap", [raw(p) for p in hello], linktype=101)
    write_pcap(f"{d}/undecoded.pcap", [raw(p) for p in hello], linktype=147)  # USER0: not decoded
    write_pcap(f"{d}/tcp_hello6.pcap", [eth(p) for p in tcp_hello(v6=True)])
    write_pcap(f"{d}/tcp_retrans.pcap", [eth(p) for p in tcp_hello(retransmit=True)])
    write_pcap(f"{d}/tcp_cut.pcap", [eth(p) for p in hello], snaplen=54)
    write_pcap(f"{d}/udp_icmp.pcap", [eth(p) for p in udp_hello()])
    write_pcap(f"{d}/mixed.pcap", [eth(p) for p in hello + udp_hello()])
    with open(f"{d}/corrupt.pcap", "wb") as f:
        f.write(b"this is not a capture file, just some words\n" * 4)


if __name__ == "__main__":
    main()
