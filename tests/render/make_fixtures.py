#!/usr/bin/env python3
# tests/render/make_fixtures.py: writes the hand-made fixture traces: what a pcap cannot give
# (kernel-observed states, notes) and awkward input (missing fields, bytes to escape).
# The other fixtures come from fixed pcaps through hello-trace (see README.md).
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
C = {"addr": "127.0.0.1", "port": 45678}
S = {"addr": "127.0.0.1", "port": 9999}


def base(events, flows, packets):
    return {
        "format": "hellolab-trace", "format_version": 2,
        "tool": {"name": "hello-trace", "version": "0.1.0"},
        "capture": {"source": "file", "file": "fixture.pcap", "snaplen": 262144,
                    "linktype": "EN10MB", "start_time": "2026-11-25T09:00:00.000000Z",
                    "start_us": 1795597200000000, "duration_us": events[-1]["t_us"],
                    "packets_seen": packets, "packets_dropped": 0,
                    "state_sources": {"inferred": True, "tracepoint": True, "sock_diag": True}},
        "endpoints": [dict(C, role="client"), dict(S, role="server")],
        "flows": flows, "events": events,
    }


class Tcp:
    """A tiny TCP conversation builder: relative seq/ack per side, event indexes."""

    def __init__(self):
        self.ev = []
        self.ip_len = []  # per packet, in order: packet events do not carry it
        self.seq = {"client": 0, "server": 0}
        self.t = 0

    def pkt(self, side, flags, data=b"", dt=10, **extra):
        other = "server" if side == "client" else "client"
        self.t += dt
        # IPv4 20 + TCP 32 (timestamps; a SYN's options 8 more), in an Ethernet frame (14)
        ip_len = 52 + len(data) + (8 if "S" in flags else 0)
        self.ip_len.append(ip_len)
        e = {"t_us": self.t, "type": "packet", "flow": 1, "from": side, "proto": "tcp",
             "flags": flags, "seq": self.seq[side], "win": 65483, "len": len(data),
             "frame_len": 14 + ip_len}
        if "A" in flags:
            e["ack"] = self.seq[other]
        if data:
            e["preview"] = data.decode("latin-1")
        e.update(extra)
        if not extra.get("retransmission"):
            self.seq[side] += len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        self.ev.append(e)
        return len(self.ev) - 1

    def state(self, side, frm, to, cause=None, **extra):
        e = {"t_us": self.t, "type": "state", "flow": 1, "side": side, "from": frm, "to": to}
        if cause is None:
            e["source"] = "kernel"
        else:
            e["source"], e["cause"] = "inferred", cause
        e.update(extra)
        self.ev.append(e)
        return len(self.ev) - 1


