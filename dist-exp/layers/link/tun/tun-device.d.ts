import { type Ipv4Address } from '../../../core/ipv4-address.js';
import { type Libc } from '../fd/libc.js';
export declare const TUNSETIFF = 1074025674;
export declare const IFF_TUN = 1;
/** A TAP device: each read and write is one whole Ethernet frame (no FCS). */
export declare const IFF_TAP = 2;
export declare const IFF_NO_PI = 4096;
/** Every read and write starts with a struct virtio_net_hdr (offload/virtio-net-header.ts). */
export declare const IFF_VNET_HDR = 16384;
/** _IOW('T', 208, unsigned int): which offloads the reader (pilha) accepts in what the kernel sends it. */
export declare const TUNSETOFFLOAD = 1074025680;
/** Partial checksums (NEEDS_CSUM) may be sent to pilha. */
export declare const TUN_F_CSUM = 1;
/** TCP over IPv4 GSO packets may be sent to pilha (needs TUN_F_CSUM). */
export declare const TUN_F_TSO4 = 2;
export declare const TUN_F_TSO6 = 4;
/** IFNAMSIZ: the name field of struct ifreq, NUL included. */
export declare const IFNAMSIZ = 16;
/** sizeof(struct ifreq) on 64-bit Linux: the name plus a 24-byte union, of which we use `short ifr_flags`. */
export declare const IFREQ_SIZE = 40;
export interface TunDevice {
    /** The open /dev/net/tun file descriptor, attached to the device (blocking until a reader sets O_NONBLOCK). */
    readonly fd: number;
    /** The name the kernel gave the device (`tun%d` patterns are expanded). */
    readonly name: string;
}
/** 'tun': a device of IP datagrams; 'tap': one of Ethernet frames. */
export type TunKind = 'tun' | 'tap';
/**
 * Creates (or attaches to) the TUN device `name` in the current network namespace: IFF_TUN | IFF_NO_PI,
 * so each read and write is exactly one IP datagram; with kind 'tap', IFF_TAP | IFF_NO_PI, one Ethernet frame.
 * The device lives as long as the fd stays open.
 */
export declare function openTunDevice(name: string, kind?: TunKind, vnetHeader?: boolean): TunDevice;
/**
 * TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) on a device opened with IFF_VNET_HDR: the kernel may then
 * hand pilha unfinished checksums and TCP GSO packets of up to 64 KB. Returns 0, or the errno when the kernel
 * refuses (then it sends finished, MTU-sized packets as before).
 */
export declare function enableTunOffload(fd: number, libc: Libc): number;
/**
 * The device's txqueuelen: the kernel's queue of datagrams waiting for pilha to read them (TUN's default is
 * 500). Measured with 64 parallel wgets on a loaded 2-core machine: 1000 still dropped 3,807 packets while
 * pilha's reader was descheduled, 4096 and 10000 none. 4096 datagrams hold ~40 ms of ACKs at 100k/s.
 */
export declare const DEFAULT_TUN_TX_QUEUE_LENGTH = 4096;
export interface TunConfig {
    readonly name: string;
    readonly mtu: number;
    /** The device's txqueuelen (DEFAULT_TUN_TX_QUEUE_LENGTH when absent). */
    readonly txQueueLength?: number;
    /** The kernel's (host side) address on the device; pilha uses another address of the same subnet. */
    readonly hostAddress: Ipv4Address;
    readonly prefixLength: number;
}
/** Sets the MTU and txqueuelen, brings the device up and adds the host address (`ip link set`, `ip addr add`). */
export declare function configureTunDevice(config: TunConfig): void;
/** Throws ETUN for an MTU or prefix length that `ip` would reject, before anything is created. */
export declare function checkTunConfig(config: TunConfig): void;
/**
 * A counter of the device in this network namespace (/sys/class/net/NAME/statistics/COUNTER), or undefined
 * when it cannot be read. tx_dropped counts the datagrams the kernel dropped on their way to pilha.
 */
export declare function readDeviceCounter(name: string, counter: 'tx_dropped' | 'tx_packets'): number | undefined;
