"""Crafted IPv4 datagrams against pilha, for the real-peer tests: what the kernel's own stack would never send.

Usage: crafted.py IFACE DST MODE [ARGS...]
MODE:
  sources SRC...    an ICMP echo request and a TCP SYN (port 80) from each spoofed source SRC
  ttl               ICMP echo requests with TTL 0 and TTL 1 (a host must accept both, RFC 1122 §3.2.1.7)
  longheader        an ICMP echo request of 65,500 bytes as fragments whose first carries a 60-byte header
                    (40 bytes of NOP options): 20 + 65,500 fits IPv4, 60 + 65,500 does not
  longheader-fits   the same with 65,475 bytes: 60 + 65,475 = 65,535, which fits
Packets are built with scapy and written as they are to the TUN device IFACE through an AF_PACKET socket
(not routed, so the kernel neither fills in nor rejects the spoofed fields); replies are read from a raw ICMP
socket for a second. Prints one JSON line. Refuses to run outside a pilha-* network namespace: only ever
targets DST, an address inside the test's own namespace.
"""
import json
import random
import socket
import struct
import sys
import time

from netns_guard import require_pilha_namespace

from scapy.all import ICMP, IP, TCP, IPOption_NOP, Raw

ETH_P_IP = 0x0800

require_pilha_namespace("crafted.py")

iface, dst, mode = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
rng = random.Random(4321)
icmp_id = rng.randrange(1, 0xFFFF)
out = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
listener = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
listener.settimeout(0.2)


def put(packet):
    out.sendto(bytes(packet), (iface, ETH_P_IP))


def long_header_fragments(icmp_length):
    """An echo request of icmp_length bytes cut at the MTU, the first fragment with 40 bytes of options."""
    data = bytes((i * 13 + 5) & 0xFF for i in range(icmp_length - 8))
    icmp = bytes(ICMP(type=8, id=icmp_id, seq=1) / Raw(data))
    ip_id = rng.randrange(1, 0xFFFF)
    frags = []
    at = 0
    while at < len(icmp):
        first = at == 0
        room = (1500 - (60 if first else 20)) & ~7
        piece = icmp[at : at + room]
        more = at + len(piece) < len(icmp)
        frags.append(
            IP(
                src="10.77.0.1",
                dst=dst,
                id=ip_id,
                proto=1,
                flags="MF" if more else 0,
                frag=at // 8,
                options=[IPOption_NOP()] * 40 if first else [],
            )
            / Raw(piece)
        )
        at += len(piece)
    return data, frags


expected = {}
if mode == "sources":
    for n, src in enumerate(args):
        put(IP(src=src, dst=dst, id=100 + n) / ICMP(type=8, id=icmp_id, seq=n) / Raw(b"pilha"))
        put(IP(src=src, dst=dst, id=200 + n) / TCP(sport=40000 + n, dport=80, flags="S", seq=1000))
elif mode == "ttl":
    for ttl in (0, 1):
        put(IP(src="10.77.0.1", dst=dst, ttl=ttl, id=300 + ttl) / ICMP(type=8, id=icmp_id, seq=ttl) / Raw(b"ttl"))
        expected[ttl] = b"ttl"
elif mode in ("longheader", "longheader-fits"):
    data, frags = long_header_fragments(65_500 if mode == "longheader" else 65_475)
    for f in frags:
        put(f)
    expected[1] = data
else:
    sys.exit(f"unknown mode {mode}")

replies = []
data_ok = True
deadline = time.time() + 1.0
while time.time() < deadline:
    try:
        raw, (src, _) = listener.recvfrom(70000)
    except socket.timeout:
        continue
    if src != dst:
        continue
    ihl = (raw[0] & 0x0F) * 4
    if raw[ihl] != 0:
        continue
    rid, rseq = struct.unpack("!HH", raw[ihl + 4 : ihl + 8])
    if rid != icmp_id:
        continue
    replies.append(rseq)
    if rseq in expected:
        data_ok = data_ok and raw[ihl + 8 :] == expected[rseq]

print(json.dumps({"mode": mode, "replies": sorted(replies), "replyDataOk": data_ok}))
