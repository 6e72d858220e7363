import { type PilhaErrorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
export interface FdReaderOptions {
    /** A file descriptor from which each read() is one whole datagram (a TUN device, a raw IP socket). */
    readonly fd: number;
    /** What the fd is, for messages: 'TUN device pilha0', 'raw socket on 127.0.0.1'. */
    readonly label: string;
    /** The code of the PilhaError thrown when the reader cannot start. */
    readonly errorCode: PilhaErrorCode;
    readonly logger: Logger;
    /** Called once per datagram, with a view into its batch that is valid only during the call. */
    readonly onDatagram: (datagram: Uint8Array) => void;
    /** Bytes of link header before each IP datagram (14 for Ethernet frames); 0 when absent. */
    readonly linkHeaderBytes?: number;
    /** Bytes of virtio_net_hdr before each read (a TUN device with IFF_VNET_HDR); 0 when absent. */
    readonly vnetHeaderBytes?: number;
}
/**
 * Reads datagrams from an fd without blocking the main thread: a worker thread (fd-reader-worker.ts) blocks
 * in poll()/read() and posts datagrams in batches; each reaches `onDatagram` as a view into its batch's
 * buffer, without a copy. Shared by TunLink and RawSocketLink; the fd stays the caller's to close.
 *
 * While running, the worker keeps the process alive (like a listening socket); stop() ends it.
 */
export declare class FdReader {
    private readonly options;
    private readonly control;
    private worker;
    private workerExited;
    private stopping;
    private batches;
    private handlerErrors;
    /** Starts the worker and resolves once it is reading. */
    static start(options: FdReaderOptions): Promise<FdReader>;
    private constructor();
    stats(): Record<string, number>;
    /** Stops the worker (within one poll timeout); no datagram is delivered once this is called. */
    stop(): Promise<void>;
    private run;
    /** Hands each datagram of a batch ([u16 LE length][bytes]...) to onDatagram as a view into the batch. */
    private deliver;
    private shutdown;
}
