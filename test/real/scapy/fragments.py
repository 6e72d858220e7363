"""Crafted IPv4 fragments against pilha, for the real-peer tests.

Usage: fragments.py DST MODE [WAIT_SECONDS]
MODE: reverse | random | duplicate | overlap | missing | toobig
Sends an ICMP echo request of about 8 KB as fragments in the given way, through a raw IP socket
(scapy's L3RawSocket, IP_HDRINCL: the kernel sends each fragment as built), and listens on a raw ICMP
socket (the kernel reassembles pilha's fragmented replies) for WAIT_SECONDS. Prints one JSON line.
Only ever targets DST, an address inside the test's own network namespace.
"""
import json
import random
import socket
import struct
import sys
import time

from scapy.all import ICMP, IP, L3RawSocket, Raw, conf, fragment, send

conf.L3socket = L3RawSocket
conf.verb = 0

dst, mode = sys.argv[1], sys.argv[2]
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
rng = random.Random(1234)
ip_id = rng.randrange(1, 0xFFFF)
icmp_id = rng.randrange(1, 0xFFFF)
data = bytes((i * 7 + 3) & 0xFF for i in range(8000))

packet = IP(dst=dst, id=ip_id) / ICMP(type=8, id=icmp_id, seq=1) / Raw(data)
frags = fragment(packet, fragsize=1480)

if mode == "reverse":
    order = list(reversed(frags))
elif mode == "random":
    order = frags[:]
    rng.shuffle(order)
    if order == frags:
        order.reverse()
elif mode == "duplicate":
    # Every fragment twice, shuffled, all before the one that completes the datagram.
    head = frags[:-1] * 2
    rng.shuffle(head)
    order = head + [frags[-1]]
elif mode == "overlap":
    # A second copy of fragment 1 carrying different bytes over the same range.
    evil = frags[1].copy()
    evil[Raw].load = bytes(b ^ 0xFF for b in bytes(evil[Raw].load))
    order = [frags[0], frags[1], evil] + frags[2:]
elif mode == "missing":
    order = frags[:2] + frags[3:]
elif mode == "toobig":
    # Ping of death: the last fragment ends past 65,535 bytes.
    first = IP(dst=dst, id=ip_id, flags="MF", frag=0, proto=1) / Raw(bytes(ICMP(type=8, id=icmp_id, seq=1)) + data[:1472])
    last = IP(dst=dst, id=ip_id, flags=0, frag=65528 // 8, proto=1) / Raw(data[:100])
    order = [first, last]
else:
    sys.exit(f"unknown mode {mode}")

listener = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
listener.settimeout(0.2)
for f in order:
    send(f)

replies = 0
reply_data_ok = True
errors = []
deadline = time.time() + wait
while time.time() < deadline:
    try:
        raw, (src, _) = listener.recvfrom(70000)
    except socket.timeout:
        continue
    if src != dst:
        continue
    ihl = (raw[0] & 0x0F) * 4
    icmp_type, code = raw[ihl], raw[ihl + 1]
    if icmp_type == 0:
        rid, rseq = struct.unpack("!HH", raw[ihl + 4 : ihl + 8])
        if rid == icmp_id and rseq == 1:
            replies += 1
            reply_data_ok = reply_data_ok and raw[ihl + 8 :] == data
    elif icmp_type in (3, 11, 12):
        quoted_id = struct.unpack("!H", raw[ihl + 8 + 4 : ihl + 8 + 6])[0]
        errors.append({"type": icmp_type, "code": code, "quotedId": quoted_id, "ours": quoted_id == ip_id})

print(json.dumps({"mode": mode, "sent": len(order), "replies": replies, "replyDataOk": reply_data_ok, "errors": errors}))
