import type { Ipv4Address } from '../../../core/ipv4-address.js';
/**
 * Which datagrams a raw IPPROTO_TCP socket hands pilha: the socket sees every TCP segment the host receives,
 * and pilha takes only whole (unfragmented) IPv4 datagrams carrying TCP to its own address and one of its
 * claimed ports. Everything else is other programs' traffic, or pilha's own outgoing segments looping back
 * (those are *from* its port), and is none of pilha's business. Pure: bytes in, a yes or no out.
 */
export declare class RawReceiveFilter {
    readonly address: Ipv4Address;
    /** One byte per port: a lookup per datagram with no hashing. */
    private readonly claimed;
    constructor(address: Ipv4Address, ports: readonly number[]);
    accepts(datagram: Uint8Array): boolean;
}
