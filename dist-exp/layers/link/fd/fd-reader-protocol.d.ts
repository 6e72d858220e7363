export declare const CONTROL: {
    /** Set to 1 by the main thread to stop the worker (noticed within one poll timeout). */
    readonly STOP: 0;
    /** Batches posted and not yet consumed: the worker adds, the main thread subtracts and notifies. */
    readonly IN_FLIGHT: 1;
    /** Times a batch was ready but could not be posted because IN_FLIGHT was at its limit. */
    readonly STALLS: 2;
    /** Reads that failed with an error other than EAGAIN/EINTR. */
    readonly READ_ERRORS: 3;
    /** Bytes of the batches posted and not yet consumed: the worker adds, the main thread subtracts. */
    readonly IN_FLIGHT_BYTES: 4;
    /** The most bytes ever waiting for the main thread (in flight plus the batch being filled). */
    readonly PEAK_BYTES: 5;
    /** Datagrams read and dropped because the backlog held its byte limit (pilha's drop, not the kernel's). */
    readonly BACKLOG_DROPS: 6;
    /**
     * Connection requests (TCP SYN without ACK) dropped because the backlog would keep them waiting longer than
     * maxSynWaitMs (or held maxSynBacklogBytes).
     */
    readonly SYN_DROPS: 7;
    /** Bytes of batches the main thread has taken, ever (wrapping at 2^32): the worker's drain-rate meter. */
    readonly CONSUMED_BYTES: 8;
    /** The reader thread's nice value: the one it asked for once setpriority succeeded, else 0. */
    readonly NICE: 9;
    /** Reads that carried a GSO packet (a TUN device with offload): each one large TCP segment. */
    readonly GSO_READS: 10;
    /** Unfinished (NEEDS_CSUM) checksums the reader finished. */
    readonly CHECKSUMS_COMPLETED: 11;
    /** Reads dropped for a malformed virtio_net_hdr. */
    readonly VNET_DROPS: 12;
    /** Slots in the control array. */
    readonly SIZE: 13;
};
export interface FdReaderData {
    readonly fd: number;
    /** What the fd is, for error messages: 'TUN fd', 'raw socket'. */
    readonly label: string;
    readonly control: SharedArrayBuffer;
    readonly pollTimeoutMs: number;
    readonly maxBatchPackets: number;
    /** Bytes of datagrams (length prefixes included) after which a batch is posted. */
    readonly maxBatchBytes: number;
    /** Batches allowed in flight; a full batch waits (and later datagrams are dropped) beyond it. */
    readonly maxInFlight: number;
    /** Bytes (prefixes included) allowed to wait for the main thread; datagrams beyond it are dropped, counted. */
    readonly maxBacklogBytes: number;
    /** Backlog bytes past which a TCP connection request (SYN without ACK) is dropped, counted. */
    readonly maxSynBacklogBytes: number;
    /** Backlog bytes below which a connection request is always taken, whatever the drain rate. */
    readonly synFreeBacklogBytes: number;
    /**
     * The longest a connection request may be expected to wait for the main thread (backlog bytes over the
     * measured drain rate); one that would wait longer is dropped, counted.
     */
    readonly maxSynWaitMs: number;
    /** The nice value the reader thread asks for (below 0: it runs ahead of ordinary processes). */
    readonly nice: number;
    /** Bytes of link header before each IP datagram: 0 (TUN, raw IP socket) or 14 (Ethernet frames). */
    readonly linkHeaderBytes: number;
    /** Bytes of virtio_net_hdr before each read (10 on a TUN device with IFF_VNET_HDR, else 0), unwrapped here. */
    readonly vnetHeaderBytes: number;
}
export type FdReaderMessage = {
    kind: 'ready';
} | {
    kind: 'error';
    message: string;
};
