import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { encodeIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, NO_TCP_OPTIONS, TcpFlags } from '../../../src/transport/tcp/wire/tcp-header.js';

export const LOCALHOST = parseIpv4('127.0.0.1');

/** An IPv4 datagram carrying one TCP segment with a correct checksum, as a local program would send it. */
export function tcpDatagram(
  o: {
    src?: number;
    dst?: number;
    srcPort?: number;
    dstPort?: number;
    payload?: Uint8Array;
    protocol?: number;
    moreFragments?: boolean;
    fragmentOffset?: number;
    flags?: number;
  } = {},
): Uint8Array {
  const src = o.src ?? LOCALHOST;
  const dst = o.dst ?? LOCALHOST;
  const segment = encodeTcpSegment(
    {
      srcPort: o.srcPort ?? 40_000,
      dstPort: o.dstPort ?? 7000,
      seq: seq(1000),
      ack: seq(2000),
      flags: o.flags ?? TcpFlags.ACK,
      window: 512,
      urgentPointer: 0,
      options: NO_TCP_OPTIONS,
      payload: o.payload ?? new Uint8Array(0),
    },
    src,
    dst,
  );
  return encodeIpv4(
    {
      id: 1,
      ttl: 64,
      protocol: o.protocol ?? 6,
      src,
      dst,
      ...(o.moreFragments !== undefined ? { moreFragments: o.moreFragments } : {}),
      ...(o.fragmentOffset !== undefined ? { fragmentOffset: o.fragmentOffset } : {}),
    },
    segment,
  );
}
