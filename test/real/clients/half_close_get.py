"""A client that half-closes, as `nc -N` and many HTTP/1.0 scripts do: connect, send the request,
shutdown(SHUT_WR), read to EOF. Prints one line per request: the body length and its SHA-256."""
import hashlib
import socket
import sys

host, port, path, version, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
for _ in range(count):
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(f"GET {path} HTTP/{version}\r\nHost: {host}\r\n\r\n".encode())
    s.shutdown(socket.SHUT_WR)
    data = bytearray()
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    s.close()
    body = bytes(data[data.find(b"\r\n\r\n") + 4:])
    print(len(body), hashlib.sha256(body).hexdigest(), flush=True)
