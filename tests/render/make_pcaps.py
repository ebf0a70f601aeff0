#!/usr/bin/env python3
# tests/render/make_pcaps.py: writes the fixed pcaps the renderer fixtures come from (scapy):
# fixed addresses, ports, ISNs and timestamps, so the traces and pictures never change.
#   make_pcaps.py OUTDIR   writes OUTDIR/tcp-hello.pcap, tcp-retx.pcap, udp-hello.pcap
import os
import sys

from scapy.all import IP, TCP, UDP, ICMP, Ether, Raw, wrpcap  # noqa: E402

T0 = 1795597200.0  # 2026-11-25T09:00:00Z
CLI, SRV = ("127.0.0.1", 45678), ("127.0.0.1", 9999)
OPTS = [("MSS", 65495), ("SAckOK", b""), ("Timestamp", (1000, 0)), ("NOP", None), ("WScale", 7)]


class Conv:
    """Builds one TCP conversation packet by packet, keeping seq/ack per side."""

    def __init__(self):
        self.pkts = []
        self.t = T0
        self.seq = {"c": 1000, "s": 5000}
        self.acked = {"c": 0, "s": 0}

    def send(self, side, flags, data=b"", dt_us=10, advance=True, opts=None):
        self.t += dt_us / 1e6
        src, dst = (CLI, SRV) if side == "c" else (SRV, CLI)
        other = "s" if side == "c" else "c"
        tcp = TCP(sport=src[1], dport=dst[1], flags=flags, seq=self.seq[side],
                  ack=self.seq[other] if "A" in flags else 0, window=65483, options=opts or [])
        p = Ether() / IP(src=src[0], dst=dst[0], id=len(self.pkts) + 1) / tcp
        if data:
            p = p / Raw(data)
        p.time = self.t
        self.pkts.append(p)
        if advance:
            self.seq[side] += len(data) + (1 if ("S" in flags or "F" in flags) else 0)


def handshake(c):
    c.send("c", "S", dt_us=0, opts=OPTS)
    c.send("s", "SA", dt_us=12, opts=OPTS)
    c.send("c", "A", dt_us=8)
    c.send("s", "PA", b"hello!", dt_us=65)
    c.send("c", "A", dt_us=7)


def tcp_hello():
    """The tutorial's exchange; the server closes first and holds TIME_WAIT."""
    c = Conv()
    handshake(c)
    for name in (b"Michael", b"Tracy", b"Sarah"):
        c.send("c", "PA", name, dt_us=48)
        c.send("s", "A", dt_us=9)
        c.send("s", "PA", b"Hello, " + name + b"!", dt_us=40)
        c.send("c", "A", dt_us=6)
    c.send("c", "PA", b"exit", dt_us=45)
    c.send("s", "A", dt_us=9)
    c.send("s", "FA", dt_us=30)
    c.send("c", "A", dt_us=11)
    c.send("c", "FA", dt_us=52)
    c.send("s", "A", dt_us=10)
    return c.pkts


def tcp_retx():
    """`Tracy` lost after the capture point: sent, unanswered, sent again 204 ms later;
    then the client aborts with a reset."""
    c = Conv()
    handshake(c)
    c.send("c", "PA", b"Michael", dt_us=40)
    c.send("s", "PA", b"Hello, Michael!", dt_us=30)
    c.send("c", "A", dt_us=5)
    c.send("c", "PA", b"Tracy", dt_us=50, advance=False)
    c.send("c", "PA", b"Tracy", dt_us=204000)
    c.send("s", "PA", b"Hello, Tracy!", dt_us=40)
    c.send("c", "A", dt_us=5)
    c.send("c", "RA", dt_us=30)
    return c.pkts


def udp_hello():
    """Three datagrams, `Tracy` unanswered; then one to a closed port and its ICMP error."""
    pkts = []

    def dgram(t_us, src, dst, data):
        p = Ether() / IP(src=src[0], dst=dst[0], id=len(pkts) + 1) / UDP(sport=src[1], dport=dst[1]) / Raw(data)
        p.time = T0 + t_us / 1e6
        pkts.append(p)
        return p

    dgram(0, CLI, SRV, b"Michael")
    dgram(45, SRV, CLI, b"Hello, Michael!")
    dgram(300, CLI, SRV, b"Tracy")
    dgram(1000300, CLI, SRV, b"Sarah")
    dgram(1000340, SRV, CLI, b"Hello, Sarah!")
    bad = dgram(1200000, ("127.0.0.1", 51000), ("127.0.0.1", 9998), b"Michael")
    icmp = Ether() / IP(src="127.0.0.1", dst="127.0.0.1", id=len(pkts) + 1) / ICMP(type=3, code=3) / bytes(bad[IP])
    icmp.time = T0 + 1200020 / 1e6
    pkts.append(icmp)
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, fn in (("tcp-hello", tcp_hello), ("tcp-retx", tcp_retx), ("udp-hello", udp_hello)):
        wrpcap(os.path.join(out, name + ".pcap"), fn())


if __name__ == "__main__":
    main()
