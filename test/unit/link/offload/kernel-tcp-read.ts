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
 * a 20-byte IP header, a TCP header with timestamps (32 bytes), then `payloadLength` bytes of streamByte().
 */
export function kernelTcpRead(o: KernelTcpRead): Uint8Array {
  const length = 52 + o.payloadLength;
  const read = new Uint8Array(VIRTIO_NET_HDR_SIZE + length);
  const gso = o.payloadLength > 1448;
  encodeVirtioNetHeader(
    {
      flags: o.vnetFlags ?? VIRTIO_NET_HDR_F_DATA_VALID,
      gsoType: gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE,
      hdrLen: 52,
      gsoSize: gso ? 1448 : 0,
      csumStart: 20,
      csumOffset: 16,
    },
    read,
    0,
  );
  const d = read.subarray(VIRTIO_NET_HDR_SIZE);
  writeIpv4Header(d, 0, 20, o.tos ?? 0, length, 1, 0x4000, 64, 6, SERVER, CLIENT);
  finishIpv4Checksum(d, 0, 20);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  v.setUint16(20, o.srcPort ?? 7000);
  v.setUint16(22, 40000);
  v.setUint32(24, o.seq >>> 0);
  v.setUint32(28, o.ack ?? 1);
  d[32] = 8 << 4;
  d[33] = o.flags ?? ACK;
  v.setUint16(34, o.window ?? 500);
  // Checksum (36) left as the kernel leaves it for DATA_VALID: whatever it is, it is not checked.
  d[40] = 1;
  d[41] = 1;
  d[42] = 8;
  d[43] = 10;
  v.setUint32(44, o.tsVal ?? 100);
  v.setUint32(48, 7);
  for (let i = 0; i < o.payloadLength; i++) d[52 + i] = streamByte(o.seq + i);
  return read;
}
