"""A flood of tiny IPv4 fragments at pilha, to measure what partial datagrams cost it.

Usage: fragment-flood.py IFACE DST COUNT [SEED] [--whole]
Writes COUNT fragments of 8 bytes (MF set, each the only fragment of its datagram: ids and sources vary, and
offsets run from 0 to 65,000) to the TUN device IFACE through an AF_PACKET socket, as fast as it can. None
ever completes: each one is a partial datagram that pilha must hold, evict or time out. Headers are packed
by hand (scapy is too slow for hundreds of thousands of packets). Prints one JSON line with the count sent and
the rate. Refuses to run outside a pilha-* network namespace: only ever targets DST, an address inside the
test's own namespace.
"""
import json
import random
import socket
import struct
import sys
import time

from netns_guard import require_pilha_namespace

ETH_P_IP = 0x0800

require_pilha_namespace("fragment-flood.py")

args = [a for a in sys.argv[1:] if a != "--whole"]
# --whole: the same flood, but every datagram whole (no MF, offset 0): the control that shows what the
# flood itself costs the process (parsing, garbage), apart from what partial datagrams hold.
whole = "--whole" in sys.argv[1:]
iface, dst, count = args[0], args[1], int(args[2])
rng = random.Random(int(args[3]) if len(args) > 3 else 99)
dst_bytes = socket.inet_aton(dst)
out = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)


def checksum(header):
    total = sum(struct.unpack("!10H", header))
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


payload = bytes(range(8))
sent = 0
dropped = 0
start = time.time()
for i in range(count):
    ip_id = i & 0xFFFF
    # Sources 10.78.0.1 upwards (one per 65,536 ids): ordinary unicast addresses, never martian.
    src = struct.pack("!I", (10 << 24) | (78 << 16) | (1 + (i >> 16)))
    offset = rng.randrange(0, 8126) * 8
    frag = 0 if whole else 0x2000 | (offset >> 3)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, ip_id, frag, 64, 17, 0, src, dst_bytes)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    try:
        out.sendto(header + payload, (iface, ETH_P_IP))
        sent += 1
    except BlockingIOError:
        dropped += 1
    except OSError:
        # A full device queue (ENOBUFS): pilha reads more slowly than this loop writes. Count it, go on.
        dropped += 1
elapsed = time.time() - start
print(json.dumps({"sent": sent, "refused": dropped, "seconds": round(elapsed, 2), "perSecond": round(sent / elapsed)}))
