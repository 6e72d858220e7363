import { type Ipv4HeaderFields } from './ipv4-header.js';
/**
 * Splits a payload into fragments that each fit `mtu` (RFC 791 §3.2): every fragment but the last
 * carries a multiple of 8 bytes, offsets are in 8-byte units, MF is set on all but the last,
 * and only options with the copied flag go past the first fragment.
 * `fields.fragmentOffset`/`moreFragments` describe the datagram being split (it may itself be a fragment).
 */
export declare function fragmentIpv4(fields: Omit<Ipv4HeaderFields, 'totalLength'>, payload: Uint8Array, mtu: number): Uint8Array[];
