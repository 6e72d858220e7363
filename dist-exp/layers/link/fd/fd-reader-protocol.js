/*
 * The protocol between FdReader (main thread) and its worker (fd-reader-worker.ts).
 *
 * workerData is an FdReaderData. The worker posts { kind: 'ready' } once the fd is non-blocking, then one
 * ArrayBuffer (transferred) per batch, laid out as [u16 little-endian length][datagram]..., and
 * { kind: 'error', message } if reading fails for good. Everything else goes through `control`, an
 * Int32Array over a SharedArrayBuffer, indexed by CONTROL.
 */
export const CONTROL = {
    /** Set to 1 by the main thread to stop the worker (noticed within one poll timeout). */
    STOP: 0,
    /** Batches posted and not yet consumed: the worker adds, the main thread subtracts and notifies. */
    IN_FLIGHT: 1,
    /** Times a batch was ready but could not be posted because IN_FLIGHT was at its limit. */
    STALLS: 2,
    /** Reads that failed with an error other than EAGAIN/EINTR. */
    READ_ERRORS: 3,
    /** Bytes of the batches posted and not yet consumed: the worker adds, the main thread subtracts. */
    IN_FLIGHT_BYTES: 4,
    /** The most bytes ever waiting for the main thread (in flight plus the batch being filled). */
    PEAK_BYTES: 5,
    /** Datagrams read and dropped because the backlog held its byte limit (pilha's drop, not the kernel's). */
    BACKLOG_DROPS: 6,
    /**
     * Connection requests (TCP SYN without ACK) dropped because the backlog would keep them waiting longer than
     * maxSynWaitMs (or held maxSynBacklogBytes).
     */
    SYN_DROPS: 7,
    /** Bytes of batches the main thread has taken, ever (wrapping at 2^32): the worker's drain-rate meter. */
    CONSUMED_BYTES: 8,
    /** The reader thread's nice value: the one it asked for once setpriority succeeded, else 0. */
    NICE: 9,
    /** Reads that carried a GSO packet (a TUN device with offload): each one large TCP segment. */
    GSO_READS: 10,
    /** Unfinished (NEEDS_CSUM) checksums the reader finished. */
    CHECKSUMS_COMPLETED: 11,
    /** Reads dropped for a malformed virtio_net_hdr. */
    VNET_DROPS: 12,
    /** Slots in the control array. */
    SIZE: 13,
};
//# sourceMappingURL=fd-reader-protocol.js.map