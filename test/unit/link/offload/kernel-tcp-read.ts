import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import {
  encodeVirtioNetHeader,
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';

export const ACK = 0x10;
export const PSH = 0x08;
export const FIN = 0x01;
export const SERVER = parseIpv4('10.77.0.1');
export const CLIENT = parseIpv4('10.77.0.2');

export interface KernelTcpRead {
  readonly seq: number;
  readonly payloadLength: number;
  readonly flags?: number;
  readonly srcPort?: number;
  readonly ack?: number;
  readonly window?: number;
  readonly tsVal?: number;
  readonly tos?: number;
  readonly ttl?: number;
  /** A 4-byte IP option (NOP NOP NOP EOL) after the IP header. */
  readonly ipOptions?: boolean;
  /** The virtio_net_hdr's flags: DATA_VALID (the kernel verified the checksum) unless given. */
  readonly vnetFlags?: number;
}

/** The byte a stream carries at sequence number `seq`: a run's payload can be checked against it. */
export function streamByte(seq: number): number {
  return (seq * 7 + 3) & 0xff;
}

/**
 * A read from a TUN device with IFF_VNET_HDR as the kernel gives it for a segment of its own TCP sender, from
 * 10.77.0.1:7000 (`srcPort`) to 10.77.0.2:40000: the virtio_net_hdr (DATA_VALID, GSO for more than 1448 bytes),
 * a 20-byte IP header (24 with `ipOptions`), a TCP header with timestamps (32 bytes), then `payloadLength` bytes
 * of streamByte().
 */
export function kernelTcpRead(o: KernelTcpRead): Uint8Array {
  const ip = o.ipOptions === true ? 24 : 20;
  const headers = ip + 32;
  const length = headers + o.payloadLength;
  const read = new Uint8Array(VIRTIO_NET_HDR_SIZE + length);
  const gso = o.payloadLength > 1448;
  encodeVirtioNetHeader(
    {
      flags: o.vnetFlags ?? VIRTIO_NET_HDR_F_DATA_VALID,
      gsoType: gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE,
      hdrLen: headers,
      gsoSize: gso ? 1448 : 0,
      csumStart: ip,
      csumOffset: 16,
    },
    read,
    0,
  );
  const d = read.subarray(VIRTIO_NET_HDR_SIZE);
  writeIpv4Header(d, 0, ip, o.tos ?? 0, length, 1, 0x4000, o.ttl ?? 64, 6, SERVER, CLIENT);
  if (ip > 20) d.set([1, 1, 1, 0], 20);
  finishIpv4Checksum(d, 0, ip);
  const t = d.subarray(ip);
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  v.setUint16(0, o.srcPort ?? 7000);
  v.setUint16(2, 40000);
  v.setUint32(4, o.seq >>> 0);
  v.setUint32(8, o.ack ?? 1);
  t[12] = 8 << 4;
  t[13] = o.flags ?? ACK;
  v.setUint16(14, o.window ?? 500);
  // Checksum (16) left as the kernel leaves it for DATA_VALID: whatever it is, it is not checked.
  t.set([1, 1, 8, 10], 20);
  v.setUint32(24, o.tsVal ?? 100);
  v.setUint32(28, 7);
  for (let i = 0; i < o.payloadLength; i++) t[32 + i] = streamByte(o.seq + i);
  return read;
}
