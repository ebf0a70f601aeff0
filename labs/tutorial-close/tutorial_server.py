#!/usr/bin/env python3
"""labs/tutorial-close/tutorial_server.py: the tutorial's TCP server, as the lab runs it.

As in the tutorial: send b"hello!", then for each recv(1024) sleep first (the tutorial's
time.sleep(1), here --delay MS), then close on b"exit" or reply b"Hello, <msg>!".
The sleep comes before the server even looks at b"exit": that is why the tutorial's
client, which closes right after sending it, sends the first FIN. Serves one connection.
"""
import socket
import sys
import time


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
    delay = int(sys.argv[2]) / 1000.0 if len(sys.argv) > 2 else 1.0
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(5)
    s.settimeout(10)
    print('Waiting for connection...', flush=True)
    sock, addr = s.accept()
    sock.settimeout(10)
    print('Accept new connection from %s:%s...' % addr, flush=True)
    sock.send(b'hello!')
    while True:
        data = sock.recv(1024)
        time.sleep(delay)
        if not data or data == b'exit':
            break
        sock.send(b'Hello, %s!' % data)
    sock.close()
    print('Connection from %s:%s closed.' % addr, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
