#!/usr/bin/env python3
# tests/render/make_pcaps.py: writes the fixed pcaps the renderer fixtures come from (scapy),
# and the socket-call records (docs/events.md) the hello programs would have written for them:
# fixed addresses, ports, ISNs and timestamps, so the traces and pictures never change.
#   make_pcaps.py OUTDIR   writes OUTDIR/NAME.pcap, NAME-client.jsonl and NAME-server.jsonl
#                          for NAME in tcp-hello, tcp-retx, udp-hello
import json
import os
import sys

from scapy.all import IP, TCP, UDP, ICMP, Ether, Raw, wrpcap  # noqa: E402

T0 = 1795597200.0  # 2026-11-25T09:00:00Z
CLI, SRV = ("127.0.0.1", 45678), ("127.0.0.1", 9999)
PIDS = {"client": 4002, "server": 4001}
FDS = {"client": 3, "server": 4}  # the client's socket, the server's accepted connection


def ep(a):
    return {"addr": a[0], "port": a[1]}


class Calls:
    """Socket-call records of the programs, per role; times in microseconds from T0."""

    def __init__(self, proto):
        self.proto = proto
        self.recs = {"client": [], "server": []}

    def call(self, role, name, t_us, dur=2, fd=4, local=None, peer=None, result=0, pid=None, **extra):
        pid = pid or PIDS[role]
        r = {"call": name, "before_us": round(T0 * 1e6) + t_us, "after_us": round(T0 * 1e6) + t_us + dur,
             "prog": "hello-%s-%s" % (self.proto, role), "role": role, "pid": pid, "tid": pid, "fd": fd,
             "proto": self.proto}
        if local:
            r["local"] = ep(local)
        if peer:
            r["peer"] = ep(peer)
        r["result"] = result
        r.update(extra)
        self.recs[role].append(r)

    def write(self, out, name):
        for role, recs in self.recs.items():
            with open(os.path.join(out, "%s-%s.jsonl" % (name, role)), "w") as f:
                for r in sorted(recs, key=lambda r: r["before_us"]):
                    f.write(json.dumps(r) + "\n")

OPTS = [("MSS", 65495), ("SAckOK", b""), ("Timestamp", (1000, 0)), ("NOP", None), ("WScale", 7)]


class Conv:
    """Builds one TCP conversation packet by packet, keeping seq/ack per side."""

    def __init__(self):
        self.pkts = []
        self.t = T0
        self.seq = {"c": 1000, "s": 5000}
        self.acked = {"c": 0, "s": 0}
        self.calls = Calls("tcp")
        self.off = {"c": 0, "s": 0}     # stream offset of each side's next send
        self.got = {"c": 0, "s": 0}     # and of its next recv

    def us(self):
        """The last packet's time, microseconds from T0."""
        return round((self.t - T0) * 1e6)

    def app_send(self, side, data, dt_us, lead=6):
        """send() of data, `lead` us before the segment that carries it."""
        role, me, other = ("client", CLI, SRV) if side == "c" else ("server", SRV, CLI)
        self.calls.call(role, "send", self.us() + dt_us - lead, dur=lead + 3, fd=FDS[role], local=me, peer=other,
                        result=len(data), size=len(data), bytes=len(data), offset=self.off[side])
        self.off[side] += len(data)
        self.send(side, "PA", data, dt_us=dt_us)

    def app_recv(self, side, n, after_us=3, size=1024):
        """recv() returning n bytes (0: the peer's FIN), after_us after the last packet."""
        role, me, other = ("client", CLI, SRV) if side == "c" else ("server", SRV, CLI)
        self.calls.call(role, "recv", self.us() + after_us, dur=1, fd=FDS[role], local=me, peer=other,
                        result=n, size=size, bytes=n, offset=self.got[side])
        self.got[side] += n

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


def listener(calls, t_us):
    """The server's socket, SO_REUSEADDR, bind and listen, ending at t_us."""
    calls.call("server", "socket", t_us - 90, fd=3, result=3, family="inet")
    calls.call("server", "setsockopt", t_us - 60, fd=3, option="SO_REUSEADDR", value=1)
    calls.call("server", "bind", t_us - 40, fd=3, local=SRV)
    calls.call("server", "listen", t_us - 20, fd=3, local=SRV)


def handshake(c):
    listener(c.calls, -200)
    c.calls.call("client", "socket", -60, fd=3, result=3, family="inet")
    c.send("c", "S", dt_us=0, opts=OPTS)
    c.send("s", "SA", dt_us=12, opts=OPTS)
    c.send("c", "A", dt_us=8)
    # a blocking connect(): the whole handshake lies between its start and its return
    c.calls.call("client", "connect", -20, dur=c.us() + 22, fd=3, local=CLI, peer=SRV)
    c.calls.call("server", "accept", c.us() + 10, fd=4, local=SRV, peer=CLI, result=4, listen_fd=3)
    c.calls.call("server", "close", c.us() + 20, fd=3, local=SRV)   # --once: no more connections
    c.app_send("s", b"hello!", dt_us=65)
    c.send("c", "A", dt_us=7)
    c.app_recv("c", 6)


