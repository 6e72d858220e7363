/*
 * The protocol between FdReader (main thread) and its worker (fd-reader-worker.ts).
 *
 * workerData is an FdReaderData. The worker posts { kind: 'ready' } once the fd is non-blocking, and
 * { kind: 'error', message } if reading fails for good. Datagrams go through `ring`, a SharedArrayBuffer the
 * worker reads into and the main thread drains in place: records of [u32 length][datagram][padding to 4 bytes],
 * each published by adding 1 to control[PUBLISHED] after it is written; a length of RING_WRAP says the next
 * record is at offset 0. The worker wakes the main thread (posting WAKE_MESSAGE) only when it sleeps
 * (control[SLEEPING] = 1); a main thread that is awake drains again before it sleeps, so a busy main thread
 * gets no message at all. Everything else goes through `control`, an Int32Array over a SharedArrayBuffer,
 * indexed by CONTROL.
 */

/** The length of a record that says "continue at offset 0". */
export const RING_WRAP = 0xffffffff;
/** Bytes before each datagram in the ring: its u32 length. */
export const RING_PREFIX = 4;
/** What the worker posts to wake a sleeping main thread. */
export const WAKE_MESSAGE = 0;

/** Bytes a record of `length` datagram bytes takes in the ring (prefix and padding to 4 bytes). */
export function ringRecordBytes(length: number): number {
  return (RING_PREFIX + length + 3) & ~3;
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
  /** The reader thread's nice value: the one it asked for once setpriority succeeded, else 0. */
  NICE: 9,
  /** Reads that carried a GSO packet (a TUN device with offload): each one large TCP segment. */
  GSO_READS: 10,
  /** Unfinished (NEEDS_CSUM) checksums the reader finished. */
  CHECKSUMS_COMPLETED: 11,
  /** Reads dropped for a malformed virtio_net_hdr. */
  VNET_DROPS: 12,
  /** 1 while the main thread is idle and wants WAKE_MESSAGE for the next record; the worker clears it. */
  SLEEPING: 13,
  /** Of IN_FLIGHT_BYTES, the room skipped by wraps not yet passed by the main thread (not backlog). */
  SKIPPED_BYTES: 14,
  /** Slots in the control array. */
  SIZE: 15,
} as const;

export interface FdReaderData {
  readonly fd: number;
  /** What the fd is, for error messages: 'TUN fd', 'raw socket'. */
  readonly label: string;
  readonly control: SharedArrayBuffer;
  /** The ring of records (a multiple of 4 bytes, at least maxBacklogBytes plus two of the largest records). */
  readonly ring: SharedArrayBuffer;
  readonly pollTimeoutMs: number;
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

export type FdReaderMessage = { kind: 'ready' } | { kind: 'error'; message: string };
