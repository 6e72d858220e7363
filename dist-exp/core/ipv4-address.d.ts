/** An IPv4 address as an unsigned 32-bit integer: cheap to compare, hash and put in a header. */
export type Ipv4Address = number;
export declare function parseIpv4(text: string): Ipv4Address;
export declare function formatIpv4(addr: Ipv4Address): string;
export interface Ipv4Prefix {
    readonly address: Ipv4Address;
    readonly length: number;
}
/** Parses "10.0.0.1/24"; a bare address gets `defaultLength`. */
export declare function parseIpv4Prefix(text: string, defaultLength?: number): Ipv4Prefix;
export declare function prefixMask(length: number): number;
export declare function sameSubnet(a: Ipv4Address, b: Ipv4Address, length: number): boolean;
