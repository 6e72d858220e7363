"""Clients that ask pilha http for a large body and then stop reading, for the memory-budget test.

Usage: stalled-readers.py HOST PORT COUNT PATH FIRST MORE GO_FILE
Opens COUNT connections to HOST:PORT, sends `GET PATH HTTP/1.1` on each and reads its headers and the first
FIRST body bytes, then stops reading (the server's send buffers fill up) and prints `stalled`. Once GO_FILE
exists it checks that every connection is still open (not reset, not closed), reads MORE further body bytes
from each, and prints one JSON line: how many were alive, and the SHA-256 of the FIRST + MORE body bytes of
each connection (all must equal the hash of what the server serves). Only ever targets HOST, an address
inside the test's own network namespace.
"""
import hashlib
import json
import os
import select
import socket
import struct
import sys
import time

host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
first, more, go_file = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
TCP_ESTABLISHED = 1


class Client:
    def __init__(self):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.head = b""
        self.body = 0
        self.hash = hashlib.sha256()
        self.error = None

    def read_until(self, total):
        """Reads body bytes until exactly `total` have been seen (blocking)."""
        while self.body < total:
            parsed = self.head.endswith(b"\r\n\r\n")
            chunk = self.sock.recv(min(65536, total - self.body) if parsed else 1024)
            if not chunk:
                raise EOFError(f"connection closed after {self.body} body bytes")
            if not parsed:
                self.head += chunk
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    continue
                chunk = self.head[end + 4:]
                self.head = self.head[: end + 4]
                if not self.head.startswith(b"HTTP/1.1 200"):
                    raise ValueError(f"bad response: {self.head[:40]!r}")
            self.hash.update(chunk)
            self.body += len(chunk)

    def alive(self):
        """Open and readable: TCP_INFO says ESTABLISHED and data is waiting (no EOF, no reset)."""
        info = self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        if info[0] != TCP_ESTABLISHED:
            return f"state {info[0]}"
        try:
            peek = self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return None
        except OSError as e:
            return str(e)
        return None if peek else "eof"


clients = [Client() for _ in range(count)]
for c in clients:
    c.read_until(first)
print("stalled", flush=True)

deadline = time.time() + 600
while not os.path.exists(go_file):
    if time.time() > deadline:
        sys.exit("no go file")
    time.sleep(0.1)

problems = [p for p in (c.alive() for c in clients) if p is not None]
for c in clients:
    c.read_until(first + more)
hashes = sorted({c.hash.hexdigest() for c in clients})
for c in clients:
    c.sock.close()
print(json.dumps({"clients": count, "alive": count - len(problems), "problems": problems[:5], "hashes": hashes}), flush=True)
