"""Frames pilha's Ethernet layer must drop, or must survive, put on the kernel's end of pilha's link.

Usage: ethernet-frames.py IFACE PILHA_IP PILHA_MAC MODE COUNT
  other-mac   COUNT IPv4 echo requests to PILHA_IP, unicast to a MAC that is not pilha's (scapy)
  ethertype   COUNT frames to PILHA_MAC with EtherType 0x88b5 (IEEE local experimental) (scapy)
  vlan        COUNT IPv4 echo requests to PILHA_IP at PILHA_MAC, tagged for VLAN 5 (802.1Q) (scapy)
  broadcast-udp  COUNT UDP datagrams to PILHA_IP in frames to the broadcast MAC: no ICMP error may answer them
              (RFC 1122 §3.2.2), where one to PILHA_MAC gets Protocol Unreachable (pilha has no UDP) (scapy)
  arp-locktime  an ARP request to PILHA_IP from 10.79.0.9 at 02:00:00:00:0a:01 (pilha learns it), and 10 ms later
              one from 10.79.0.9 at 02:00:00:00:0a:02 for 10.79.0.77: within Linux's locktime, so ignored (scapy)
  arp-flood   COUNT ARP requests for PILHA_IP from COUNT made-up senders (each a random locally administered
              MAC and an address of 10.128.0.0/9), packed by hand and sent through an AF_PACKET socket
              (scapy is too slow for 100,000)
Prints one JSON line: the mode, the count sent and the rate. Refuses to run outside a pilha-* namespace.
"""
import json
import random
import socket
import struct
import sys
import time

from netns_guard import require_pilha_namespace

require_pilha_namespace("ethernet-frames.py")

iface, pilha_ip, pilha_mac, mode, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
started = time.monotonic()

if mode in ("other-mac", "ethertype", "vlan", "broadcast-udp"):
    from scapy.all import ICMP, IP, UDP, Dot1Q, Ether, Raw, get_if_hwaddr, sendp

    src = get_if_hwaddr(iface)
    if mode == "other-mac":
        frame = Ether(src=src, dst="02:00:5e:10:20:30") / IP(dst=pilha_ip) / ICMP(id=77) / Raw(b"not for you")
    elif mode == "broadcast-udp":
        frame = Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / IP(dst=pilha_ip) / UDP(sport=40000, dport=40001) / Raw(b"broadcast")
    elif mode == "vlan":
        frame = Ether(src=src, dst=pilha_mac) / Dot1Q(vlan=5) / IP(dst=pilha_ip) / ICMP(id=78) / Raw(b"vlan 5")
    else:
        frame = Ether(src=src, dst=pilha_mac, type=0x88B5) / Raw(b"\x00" * 46)
    sendp([frame] * count, iface=iface, verbose=False)
elif mode == "arp-locktime":
    from scapy.all import ARP, Ether, sendp

    def request(mac, pdst):
        return Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc="10.79.0.9", pdst=pdst)

    sendp(request("02:00:00:00:0a:01", pilha_ip), iface=iface, verbose=False)
    time.sleep(0.01)
    sendp(request("02:00:00:00:0a:02", "10.79.0.77"), iface=iface, verbose=False)
elif mode == "arp-flood":
    rng = random.Random(7)
    out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    out.bind((iface, 0))
    target_ip = socket.inet_aton(pilha_ip)
    dst = bytes.fromhex(pilha_mac.replace(":", ""))
    sent = 0
    for i in range(count):
        mac = bytes([0x02, rng.randrange(256), rng.randrange(256), (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
        ip = struct.pack("!I", (10 << 24) | (1 << 23) | (i & 0x7FFFFF))
        # To pilha's MAC or broadcast alternately: both reach the ARP code.
        to = dst if i % 2 == 0 else b"\xff" * 6
        frame = to + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + b"\x00" * 6 + target_ip
        while True:
            try:
                out.send(frame + b"\x00" * 18)
                break
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as e:
                if e.errno != 105:  # ENOBUFS: the device queue is full, try again
                    raise
                time.sleep(0.001)
        sent += 1
else:
    sys.exit(f"unknown mode {mode}")

elapsed = time.monotonic() - started
print(json.dumps({"mode": mode, "sent": count, "seconds": round(elapsed, 3), "rate": round(count / max(elapsed, 1e-6))}))
