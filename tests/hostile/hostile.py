#!/usr/bin/env python3
"""tests/hostile/hostile.py: hostile clients for tests/integration/hostile*.sh and tools/stress.sh.

usage: hostile.py MODE PORT [ARGS]; prints "key: value" lines the suites check.
Every loop is bounded in count and in time; traffic goes to 127.0.0.1 (inside the suite's
private namespace) only. Modes:
  idle PORT N HOLD_S READY     N connections that read the greeting then say nothing, held
                               HOLD_S seconds (READY is created once all are greeted)
  slowloris PORT N SECS        line framing: N connections send one byte a second, never "\\n";
                               reports how long until the server closed each
  silent PORT N SECS           N connections that never send; time until each is closed
  maxclients PORT HOLD EXTRA   HOLD connections fill --max-clients; EXTRA more must wait,
                               then be served once the holders leave
  garbage PORT                 raw framing: random bytes, NUL bytes, 1 MiB, exit
  noeol PORT                   line framing: bytes without "\\n", an overlong line
  reset PORT N                 N clients reset (RST) while their replies are queued
  nonreader PORT               sends, never reads (small receive buffer): cut off by RST?
  udpflood PORT N              N datagrams from 8 sockets, never read
  udpbig PORT                  65499- and 65507-byte datagrams
"""
import random
import resource
import selectors
import socket
import struct
import sys
import time

HOST = "127.0.0.1"


