"""Opens COUNT idle TCP connections to HOST:PORT with the kernel's TCP, prints "open N" once they are all
connected, then, when stdin closes, closes them all at once (a FIN each, back to back) and prints "closed N"."""
import resource
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < count + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
sockets = [socket.create_connection((host, port), timeout=10) for _ in range(count)]
print("open", len(sockets), flush=True)
sys.stdin.read()
for s in sockets:
    s.close()
print("closed", len(sockets), flush=True)
