/** Wire format of ICMP messages (RFC 792). Pure: no I/O. */
export declare const ICMP_ECHO_REPLY = 0;
export declare const ICMP_DEST_UNREACHABLE = 3;
export declare const ICMP_SOURCE_QUENCH = 4;
export declare const ICMP_REDIRECT = 5;
export declare const ICMP_ECHO_REQUEST = 8;
export declare const ICMP_TIME_EXCEEDED = 11;
export declare const ICMP_PARAMETER_PROBLEM = 12;
export declare const UNREACHABLE_NET = 0;
export declare const UNREACHABLE_HOST = 1;
export declare const UNREACHABLE_PROTOCOL = 2;
export declare const UNREACHABLE_PORT = 3;
export declare const UNREACHABLE_FRAGMENTATION_NEEDED = 4;
export declare const TIME_EXCEEDED_TTL = 0;
export declare const TIME_EXCEEDED_REASSEMBLY = 1;
export declare const ICMP_HEADER = 8;
export interface IcmpMessage {
    readonly type: number;
    readonly code: number;
    /** The 4 bytes after the checksum: id and sequence for echo, unused or next-hop MTU for errors. */
    readonly rest: number;
    /** Everything after the 8-byte header: echo data, or the quoted datagram of an error. */
    readonly body: Uint8Array;
}
export type IcmpParseError = 'truncated' | 'bad-checksum';
export declare function parseIcmp(bytes: Uint8Array): IcmpMessage | IcmpParseError;
/** Encodes a message into a new buffer, checksum included. */
export declare function encodeIcmp(message: IcmpMessage): Uint8Array;
export declare function echoRest(id: number, seq: number): number;
export declare function echoId(message: IcmpMessage): number;
export declare function echoSeq(message: IcmpMessage): number;
export declare function isIcmpError(type: number): boolean;
