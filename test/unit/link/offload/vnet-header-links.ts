import { silentLoggers } from '../../../../src/core/logger.js';
import type { MacAddress } from '../../../../src/core/mac-address.js';
import type { Libc } from '../../../../src/layers/link/fd/libc.js';
import type { OffloadState } from '../../../../src/layers/link/offload/vnet-header-link.js';
import { PacketLink } from '../../../../src/layers/link/packet/packet-link.js';
import { TunLink } from '../../../../src/layers/link/tun/tun-link.js';

export interface Write {
  readonly header: Uint8Array | undefined;
  readonly datagram: Uint8Array;
  /** Written as headers and payload apart (writev of three parts). */
  readonly parts?: boolean;
}

/** A libc whose writes are recorded; a GSO write fails with `gsoErrno` when set. */
export function fakeLibc(gsoErrno = 0) {
  const writes: Write[] = [];
  let errno = 0;
  const libc = {
    write: (_fd: number, buffer: Uint8Array, count: number) => {
      writes.push({ header: undefined, datagram: buffer.slice(0, count) });
      return count;
    },
    writeWithHead: (_fd: number, head: Uint8Array, headLength: number, buffer: Uint8Array, count: number) => {
      if (gsoErrno !== 0 && head[1] !== 0) {
        errno = gsoErrno;
        return -1;
      }
      writes.push({ header: head.slice(0, headLength), datagram: buffer.slice(0, count) });
      return headLength + count;
    },
    writeWithHeadAndTail: (_fd: number, head: Uint8Array, buffer: Uint8Array, tail: Uint8Array) => {
      if (gsoErrno !== 0 && head[1] !== 0) {
        errno = gsoErrno;
        return -1;
      }
      const datagram = new Uint8Array(buffer.length + tail.length);
      datagram.set(buffer, 0);
      datagram.set(tail, buffer.length);
      writes.push({ header: head.slice(), datagram, parts: true });
      return head.length + datagram.length;
    },
    errno: () => errno,
    strerror: () => 'error',
    // PacketLink's stats ask the socket for its drops: none here.
    getsockopt: () => -1,
  } as unknown as Libc;
  return { libc, writes };
}

/** A TunLink around a fake fd and libc: the send side alone, no device. */
export class TestTunLink extends TunLink {
  static make(libc: Libc, offload: OffloadState, mac?: MacAddress): TestTunLink {
    return new TestTunLink(-1, 'ptest0', 1500, 500, libc, silentLoggers().for('link'), mac, offload);
  }
}

/** A PacketLink around a fake fd and libc (by default as if PACKET_IGNORE_OUTGOING took): no socket. */
export class TestPacketLink extends PacketLink {
  static make(libc: Libc, offload: OffloadState, mac: MacAddress, ignoresOutgoing = true): TestPacketLink {
    return new TestPacketLink(
      -1,
      'ptest0',
      7,
      1500,
      mac,
      ignoresOutgoing,
      libc,
      silentLoggers().for('link'),
      offload,
    );
  }

  /** A frame as the reader hands it up (with its RX_* flags). */
  deliver(frame: Uint8Array, flags = 0): void {
    this.receive(frame, flags);
  }
}
