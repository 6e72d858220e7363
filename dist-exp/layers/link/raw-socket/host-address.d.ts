import { networkInterfaces } from 'node:os';
import { type Ipv4Address } from '../../../core/ipv4-address.js';
export interface LocalInterface {
    readonly name: string;
}
type Interfaces = ReturnType<typeof networkInterfaces>;
/** The interface of this network namespace that has `address`, or undefined when none has it. */
export declare function findLocalInterface(address: Ipv4Address, interfaces?: Interfaces): LocalInterface | undefined;
/** An interface's MTU from sysfs (loopback's is 65536), or undefined when it cannot be read. */
export declare function readInterfaceMtu(name: string): number | undefined;
/** A listening kernel socket, from /proc/net/tcp or /proc/net/tcp6. */
export interface KernelListener {
    /** Dotted IPv4, or the IPv6 address in hex words as /proc writes it ('::' for the wildcard). */
    readonly address: string;
    readonly port: number;
    readonly family: 4 | 6;
}
/**
 * The listening sockets in a /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6) table. Addresses there
 * are the kernel's in-memory words printed in hex, so on a little-endian host each 32-bit word reads
 * backwards; `littleEndian` says which.
 */
export declare function parseKernelListeners(table: string, family: 4 | 6, littleEndian?: boolean): KernelListener[];
/**
 * The kernel listener that would take connections to `address:port` away from pilha: one on the address
 * itself or on 0.0.0.0, or an IPv6 one on '::' (dual-stack, as node's default) or on the IPv4-mapped address.
 */
export declare function conflictingListener(address: Ipv4Address, port: number, listeners: readonly KernelListener[]): KernelListener | undefined;
/** The listening sockets of this network namespace (an unreadable table counts as empty). */
export declare function readKernelListeners(): KernelListener[];
export {};
