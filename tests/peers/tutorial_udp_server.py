#!/usr/bin/env python3
"""tests/peers/tutorial_udp_server.py: the seed tutorial's UDP hello server, as a test peer.

Written from docs/protocol.md (UDP): each datagram is one message, answered with
b"Hello, <msg>!" sent to the datagram's source. Additions for tests only: --count N
(exit after N datagrams), --timeout S (exit when idle), each datagram logged as a repr.
"""
import argparse
import socket
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=9999)
    ap.add_argument('--count', type=int, default=0, help='exit after N datagrams (0: never)')
    ap.add_argument('--timeout', type=float, default=10.0, help='exit after S seconds idle')
    a = ap.parse_args()
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((a.host, a.port))
    s.settimeout(a.timeout)
    print('Bind UDP on %s:%d...' % (a.host, a.port), flush=True)
    n = 0
    try:
        while a.count == 0 or n < a.count:
            data, addr = s.recvfrom(65535)
            print('Received from %s:%s. %r' % (addr[0], addr[1], data), flush=True)
            s.sendto(b'Hello, %s!' % data, addr)
            n += 1
    except socket.timeout:
        print('idle for %gs, exiting' % a.timeout, flush=True)
    finally:
        s.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
