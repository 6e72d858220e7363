#!/usr/bin/env python3
"""A framed-protocol server written from the wire description alone (not from pilha's code).

Per connection, until the client closes: read exactly 8 header bytes (digits, then spaces), then exactly that
many bytes, hashing them; answer `OK <len> <sha256-hex>\n`. A bad header gets `ERR <reason>\n` and a close.
Usage: framed_server.py HOST PORT. Prints `listening` when ready and one `got <len> <sha>` line per message.
"""
import hashlib
import re
import socket
import sys
import threading


def read_exactly(conn: socket.socket, n: int, sink=None) -> int:
    got = 0
    while got < n:
        chunk = conn.recv(min(1 << 20, n - got))
        if not chunk:
            break
        got += len(chunk)
        if sink is not None:
            sink(chunk)
    return got


def serve(conn: socket.socket) -> None:
    with conn:
        while True:
            header = bytearray()
            read_exactly(conn, 8, header.extend)
            if len(header) == 0:
                return
            if len(header) < 8:
                print(f"incomplete header {bytes(header)!r}", flush=True)
                return
            if not re.fullmatch(rb"[0-9]+ *", bytes(header)):
                conn.sendall(b"ERR bad header\n")
                return
            size = int(header)
            digest = hashlib.sha256()
            got = read_exactly(conn, size, digest.update)
            if got < size:
                print(f"incomplete: got {got} of {size} bytes", flush=True)
                return
            sha = digest.hexdigest()
            conn.sendall(f"OK {size} {sha}\n".encode())
            print(f"got {size} {sha}", flush=True)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    print("listening", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
