#!/usr/bin/env python3
"""tests/peers/tutorial_tcp_server.py: the seed tutorial's TCP hello server, as a test peer.

Written from docs/protocol.md (raw framing): accept, send b"hello!", then each recv(1024)
is one message: b"exit" closes the connection, anything else gets b"Hello, <msg>!".
Like the tutorial it serves each connection in a thread. Additions for tests only:
--once (serve one connection, then exit), --delay MS (the tutorial's sleep per message),
--timeout S (never wait forever), and each received chunk logged as a Python bytes repr
so a test can assert the exact bytes.
"""
import argparse
import socket
import sys
import threading
import time


def log(*args):
    print(*args, flush=True)


def tcplink(sock, addr, delay):
    log('Accept new connection from %s:%s...' % addr[:2])
    try:
        sock.send(b'hello!')
        while True:
            data = sock.recv(1024)
            if delay:
                time.sleep(delay / 1000.0)
            log('recv %r' % data)
            if not data or data == b'exit':
                break
            sock.send(b'Hello, %s!' % data)
    except ConnectionResetError:
        log('RESET from %s:%s' % addr[:2])
    except socket.timeout:
        log('TIMEOUT from %s:%s' % addr[:2])
    sock.close()
    log('Connection from %s:%s closed.' % addr[:2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=9999)
    ap.add_argument('--once', action='store_true', help='serve one connection, then exit')
    ap.add_argument('--delay', type=int, default=0, help='sleep MS after each recv')
    ap.add_argument('--timeout', type=float, default=10.0, help='give up after S seconds idle')
    a = ap.parse_args()
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.host, a.port))
    s.listen(5)
    s.settimeout(a.timeout)
    log('Waiting for connection...')
    try:
        while True:
            sock, addr = s.accept()
            sock.settimeout(a.timeout)
            if a.once:
                tcplink(sock, addr, a.delay)
                break
            threading.Thread(target=tcplink, args=(sock, addr, a.delay), daemon=True).start()
    except socket.timeout:
        log('no connection within %gs' % a.timeout)
        return 1
    finally:
        s.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