def tcp_kernel():
    """The tcp-hello exchange as a live run with the kernel's view would record it."""
    c = Tcp()
    i = c.pkt("client", "S", dt=0, options={"mss": 65495, "wscale": 7, "sack_permitted": True, "timestamps": True})
    c.state("client", "CLOSED", "SYN_SENT", i)
    c.state("server", "LISTEN", "SYN_RECEIVED", i)
    i = i_synack = c.pkt("server", "SA", dt=12)
    c.state("client", "SYN_SENT", "ESTABLISHED", i)
    c.state("client", "SYN_SENT", "ESTABLISHED", via="tracepoint")
    i = i_ack = c.pkt("client", "A", dt=8)
    c.state("server", "SYN_RECEIVED", "ESTABLISHED", i)
    c.state("server", "SYN_RECEIVED", "ESTABLISHED", via="tracepoint")
    data_first = c.pkt("server", "PA", b"hello!", dt=65)
    c.pkt("client", "A", dt=7)
    for name in (b"Michael", b"Tracy", b"Sarah"):
        c.pkt("client", "PA", name, dt=48)
        c.pkt("server", "A", dt=9)
        c.pkt("server", "PA", b"Hello, " + name + b"!", dt=40)
        c.pkt("client", "A", dt=6)
    c.pkt("client", "PA", b"exit", dt=45, note="the client asks the server to close")
    data_last = c.pkt("server", "A", dt=9)
    fin = c.pkt("server", "FA", dt=30, note="the server closes first: it will hold TIME_WAIT")
    c.state("server", "ESTABLISHED", "FIN_WAIT_1", fin)
    c.state("server", "ESTABLISHED", "FIN_WAIT_1", via="tracepoint")
    c.state("client", "ESTABLISHED", "CLOSE_WAIT", fin)
    i = c.pkt("client", "A", dt=11)
    c.state("server", "FIN_WAIT_1", "FIN_WAIT_2", i)
    i = c.pkt("client", "FA", dt=52)
    c.state("client", "CLOSE_WAIT", "LAST_ACK", i)
    tw_in = c.state("server", "FIN_WAIT_2", "TIME_WAIT", i)
    c.state("server", "FIN_WAIT_2", "CLOSED", via="tracepoint", handoff=True)
    last = c.pkt("server", "A", dt=10)
    c.state("client", "LAST_ACK", "CLOSED", last)
    # sock_diag looks on the capture's tick: its TIME_WAIT comes 3 ms after the packets
    # showed it, and it knows no `from`
    c.t += 3000
    tw = c.state("server", None, "TIME_WAIT", via="sock_diag", timer_ms=59997)
    del c.ev[tw]["from"]
    ev = c.ev
    pk = lambda side: sum(1 for e in ev if e["type"] == "packet" and e["from"] == side)
    by = lambda side, k: sum(e[k] for e in ev if e["type"] == "packet" and e["from"] == side)
    pkts = [e for e in ev if e["type"] == "packet"]
    ipb = lambda side: sum(n for e, n in zip(pkts, c.ip_len) if e["from"] == side)
    flow = {
        "id": 1, "proto": "tcp", "client": C, "server": S,
        "first_us": 0, "last_us": ev[last]["t_us"],
        "packets": {"client": pk("client"), "server": pk("server")},
        "ip_bytes": {"client": ipb("client"), "server": ipb("server")},
        "frame_bytes": {"client": by("client", "frame_len"), "server": by("server", "frame_len")},
        "payload_bytes": {"client": by("client", "len"), "server": by("server", "len")},
        "isn": {"client": 1000, "server": 5000},
        "options": {"client": {"mss": 65495, "wscale": 7, "sack_permitted": True, "timestamps": True},
                    "server": {"mss": 65495, "wscale": 7, "sack_permitted": True, "timestamps": True}},
        "handshake_rtt": {"syn_to_synack_us": ev[i_synack]["t_us"] - ev[0]["t_us"],
                          "syn_to_ack_us": ev[i_ack]["t_us"] - ev[0]["t_us"]},
        "window_min": {"client": 65483 << 7, "server": 65483 << 7},
        "history": "ShADadFf", "conn_state": "SF",
        "phases": [
            {"name": "handshake", "first_event": 0, "last_event": data_first - 1, "start_us": 0, "end_us": ev[data_first - 1]["t_us"]},
            {"name": "data", "first_event": data_first, "last_event": data_last, "start_us": ev[data_first]["t_us"], "end_us": ev[data_last]["t_us"]},
            {"name": "teardown", "first_event": fin, "last_event": last + 1, "start_us": ev[fin]["t_us"], "end_us": ev[last]["t_us"]},
            {"name": "time_wait", "first_event": tw_in, "last_event": tw, "start_us": ev[tw_in]["t_us"], "end_us": ev[tw]["t_us"]},
        ],
        "closed_first": "server", "close_kind": "fin",
        "time_wait": {"side": "server", "start_us": ev[tw_in]["t_us"], "timer_ms": 59997, "source": "kernel",
                      "kernel_seen_us": ev[tw]["t_us"], "inferred_side": "server"},
        "retransmissions": 0, "dup_acks": 0, "zero_windows": 0,
        "states": {"client": {"final": "CLOSED", "source": "inferred"},
                   "server": {"final": "TIME_WAIT", "source": "inferred", "kernel_final": "TIME_WAIT"}},
    }
    return base(ev, [flow], pk("client") + pk("server"))


def odd():
    """Awkward input: missing optional fields, bytes to escape, notes, IPv6, no phases."""
    ev = [
        {"t_us": 0, "type": "packet", "flow": 7, "from": "client", "proto": "tcp", "flags": "S", "seq": 0},
        {"t_us": 5, "type": "packet", "flow": 7, "from": "server", "flags": "SA", "seq": 0, "ack": 1},
        {"t_us": 9, "type": "state", "flow": 7, "side": "client", "to": "ESTABLISHED", "source": "kernel", "via": "tracepoint"},
        {"t_us": 20, "type": "packet", "flow": 7, "from": "client", "flags": "PA", "seq": 1, "ack": 1, "len": 30,
         "preview": "<b>&amp;\"quo'te\";#x\\x00\\n%%{init}%% end\x01\u00e9", "note": "a note with <tags> & \"quotes\"; #hash"},
        {"t_us": 25, "type": "packet", "proto": "tcp", "flags": "A"},
        {"t_us": 30, "type": "packet", "flow": 7, "from": "server", "flags": "RA", "seq": 1, "ack": 31, "truncated": "tcp header"},
        {"t_us": 31, "type": "state", "flow": 7, "side": "server", "from": "SYN_RECEIVED", "to": "CLOSED", "source": "inferred", "cause": 5},
        {"t_us": 40, "type": "mystery", "flow": 7},
    ]
    return {"format": "hellolab-trace", "format_version": 1, "capture": {"source": "live", "interface": "lo"},
            "flows": [{"id": 7, "proto": "tcp", "client": {"addr": "::1", "port": 40000},
                       "server": {"addr": "::1", "port": 9999}, "history": "Sh", "conn_state": "RSTR"}],
            "events": ev}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    for name, fn in (("tcp-kernel", tcp_kernel), ("odd", odd)):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "trace.json"), "w") as f:
            json.dump(fn(), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