def tcp_hello():
    """The tutorial's exchange; the server closes first and holds TIME_WAIT."""
    c = Conv()
    handshake(c)
    for name in (b"Michael", b"Tracy", b"Sarah"):
        c.app_send("c", name, dt_us=48)
        c.send("s", "A", dt_us=9)
        c.app_recv("s", len(name), after_us=-4)
        c.app_send("s", b"Hello, " + name + b"!", dt_us=40)
        c.send("c", "A", dt_us=6)
        c.app_recv("c", len(name) + 8, size=65536)
    c.app_send("c", b"exit", dt_us=45)
    c.send("s", "A", dt_us=9)
    c.app_recv("s", 4, after_us=-4)
    c.calls.call("server", "close", c.us() + 22, dur=10, local=SRV, peer=CLI)
    c.send("s", "FA", dt_us=30)
    c.send("c", "A", dt_us=11)
    c.app_recv("c", 0, after_us=20, size=65536)
    c.calls.call("client", "close", c.us() + 44, dur=12, fd=3, local=CLI, peer=SRV)
    c.send("c", "FA", dt_us=52)
    c.send("s", "A", dt_us=10)
    return c.pkts, c.calls


def tcp_retx():
    """`Tracy` lost after the capture point: sent, unanswered, sent again 204 ms later;
    then the client aborts with a reset."""
    c = Conv()
    handshake(c)
    c.app_send("c", b"Michael", dt_us=40)
    c.app_recv("s", 7, after_us=5)
    c.app_send("s", b"Hello, Michael!", dt_us=30)
    c.send("c", "A", dt_us=5)
    c.app_recv("c", 15, size=65536)
    c.app_send("c", b"Tracy", dt_us=50)
    c.seq["c"] -= 5     # that copy never arrived: the kernel sends the same bytes again
    c.send("c", "PA", b"Tracy", dt_us=204000)
    c.app_recv("s", 5, after_us=4)
    c.app_send("s", b"Hello, Tracy!", dt_us=40)
    c.send("c", "A", dt_us=5)
    c.app_recv("c", 13, size=65536)
    # SO_LINGER 0: close() aborts with a reset instead of a FIN
    c.calls.call("client", "setsockopt", c.us() + 12, fd=3, option="SO_LINGER", value=0)
    c.calls.call("client", "close", c.us() + 22, dur=14, fd=3, local=CLI, peer=SRV)
    c.send("c", "RA", dt_us=30)
    return c.pkts, c.calls


def udp_hello():
    """Three datagrams, `Tracy` unanswered; then one to a closed port and its ICMP error."""
    pkts = []
    calls = Calls("udp")
    any4 = ("0.0.0.0", CLI[1])

    def dgram(t_us, src, dst, data):
        p = Ether() / IP(src=src[0], dst=dst[0], id=len(pkts) + 1) / UDP(sport=src[1], dport=dst[1]) / Raw(data)
        p.time = T0 + t_us / 1e6
        pkts.append(p)
        return p

    def sendto(t_us, role, data, n, src, dst, local=None, pid=None):
        """An unconnected socket names the wildcard address as its own (docs/events.md)."""
        calls.call(role, "sendto", t_us - 6, dur=8, fd=3, local=local or src, peer=dst, pid=pid,
                   result=len(data), size=len(data), bytes=len(data), datagram=n)
        return dgram(t_us, src, dst, data)

    def recvfrom(t_us, role, n, k, peer, size):
        calls.call(role, "recvfrom", t_us, dur=1, fd=3, local=any4 if role == "client" else SRV, peer=peer,
                   result=n, size=size, bytes=n, datagram=k)

    calls.call("server", "socket", -400, fd=3, result=3, family="inet")
    calls.call("server", "bind", -380, fd=3, local=SRV)
    calls.call("client", "socket", -30, fd=3, result=3, family="inet")
    sendto(0, "client", b"Michael", 0, CLI, SRV, local=any4)
    recvfrom(20, "server", 7, 0, CLI, 65536)
    sendto(45, "server", b"Hello, Michael!", 0, SRV, CLI)
    recvfrom(52, "client", 15, 0, SRV, 65536)
    sendto(300, "client", b"Tracy", 1, CLI, SRV, local=any4)
    # no reply within the client's 1 s timeout: its recvfrom() gives up
    calls.call("client", "recvfrom", 310, dur=999980, fd=3, local=any4, result=-1, errno="EAGAIN", size=65536)
    sendto(1000300, "client", b"Sarah", 2, CLI, SRV, local=any4)
    recvfrom(1000320, "server", 5, 1, CLI, 65536)
    sendto(1000340, "server", b"Hello, Sarah!", 1, SRV, CLI)
    recvfrom(1000350, "client", 13, 1, SRV, 65536)
    calls.call("client", "close", 1000400, fd=3, local=any4)
    # a second client, connected to a port where nothing listens: the ICMP error comes back
    bad_cli, bad_srv, pid = ("127.0.0.1", 51000), ("127.0.0.1", 9998), 4003
    calls.call("client", "socket", 1199900, fd=3, result=3, family="inet", pid=pid)
    calls.call("client", "connect", 1199950, fd=3, local=bad_cli, peer=bad_srv, pid=pid)
    bad = sendto(1200000, "client", b"Michael", 0, bad_cli, bad_srv, pid=pid)
    icmp = Ether() / IP(src="127.0.0.1", dst="127.0.0.1", id=len(pkts) + 1) / ICMP(type=3, code=3) / bytes(bad[IP])
    icmp.time = T0 + 1200020 / 1e6
    pkts.append(icmp)
    calls.call("client", "recvfrom", 1200010, dur=15, fd=3, local=bad_cli, peer=bad_srv, pid=pid,
               result=-1, errno="ECONNREFUSED", size=65536)
    calls.call("client", "close", 1200040, fd=3, local=bad_cli, peer=bad_srv, pid=pid)
    return pkts, calls


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, fn in (("tcp-hello", tcp_hello), ("tcp-retx", tcp_retx), ("udp-hello", udp_hello)):
        pkts, calls = fn()
        wrpcap(os.path.join(out, name + ".pcap"), pkts)
        calls.write(out, name)


if __name__ == "__main__":
    main()
