/**
 * struct virtio_net_hdr (<linux/virtio_net.h>), the 10 bytes a TUN device opened with IFF_VNET_HDR puts before
 * every packet, both ways: whether the packet's checksum is unfinished (NEEDS_CSUM, with where to finish it)
 * and whether it is a GSO "super-packet" the other side cuts into segments of `gsoSize` payload bytes.
 *
 * The fields are in the device's byte order, which for a TUN device is the host's unless TUNSETVNETLE/BE
 * says otherwise; pilha runs on little-endian hosts (x86-64, arm64) and sets neither, so little-endian.
 */
/** sizeof(struct virtio_net_hdr): the default TUNSETVNETHDRSZ. */
export declare const VIRTIO_NET_HDR_SIZE = 10;
/** flags: the checksum is partial; the reader finishes it from csumStart to the end, into csumStart + csumOffset. */
export declare const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
/** flags: the checksum was already verified. */
export declare const VIRTIO_NET_HDR_F_DATA_VALID = 2;
export declare const VIRTIO_NET_HDR_GSO_NONE = 0;
export declare const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export declare const VIRTIO_NET_HDR_GSO_UDP = 3;
export declare const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
/** gso_type bit: the segments carry ECN's CWR as the first one does. */
export declare const VIRTIO_NET_HDR_GSO_ECN = 128;
export interface VirtioNetHeader {
    readonly flags: number;
    readonly gsoType: number;
    /** Bytes of headers (IP and TCP) copied into every segment. */
    readonly hdrLen: number;
    /** Payload bytes per segment. */
    readonly gsoSize: number;
    /** Where the checksummed bytes begin (the TCP header's offset). */
    readonly csumStart: number;
    /** Where the checksum field is, from csumStart (16 for TCP). */
    readonly csumOffset: number;
}
/** A header of zeros: a plain packet with a finished checksum. */
export declare const PLAIN_VIRTIO_NET_HEADER: VirtioNetHeader;
/** Writes `header` into `out[offset, offset + 10)`. */
export declare function encodeVirtioNetHeader(header: VirtioNetHeader, out: Uint8Array, offset?: number): void;
/** The header at `bytes[offset]`, or undefined when fewer than 10 bytes are there. */
export declare function decodeVirtioNetHeader(bytes: Uint8Array, offset?: number): VirtioNetHeader | undefined;
export declare function le16(bytes: Uint8Array, offset: number): number;
export declare function putLe16(out: Uint8Array, offset: number, value: number): void;
