#!/usr/bin/env python3
"""A framed-protocol client written from the wire description alone (not from pilha's code).

Sends one message: its length as 8 ASCII bytes (decimal, left-justified, padded with spaces), then the bytes;
prints the server's one-line reply as it came. Usage: framed_client.py HOST PORT FILE|--text TEXT|--raw HEADER
With --raw, HEADER is sent as the 8 header bytes unchanged, followed by nothing.
Exit status: 0 when the reply is `OK <len> <sha256>` matching what was sent, 1 otherwise.
"""
import hashlib
import socket
import sys


def main() -> int:
    host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if what == "--raw":
        header, data = sys.argv[4].encode("latin1"), b""
    else:
        data = sys.argv[4].encode() if what == "--text" else open(what, "rb").read()
        header = str(len(data)).ljust(8).encode("ascii")
        assert len(header) == 8
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(header + data)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    text = reply.decode("latin1")
    sys.stdout.write(text)
    expected = f"OK {len(data)} {hashlib.sha256(data).hexdigest()}\n"
    return 0 if text == expected else 1


if __name__ == "__main__":
    sys.exit(main())