def out(k, v):
    print(f"{k}: {v}", flush=True)


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def connect(port, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    return s


def recv_exact(s, n, deadline):
    b = b""
    while len(b) < n and time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        d = s.recv(n - len(b))
        if not d:
            break
        b += d
    return b


def wait_closed(s, deadline):
    """Reads until EOF/reset; returns the time it happened, or None at the deadline."""
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            if not s.recv(65536):
                return time.time()
        except (ConnectionResetError, BrokenPipeError):
            return time.time()
        except socket.timeout:
            break
    return None


def connect_many(port, n, limit_s):
    """n non-blocking connects, completed together; returns the connected sockets."""
    sel = selectors.DefaultSelector()
    socks, done = [], []
    deadline = time.time() + limit_s
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((HOST, port))
        sel.register(s, selectors.EVENT_WRITE)
        socks.append(s)
        # Drain completions as we go: a full backlog turns SYNs away, and retries cost 1 s.
        for key, _ in sel.select(0):
            sel.unregister(key.fileobj)
            done.append(key.fileobj)
    while len(done) < n and time.time() < deadline:
        for key, _ in sel.select(0.2):
            sel.unregister(key.fileobj)
            done.append(key.fileobj)
    ok = [s for s in done if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    for s in socks:
        if s not in ok:
            s.close()
    return ok


def read_greetings(socks, greeting, limit_s):
    """Counts sockets that received the whole greeting within limit_s."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    deadline = time.time() + limit_s
    ok = 0
    while sel.get_map() and time.time() < deadline:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                d = s.recv(64)
            except OSError:
                d = b""
            got[s] += d
            if not d or len(got[s]) >= len(greeting):
                sel.unregister(s)
                ok += got[s] == greeting
    return ok


def m_idle(port, n, hold, ready):
    raise_nofile()
    t0 = time.time()
    socks = connect_many(port, int(n), 30)
    out("connected", len(socks))
    out("greeted", read_greetings(socks, b"hello!", 30))
    out("setup_s", "%.1f" % (time.time() - t0))
    open(ready, "w").close()
    time.sleep(float(hold))
    # Still open at the end: the server never dropped an idle client on its own.
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    out("alive_at_end", alive)


def m_timed(port, n, secs, talk):
    """slowloris (talk) or silent connections: time until the server closes each."""
    socks, t0 = [], time.time()
    for _ in range(int(n)):
        s = connect(port)
        recv_exact(s, 7, time.time() + 3)  # "hello!\n"
        s.setblocking(False)
        socks.append(s)
    closed = {}
    deadline = t0 + float(secs)
    next_byte = t0
    sent = 0
    while len(closed) < len(socks) and time.time() < deadline:
        if talk and time.time() >= next_byte:
            for s in socks:
                if s not in closed:
                    try:
                        s.send(b"x")
                        sent += 1
                    except OSError:
                        closed[s] = time.time()
            next_byte += 1.0
        for s in socks:
            if s in closed:
                continue
            try:
                d = s.recv(4096)
                if not d:
                    closed[s] = time.time()
            except BlockingIOError:
                pass
            except OSError:
                closed[s] = time.time()
        time.sleep(0.02)
    out("closed", len(closed))
    out("bytes_sent", sent)
    out("max_close_s", "%.2f" % (max(closed.values()) - t0 if closed else -1))
    out("min_close_s", "%.2f" % (min(closed.values()) - t0 if closed else -1))


def m_maxclients(port, hold, extra):
    holders = [connect(port) for _ in range(int(hold))]
    out("holders_greeted", sum(recv_exact(s, 6, time.time() + 3) == b"hello!" for s in holders))
    waiting = connect_many(port, int(extra), 10)
    out("extra_connected", len(waiting))
    # While the server is full, none of the extra clients may be served.
    out("greeted_while_full", read_greetings(waiting, b"hello!", 0.8))
    for s in holders:
        s.close()
    # Each waiting client, once served, takes its greeting and says exit.
    served, deadline = 0, time.time() + 15
    for s in waiting:
        s.setblocking(True)
        g = recv_exact(s, 6, deadline)
        if g == b"hello!":
            s.sendall(b"exit")
            served += wait_closed(s, deadline) is not None
        s.close()
    out("served_after", served)


def exchange(s, msg, deadline):
    """Sends one raw message and reads its whole reply."""
    s.sendall(msg)
    want = b"Hello, " + msg + b"!"
    return recv_exact(s, len(want), deadline) == want


def m_garbage(port):
    rnd = random.Random(8)
    ok = 0
    for i in range(50):
        s = connect(port)
        recv_exact(s, 6, time.time() + 3)
        msg = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200))) if i % 2 else b"\0" * (i + 1)
        if msg == b"exit":
            msg = b"exit!"
        ok += exchange(s, msg, time.time() + 3)
        s.close()
    out("garbage_answered", ok)
    # 1 MiB in one go: each recv is a message, the replies carry every byte back. Every
    # byte value but "!" (so a reply's end is unambiguous), NUL included.
    s = connect(port)
    recv_exact(s, 6, time.time() + 3)
    alphabet = bytes(b for b in range(256) if b != 0x21)
    data = (alphabet * (((1 << 20) // len(alphabet)) + 1))[:1 << 20]
    s.setblocking(False)
    sent, echoed, buf, bad = 0, bytearray(), b"", 0
    deadline = time.time() + 20
    while (sent < len(data) or len(echoed) < len(data)) and time.time() < deadline and not bad:
        if sent < len(data):
            try:
                sent += s.send(data[sent:sent + 65536])
            except BlockingIOError:
                pass
        try:
            d = s.recv(1 << 20)
            if not d:
                break
            buf += d
        except BlockingIOError:
            time.sleep(0.001)
        while True:
            end = buf.find(b"!")
            if end < 0:
                break
            if not buf.startswith(b"Hello, "):
                bad = 1
                break
            echoed += buf[7:end]
            buf = buf[end + 1:]
    out("mib_sent", sent)
    out("mib_echoed_ok", int(not bad and bytes(echoed) == data))
    s.close()


def m_noeol(port):
    # A line that never ends, then EOF: the server must simply close, not answer half a line.
    s = connect(port)
    recv_exact(s, 7, time.time() + 3)
    s.sendall(b"no newline here, ever")
    s.shutdown(socket.SHUT_WR)
    rest = b""
    deadline = time.time() + 5
    while time.time() < deadline:
        s.settimeout(1)
        try:
            d = s.recv(4096)
        except OSError:
            break
        if not d:
            break
        rest += d
    out("noeol_reply", repr(rest))
    s.close()
    # A line over --max-msg: an error line, then the server closes.
    s = connect(port)
    recv_exact(s, 7, time.time() + 3)
    try:
        s.sendall(b"y" * 100000)
    except OSError:
        pass
    rest = b""
    deadline = time.time() + 5
    while time.time() < deadline:
        s.settimeout(1)
        try:
            d = s.recv(4096)
        except OSError:
            break
        if not d:
            break
        rest += d
    out("overlong_reply", repr(rest[:80]))
    s.close()


def m_reset(port, n):
    for i in range(int(n)):
        s = connect(port)
        s.sendall(b"Michael" * 100 + b"Tracy" * 100)
        time.sleep(0.002 * (i % 5))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    out("resets", n)


def m_nonreader(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    s.connect((HOST, port))
    sent, t0, how = 0, time.time(), "never cut off"
    try:
        while sent < 64 << 20 and time.time() - t0 < 15:
            sent += s.send(b"n" * 1024)
    except (ConnectionResetError, BrokenPipeError):
        how = "reset"
    except socket.timeout:
        how = "blocked"
    out("nonreader", how)
    out("nonreader_sent", sent)
    s.close()


def m_udpflood(port, n):
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(8)]
    rnd = random.Random(8)
    sent, t0 = 0, time.time()
    for i in range(int(n)):
        if time.time() - t0 > 20:
            break
        try:
            socks[i % 8].sendto(bytes(rnd.randrange(256) for _ in range(i % 64)) if i % 7 == 0 else b"flood%d" % i,
                                (HOST, port))
            sent += 1
        except OSError:
            pass  # the sender's buffer is full: a flood does that
    out("flood_sent", sent)
    out("flood_s", "%.1f" % (time.time() - t0))


def m_udpbig(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    biggest = b"B" * 65499
    s.sendto(biggest, (HOST, port))
    try:
        r, _ = s.recvfrom(70000)
        out("big_reply", len(r) if r == b"Hello, " + biggest + b"!" else "wrong")
    except socket.timeout:
        out("big_reply", "none")
    s.sendto(b"T" * 65507, (HOST, port))
    s.settimeout(1)
    try:
        r, _ = s.recvfrom(70000)
        out("toolong_reply", len(r))
    except socket.timeout:
        out("toolong_reply", "none")
    s.sendto(b"", (HOST, port))
    try:
        r, _ = s.recvfrom(100)
        out("empty_reply", repr(r))
    except socket.timeout:
        out("empty_reply", "none")


MODES = {
    "idle": lambda a: m_idle(int(a[0]), a[1], a[2], a[3]),
    "slowloris": lambda a: m_timed(int(a[0]), a[1], a[2], True),
    "silent": lambda a: m_timed(int(a[0]), a[1], a[2], False),
    "maxclients": lambda a: m_maxclients(int(a[0]), a[1], a[2]),
    "garbage": lambda a: m_garbage(int(a[0])),
    "noeol": lambda a: m_noeol(int(a[0])),
    "reset": lambda a: m_reset(int(a[0]), int(a[1])),
    "nonreader": lambda a: m_nonreader(int(a[0])),
    "udpflood": lambda a: m_udpflood(int(a[0]), a[1]),
    "udpbig": lambda a: m_udpbig(int(a[0])),
}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in MODES:
        sys.exit(__doc__)
    MODES[sys.argv[1]](sys.argv[2:])
