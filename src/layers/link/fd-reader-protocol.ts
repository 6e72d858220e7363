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
  /** Times the worker paused reading because IN_FLIGHT reached its limit (the kernel queue then fills). */
  STALLS: 2,
  /** Reads that failed with an error other than EAGAIN/EINTR. */
  READ_ERRORS: 3,
  /** Slots in the control array. */
  SIZE: 4,
} as const;

export interface FdReaderData {
  readonly fd: number;
  /** What the fd is, for error messages: 'TUN fd', 'raw socket'. */
  readonly label: string;
  readonly control: SharedArrayBuffer;
  readonly pollTimeoutMs: number;
  readonly maxBatchPackets: number;
  /** Bytes of datagrams (length prefixes included) after which a batch is posted. */
  readonly maxBatchBytes: number;
  /** Batches allowed in flight before the worker stops reading. */
  readonly maxInFlight: number;
}

export type FdReaderMessage = { kind: 'ready' } | { kind: 'error'; message: string };
