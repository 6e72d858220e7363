/**
 * Whether the `length` bytes at `at` are an IPv4 TCP segment opening a connection (SYN without ACK): a
 * classifier's peek, as a priority qdisc makes, not a parse (the IP layer still checks everything). Anything
 * short, odd, fragmented past its first piece, or not IPv4 TCP is "no". The fd reader uses it to drop new
 * connection requests first when its backlog is long.
 */
export declare function isConnectionRequest(bytes: Uint8Array, at: number, length: number): boolean;
/**
 * isConnectionRequest for a link of `linkHeaderBytes`-byte headers before the IP datagram: 0 for an IP link,
 * 14 for an Ethernet one (then only untagged IPv4 frames can be one; a VLAN-tagged frame is "no").
 */
export declare function isConnectionRequestOnLink(bytes: Uint8Array, at: number, length: number, linkHeaderBytes: number): boolean;
