#!/usr/bin/env python3
"""tests/peers/tutorial_tcp_client.py: the seed tutorial's TCP hello client, as a test peer.

Written from docs/protocol.md (raw framing): connect, print the greeting, send the names
one at a time printing each reply, send b"exit", close at once (the tutorial's literal
client). Additions for tests only: --repr prints each received chunk as a Python bytes
repr (exact bytes); --wait-close reads after b"exit" until the server closes and prints
EOF or RESET (so a test can see a reset); --timeout bounds every wait.
"""
import argparse
import socket
import sys


def show(data, as_repr):
    print(repr(data) if as_repr else data.decode('utf-8', 'backslashreplace'), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=9999)
    ap.add_argument('--repr', action='store_true', help='print received bytes as a repr')
    ap.add_argument('--wait-close', action='store_true',
                    help='after exit, read until the server closes; print EOF or RESET')
    ap.add_argument('--timeout', type=float, default=5.0)
    ap.add_argument('names', nargs='*', default=['Michael', 'Tracy', 'Sarah'])
    a = ap.parse_args()
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect((a.host, a.port))
        show(s.recv(1024), a.repr)
        for name in a.names:
            s.send(name.encode('utf-8', 'surrogateescape'))
            show(s.recv(1024), a.repr)
        s.send(b'exit')
        if a.wait_close:
            while True:
                data = s.recv(1024)
                if not data:
                    print('EOF', flush=True)
                    break
                show(data, a.repr)
    except ConnectionResetError:
        print('RESET', flush=True)
        return 4
    except OSError as e:
        print('error: %s' % e, file=sys.stderr, flush=True)
        return 1
    finally:
        s.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
