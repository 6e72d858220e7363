import type { Ipv4Address } from '../../../core/ipv4-address.js';
import type { IPLayer } from '../../../layers/ip/ip-layer.js';
import { type Seq } from '../wire/seq.js';
/** What the batcher needs of the network layer. */
export type TcpBatchNetwork = Pick<IPLayer, 'allocateDatagram' | 'sendDatagram' | 'sendSegmented' | 'segmentationMaxBytes'>;
/** Segments per super-segment at most (Linux's TSO autosizing stays well below its 64 KB for small MSS too). */
export declare const MAX_BATCH_SEGMENTS = 64;
export declare class TcpSegmentBatcher {
    private readonly network;
    /** The pending super-segment's buffer (header at 0): a continuing segment's payload is copied into it. */
    datagram: Uint8Array;
    /** Whether `datagram` is kept as sent (a slab's), so that the send queue may keep views of it. */
    datagramKept: boolean;
    /** Super-segments of two segments or more handed to the link, and the segments they carried. */
    superSegments: number;
    batchedSegments: number;
    private readonly maxBytes;
    private owner;
    private src;
    private dst;
    private headersEnd;
    private length;
    private nextSeq;
    private segmentSize;
    private lastLength;
    private count;
    private flags;
    private ack;
    private window;
    private tsVal;
    private tsEcr;
    private scheduled;
    private slab;
    /** Where the next super-segment goes in `slab` (the pending one, if any, starts here). */
    private slabUsed;
    private readonly flushTask;
    constructor(network: TcpBatchNetwork);
    /**
     * Adds a data segment of `owner` to the pending super-segment if it continues it, and returns the offset in
     * `datagram` where its `dataLength` payload bytes go (the caller copies them there); -1 when it does not
     * continue it (the caller then flushes and starts a new one).
     */
    append(owner: object, seq: Seq, flags: number, ack: number, window: number, tsVal: number, tsEcr: number, tcpHeaderLength: number, dataLength: number): number;
    /**
     * Begins a super-segment with this first segment (after a flush): returns the buffer, into which the caller
     * writes the TCP header at offset 20, its options, and the payload after them, then no checksum and no send.
     * With `keep`, the buffer is one that is never reused (datagramKept).
     */
    start(owner: object, src: Ipv4Address, dst: Ipv4Address, seq: Seq, flags: number, ack: number, window: number, tsVal: number, tsEcr: number, tcpHeaderLength: number, dataLength: number, keep?: boolean): Uint8Array;
    /** Sends the pending super-segment, if any: alone as an ordinary segment, or for the link to cut. */
    flush(): void;
}
