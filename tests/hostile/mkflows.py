#!/usr/bin/env python3
"""tests/hostile/mkflows.py: writes a pcap (raw IPv4) with N distinct TCP flows, for the tracer's flow limit.

usage: mkflows.py OUT.pcap N [PACKETS_PER_FLOW]
Flow i is client 10.(i>>16).(i>>8).(i) : 40000+(i%20000) -> server 10.255.0.1:9999. With
2 packets per flow, each SYN is answered by a SYN+ACK, the answers coming after all the SYNs
of a batch of 64, so flows interleave. Plain struct packing: a million flows take seconds.
"""
import struct
import sys

T0 = 1700000000


def ip_tcp(src, dst, sport, dport, seq, ack, flags):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst)
    return ip + tcp


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    server = bytes([10, 255, 0, 1])
    rec = struct.Struct("<IIII")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
        t = 0
        for base in range(0, n, 64):
            batch = range(base, min(n, base + 64))
            out = []
            for i in batch:
                c = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
                out.append(ip_tcp(c, server, 40000 + i % 20000, 9999, i * 7, 0, 0x02))
            if per > 1:
                for i in batch:
                    c = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
                    out.append(ip_tcp(server, c, 9999, 40000 + i % 20000, i * 11, i * 7 + 1, 0x12))
            for p in out:
                f.write(rec.pack(T0 + t // 1000000, t % 1000000, len(p), len(p)))
                f.write(p)
                t += 10


if __name__ == "__main__":
    main()
