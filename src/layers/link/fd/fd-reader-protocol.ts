/*
 * The protocol between FdReader (main thread) and its worker (fd-reader-worker.ts).
 *
 * workerData is an FdReaderData. The worker posts { kind: 'ready' } once the fd is non-blocking, and
 * { kind: 'error', message } if reading fails for good. Datagrams go through `ring`, a SharedArrayBuffer the
 * worker reads into and the main thread drains in place: records of [u32 word][headroom][datagram][padding to 4
 * bytes], each published by adding 1 to control[PUBLISHED] after it is written; a word of RING_WRAP says the
 * next record is at offset 0. The word holds the datagram's length (RING_LENGTH_MASK), its receive flags
 * (raw-link.ts RX_*, at RING_FLAGS_SHIFT) and the bytes of headroom before it (at RING_HEADROOM_SHIFT): the
 * virtio_net_hdr a TUN device put first stays where it was read, so that a 64 KB datagram is not moved. The worker wakes the main thread (posting WAKE_MESSAGE) only when it sleeps
 * (control[SLEEPING] = 1); a main thread that is awake drains again before it sleeps, so a busy main thread
 * gets no message at all. Everything else goes through `control`, an Int32Array over a SharedArrayBuffer,
 * indexed by CONTROL.
 */

/** The length of a record that says "continue at offset 0". */
export const RING_WRAP = 0xffffffff;
/** Bytes before each record's headroom in the ring: its u32 word. */
export const RING_PREFIX = 4;
/** The datagram's length in a record's word (a read never exceeds 2^20 bytes). */
export const RING_LENGTH_MASK = 0xfffff;
/** Where the receive flags (raw-link.ts RX_*, 4 bits) sit in a record's word. */
export const RING_FLAGS_SHIFT = 20;
/** Where the headroom (bytes between the word and the datagram, 0-15) sits in a record's word. */
export const RING_HEADROOM_SHIFT = 24;
/** The most headroom a record may have. */
export const RING_MAX_HEADROOM = 15;
/** What the worker posts to wake a sleeping main thread. */
export const WAKE_MESSAGE = 0;

/** Bytes a record of `length` datagram bytes takes in the ring (prefix, headroom and padding to 4 bytes). */
export function ringRecordBytes(length: number, headroom = 0): number {
  return (RING_PREFIX + headroom + length + 3) & ~3;
}

/** A record's word: never RING_WRAP (its top 4 bits are clear). */
export function ringRecordWord(length: number, headroom: number, flags: number): number {
  return (length | (flags << RING_FLAGS_SHIFT) | (headroom << RING_HEADROOM_SHIFT)) >>> 0;
}

