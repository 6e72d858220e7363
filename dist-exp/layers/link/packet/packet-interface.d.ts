import { type Ipv4Address } from '../../../core/ipv4-address.js';
import { type MacAddress } from '../../../core/mac-address.js';
export interface PacketInterface {
    readonly name: string;
    /** The interface's own MAC (/sys/class/net/NAME/address). */
    readonly mac: MacAddress;
    /** The interface's MTU (/sys/class/net/NAME/mtu). */
    readonly mtu: number;
    /** Whether the interface is administratively up. */
    readonly up: boolean;
}
/** Reads the interface `name` of this network namespace; a missing one throws ERAWLINK with the way out. */
export declare function readPacketInterface(name: string): PacketInterface;
/** An IPv4 address of an interface of this namespace, as `ip -o -4 addr show` lists them. */
export interface InterfaceAddress {
    readonly name: string;
    readonly address: string;
}
/**
 * Every IPv4 address of this network namespace, down interfaces included (`ip -o -4 addr show`;
 * os.networkInterfaces() lists only interfaces that are up, and the check must not miss one brought up later).
 */
export declare function readInterfaceAddresses(): InterfaceAddress[];
/** The lines of `ip -o -4 addr show`: "2: eth0    inet 10.0.0.2/24 brd ... scope global eth0\ ...". */
export declare function parseIpAddrShow(text: string): InterfaceAddress[];
/**
 * Throws when an interface of this network namespace has `address`: the kernel would then answer ARP requests
 * for it (Linux answers for any local address on any interface) and take pilha's traffic.
 */
export declare function checkAddressNotLocal(address: Ipv4Address, device: string, addresses?: readonly InterfaceAddress[]): void;
/** Brings the interface up (`ip link set dev NAME up`). */
export declare function bringUp(name: string): void;
/**
 * Receive offloads that would hand a packet socket frames that are not on the wire: GRO and LRO merge
 * segments into super-frames beyond the MTU. Turned off with ethtool on pilha's interface; whether it worked
 * is returned (false when ethtool is missing or the driver refuses), since PacketLink still copes: it drops
 * oversized frames under a counter.
 */
export declare function disableReceiveOffloads(name: string): boolean;
/**
 * The name of the other end of a veth pair when it is in this network namespace (`ip -o link show` prints
 * "veth-pilha@veth-host"; a peer elsewhere shows as "@if5"), else undefined.
 */
export declare function localVethPeer(name: string): string | undefined;
/** Whether the interface is one end of a pair whose other end is in another namespace ("NAME@ifN"). */
export declare function hasRemotePeer(name: string): boolean;
export declare function parseVethPeer(ipLinkLine: string, name: string): string | undefined;
export declare function parseRemotePeer(ipLinkLine: string, name: string): boolean;
/**
 * Transmit offloads of the kernel's end that a packet socket would see undone: segmentation offload hands
 * the veth 64 KB TCP super-frames (measured: frames of 65,226 bytes at pilha's end) and checksum offload
 * leaves TCP checksums unfinished. Turned off with ethtool (`tso off gso off tx off`); false when that failed.
 */
export declare function disableTransmitOffloads(name: string): boolean;
