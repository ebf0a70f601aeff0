#!/usr/bin/env python3
"""tests/peers/tutorial_udp_client.py: the seed tutorial's UDP hello client, as a test peer.

Written from docs/protocol.md (UDP): sendto each name, print the reply, close. Additions
for tests only: --repr prints each reply as a Python bytes repr; --timeout S bounds each
wait (a missing reply prints TIMEOUT and the exit code is 3).
"""
import argparse
import socket
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=9999)
    ap.add_argument('--repr', action='store_true')
    ap.add_argument('--timeout', type=float, default=2.0)
    ap.add_argument('names', nargs='*', default=['Michael', 'Tracy', 'Sarah'])
    a = ap.parse_args()
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    missing = 0
    for name in a.names:
        s.sendto(name.encode('utf-8', 'surrogateescape'), (a.host, a.port))
        try:
            data = s.recv(65535)
        except (socket.timeout, ConnectionRefusedError):
            print('TIMEOUT', flush=True)
            missing += 1
            continue
        print(repr(data) if a.repr else data.decode('utf-8', 'backslashreplace'), flush=True)
    s.close()
    return 3 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
