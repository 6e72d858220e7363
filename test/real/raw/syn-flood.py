"""Sends spoofed TCP SYNs as fast as a raw socket takes them, for the real-peer SYN flood test.

Run only inside a network namespace that the test created: every packet goes to DST, and every spoofed
source is a host of the namespace's own test subnet that nobody answers for (PREFIX.FIRST to PREFIX.LAST).
The packets are built before the first one is sent (distinct source address and port each, random ISNs,
half of them with Linux's SYN options), so the loop does nothing but send.

usage: syn-flood.py DST PORT COUNT PREFIX FIRST LAST [RATE]
RATE: SYNs per second, sent in bursts of 50; 0 or absent: as fast as the socket takes them.
prints "ready" once the packets are built, then "sent N in S s (R SYNs/s)"
"""

import random
import socket
import struct
import sys
import time


def fold(total: int) -> int:
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def words(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    return sum(struct.unpack(f"!{len(data) // 2}H", data))


def main() -> None:
    dst, port, count, prefix, first, last = sys.argv[1:7]
    port, count, first, last = int(port), int(count), int(first), int(last)
    rate = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
    dst_addr = socket.inet_aton(dst)
    rng = random.Random(4987)
    hosts = [socket.inet_aton(f"{prefix}.{h}") for h in range(first, last + 1)]
    # MSS 1460, SACK permitted, timestamps, window scale 7 (what Linux sends); or MSS 536 alone.
    linux_options = bytes.fromhex("020405b4") + bytes.fromhex("0402080a") + b"\0" * 8 + bytes.fromhex("01030307")
    bare_options = bytes.fromhex("02040218")
    packets = []
    for i in range(count):
        src = hosts[i % len(hosts)]
        sport = 1024 + (i // len(hosts)) % 64000
        options = bytearray(linux_options if i % 2 == 0 else bare_options)
        if i % 2 == 0:
            options[8:12] = struct.pack("!I", rng.getrandbits(32))
        isn = rng.getrandbits(32)
        tcp_len = 20 + len(options)
        tcp = bytearray(struct.pack("!HHIIBBHHH", sport, port, isn, 0, (tcp_len // 4) << 4, 0x02, 64240, 0, 0))
        tcp += options
        pseudo = src + dst_addr + struct.pack("!BBH", 0, 6, tcp_len)
        struct.pack_into("!H", tcp, 16, 0xFFFF - fold(words(pseudo) + words(bytes(tcp))))
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, i & 0xFFFF, 0, 64, 6, 0, src, dst_addr))
        struct.pack_into("!H", ip, 10, 0xFFFF - fold(words(bytes(ip))))
        packets.append(bytes(ip + tcp))
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    target = (dst, 0)
    sent = 0
    print("ready", flush=True)
    start = time.monotonic()
    for i, packet in enumerate(packets):
        if rate > 0 and i % 50 == 0:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            sock.sendto(packet, target)
            sent += 1
        except OSError:
            pass  # the socket refused it: that SYN is lost, as on a saturated link
    elapsed = time.monotonic() - start
    print(f"sent {sent} in {elapsed:.3f} s ({sent / elapsed:.0f} SYNs/s)", flush=True)


if __name__ == "__main__":
    main()
