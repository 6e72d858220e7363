import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import { tcpPseudoHeaderSum } from '../../../../src/layers/link/offload/tcp-super-segment.js';
import {
  encodeVirtioNetHeader,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';
import { writeTcpHeader } from '../../../../src/transport/tcp/wire/tcp-segment-writer.js';

const SRC = parseIpv4('10.77.0.1');
const DST = parseIpv4('10.77.0.2');

/**
 * A read from a TUN device with IFF_VNET_HDR as the kernel gives it for its own TCP segment: the header
 * (NEEDS_CSUM from the TCP header on, GSO when the payload is more than one 1448-byte segment), then an IPv4
 * TCP datagram with `payloadLength` bytes whose checksum field holds the folded pseudo-header sum.
 */
export function partialTcpRead(payloadLength: number): { read: Uint8Array; packet: Uint8Array } {
  const length = 40 + payloadLength;
  const read = new Uint8Array(VIRTIO_NET_HDR_SIZE + length);
  const d = read.subarray(VIRTIO_NET_HDR_SIZE);
  writeIpv4Header(d, 0, 20, 0, length, 7, 0x4000, 64, 6, SRC, DST);
  finishIpv4Checksum(d, 0, 20);
  writeTcpHeader(d, 20, 40000, 7000, 1, 2, 0x10, 500, 0);
  for (let i = 0; i < payloadLength; i++) d[40 + i] = (i * 13) & 0xff;
  const sum = tcpPseudoHeaderSum(d, length - 20);
  d[36] = sum >>> 8;
  d[37] = sum & 0xff;
  const gso = payloadLength > 1448;
  encodeVirtioNetHeader(
    {
      flags: VIRTIO_NET_HDR_F_NEEDS_CSUM,
      gsoType: gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE,
      hdrLen: 40,
      gsoSize: gso ? 1448 : 0,
      csumStart: 20,
      csumOffset: 16,
    },
    read,
    0,
  );
  return { read, packet: d.slice() };
}