export const CONTROL = {
  /** Set to 1 by the main thread to stop the worker (noticed within one poll timeout). */
  STOP: 0,
  /** Records published in the ring, ever (wrapping at 2^32): the worker adds 1 per record. */
  PUBLISHED: 1,
  /** Datagrams read and dropped because the ring had no contiguous room for one more (counted in BACKLOG_DROPS too). */
  STALLS: 2,
  /** Reads that failed with an error other than EAGAIN/EINTR. */
  READ_ERRORS: 3,
  /**
   * Ring bytes published and not yet consumed (records and the room skipped by a wrap): the worker adds, the
   * main thread subtracts once it is done with them.
   */
  IN_FLIGHT_BYTES: 4,
  /** The most bytes ever waiting for the main thread. */
  PEAK_BYTES: 5,
  /** Datagrams read and dropped because the backlog held its byte limit (pilha's drop, not the kernel's). */
  BACKLOG_DROPS: 6,
  /**
   * Connection requests (TCP SYN without ACK) dropped because the backlog would keep them waiting longer than
   * maxSynWaitMs (or held maxSynBacklogBytes).
   */
  SYN_DROPS: 7,
  /** Bytes of records the main thread has consumed, ever (wrapping at 2^32): the worker's drain-rate meter. */
  CONSUMED_BYTES: 8,
  /** The reader thread's nice value now (ReaderPriority): the process's at first, then the last one set. */
  NICE: 9,
  /** Reads that carried a GSO packet (a TUN device with offload): each one large TCP segment. */
  GSO_READS: 10,
  /** Unfinished (NEEDS_CSUM) checksums the reader finished. */
  CHECKSUMS_COMPLETED: 11,
  /** Reads dropped for a malformed virtio_net_hdr, or failed for a frame the kernel's header could not describe. */
  VNET_DROPS: 12,
  /** 1 while the main thread is idle and wants WAKE_MESSAGE for the next record; the worker clears it. */
  SLEEPING: 13,
  /** Of IN_FLIGHT_BYTES, the room skipped by wraps not yet passed by the main thread (not backlog). */
  SKIPPED_BYTES: 14,
  /** Unfinished (NEEDS_CSUM) checksums left so, the kernel's word taken for them (trustKernelChecksums). */
  CHECKSUMS_TRUSTED: 15,
  /**
   * Batches the main thread has begun, ever (wrapping at 2^32), and the times it looked and found none: the
   * worker parks on it (Atomics.wait) while the main thread is busy with a batch.
   */
  BATCHES_BEGUN: 16,
  /** 1 while the worker is parked on BATCHES_BEGUN: the main thread notifies it as it begins a batch. */
  READER_PARKED: 17,
  /** Times the worker parked instead of polling. */
  PARKS: 18,
  /**
   * Records the main thread has taken into its batches, ever (wrapping at 2^32, as PUBLISHED): PUBLISHED less
   * this is what waits for its next batch.
   */
  TAKEN_RECORDS: 19,
  /** Times the reader thread's priority was raised under pressure (ReaderPriority). */
  NICE_RAISES: 20,
  /**
   * Reads that failed with ENETDOWN: a packet socket's interface went down (the kernel reports it once, to the
   * next read); the reader goes on, and frames come again once it is up.
   */
  LINK_DOWNS: 21,
  /** Slots in the control array. */
  SIZE: 22,
} as const;

export interface FdReaderData {
  readonly fd: number;
  /** What the fd is, for error messages: 'TUN fd', 'raw socket'. */
  readonly label: string;
  readonly control: SharedArrayBuffer;
  /** The ring of records (a multiple of 4 bytes, at least maxBacklogBytes plus two of the largest records). */
  readonly ring: SharedArrayBuffer;
  readonly pollTimeoutMs: number;
  /**
   * An eventfd the main thread writes to as it sets STOP: the worker polls it beside `fd`, so that stopping
   * does not wait for the poll's timeout (up to pollTimeoutMs at the end of every `pilha get`). −1: none.
   */
  readonly stopFd: number;
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
  /**
   * The reader thread's nice value: kept all the time when above 0; 0 leaves the thread at the process's;
   * below 0 (ahead of ordinary processes), taken only while a drain pass reads pressureReads datagrams or
   * more, and left pressureCalmMs after the last such pass (ReaderPriority).
   */
  readonly nice: number;
  readonly pressureReads: number;
  readonly pressureCalmMs: number;
  /** Bytes of link header before each IP datagram: 0 (TUN, raw IP socket) or 14 (Ethernet frames). */
  readonly linkHeaderBytes: number;
  /** Bytes of virtio_net_hdr before each read (10 on a TUN device with IFF_VNET_HDR, else 0), unwrapped here. */
  readonly vnetHeaderBytes: number;
  /**
   * Whether the main thread takes the kernel's word for TCP checksums (a TUN device with receive offload and
   * nothing between it and the stack): a partial checksum (NEEDS_CSUM) is then left unfinished and the record
   * flagged RX_CHECKSUM_VOUCHED, as one the kernel verified (DATA_VALID) is. Otherwise every partial checksum
   * is finished here and nothing is flagged.
   */
  readonly trustKernelChecksums: boolean;
  /**
   * The longest the worker parks while the main thread is busy with one batch and its next one waits in the
   * ring: 0 never parks. See fd-reader-worker.ts.
   */
  readonly parkMs: number;
}

/**
 * 'linkDown': a read failed with ENETDOWN (CONTROL.LINK_DOWNS), for the main thread to ask whether the interface
 * is gone. 'vnetHeaderDrop': the first packet the kernel could not describe in a virtio_net_hdr (VNET_DROPS), for
 * the main thread to say why once.
 */
export type FdReaderMessage =
  | { kind: 'ready' }
  | { kind: 'error'; message: string }
  | { kind: 'linkDown' }
  | { kind: 'vnetHeaderDrop' };
