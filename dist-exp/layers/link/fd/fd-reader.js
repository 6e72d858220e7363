import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PilhaError } from '../../../core/errors.js';
import { CONTROL } from './fd-reader-protocol.js';
/**
 * The reader worker's compiled file: next to this module in dist/, or, when this module is the TypeScript
 * source (loaded by vitest or a TS runner), in the dist/ tree the build made of it.
 */
function findWorker(errorCode) {
    const candidates = [new URL('./fd-reader-worker.js', import.meta.url)];
    if (import.meta.url.endsWith('.ts')) {
        candidates.push(new URL('../../../../dist/layers/link/fd/fd-reader-worker.js', import.meta.url));
    }
    for (const url of candidates)
        if (url.protocol === 'file:' && existsSync(fileURLToPath(url)))
            return url;
    throw new PilhaError(errorCode, `datagram reader worker not found at ${candidates[0].href}: pilha's Linux links run from the compiled output (npm run build)`);
}
/** Reader tuning: a batch is posted when the fd has nothing more ready or when it is this full. */
const POLL_TIMEOUT_MS = 200;
const MAX_BATCH_PACKETS = 256;
const MAX_BATCH_BYTES = 256 * 1024;
/**
 * Batches waiting for the main thread past which it is behind: the reader then posts only full batches (fewer
 * messages for a busy main thread) and keeps reading. Not a drop threshold.
 */
const MAX_IN_FLIGHT = 64;
/**
 * Bytes (datagrams and their 2-byte prefixes) that may wait for the main thread; beyond it datagrams are
 * dropped and counted (rxBacklogDrops). 4 MiB holds one ACK (~56 bytes) per full-sized segment of the ~53 MB
 * that 64 parallel downloads kept in flight, so ACKs are not dropped (64 wgets of 4 MB peaked at 0.86 MB);
 * 8 MiB also holds a 100,000-SYN burst (about 5.4 MB) with room left for established connections.
 */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Backlog bytes past which a TCP connection request (SYN without ACK) is dropped (rxBacklogSynDrops). */
const MAX_SYN_BACKLOG_BYTES = 6 * 1024 * 1024;
/** Backlog bytes (about 2,000 SYNs) below which a connection request is always queued. */
const SYN_FREE_BACKLOG_BYTES = 128 * 1024;
/**
 * The longest wait for the main thread a connection request is queued for; beyond, it is dropped
 * (rxBacklogSynDrops). The client retransmits its SYN after 1 s (RFC 6298's initial RTO, Linux's too): a SYN
 * answered within 600 ms connects the client on its first try with room for the round trip, and keeping SYNs
 * that would be answered later only delays the ones behind them. Measured with a 100,000-SYN flood at
 * 400-800k SYNs/s: a client's connect took 1.0 s in 2 of 6 tries with a fixed 128 KiB limit (its SYN dropped
 * as the backlog passed it), 2-120 ms in 6 of 6 with this.
 */
const MAX_SYN_WAIT_MS = 600;
/**
 * The reader thread's nice value: it blocks in poll() when there is nothing to read and does little per
 * datagram, so running ahead of ordinary processes costs them little and keeps the device's queue drained.
 */
const READER_NICE = -10;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;
/**
 * Reads datagrams from an fd without blocking the main thread: a worker thread (fd-reader-worker.ts) blocks
 * in poll()/read() and posts datagrams in batches; each reaches `onDatagram` as a view into its batch's
 * buffer, without a copy. Shared by TunLink and RawSocketLink; the fd stays the caller's to close.
 *
 * While running, the worker keeps the process alive (like a listening socket); stop() ends it.
 */
export class FdReader {
    options;
    control = new Int32Array(new SharedArrayBuffer(CONTROL.SIZE * 4));
    worker;
    workerExited = false;
    stopping;
    batches = 0;
    handlerErrors = 0;
    /** Starts the worker and resolves once it is reading. */
    static async start(options) {
        const reader = new FdReader(options);
        try {
            await reader.run(findWorker(options.errorCode));
        }
        catch (err) {
            await reader.stop();
            throw err;
        }
        return reader;
    }
    constructor(options) {
        this.options = options;
    }
    stats() {
        return {
            rxBatches: this.batches,
            rxHandlerErrors: this.handlerErrors,
            rxStalls: Atomics.load(this.control, CONTROL.STALLS),
            rxReadErrors: Atomics.load(this.control, CONTROL.READ_ERRORS),
            rxBacklogDrops: Atomics.load(this.control, CONTROL.BACKLOG_DROPS),
            rxBacklogSynDrops: Atomics.load(this.control, CONTROL.SYN_DROPS),
            rxBacklogPeakBytes: Atomics.load(this.control, CONTROL.PEAK_BYTES),
            rxReaderNice: Atomics.load(this.control, CONTROL.NICE),
            ...(this.options.vnetHeaderBytes
                ? {
                    rxGsoPackets: Atomics.load(this.control, CONTROL.GSO_READS),
                    rxChecksumsCompleted: Atomics.load(this.control, CONTROL.CHECKSUMS_COMPLETED),
                    rxVnetHeaderDrops: Atomics.load(this.control, CONTROL.VNET_DROPS),
                }
                : {}),
        };
    }
    /** Stops the worker (within one poll timeout); no datagram is delivered once this is called. */
    stop() {
        this.stopping ??= this.shutdown();
        return this.stopping;
    }
    run(workerUrl) {
        const { fd, label, errorCode, logger } = this.options;
        const data = {
            fd,
            label,
            control: this.control.buffer,
            pollTimeoutMs: POLL_TIMEOUT_MS,
            maxBatchPackets: MAX_BATCH_PACKETS,
            maxBatchBytes: MAX_BATCH_BYTES,
            maxInFlight: MAX_IN_FLIGHT,
            maxBacklogBytes: MAX_BACKLOG_BYTES,
            maxSynBacklogBytes: MAX_SYN_BACKLOG_BYTES,
            synFreeBacklogBytes: SYN_FREE_BACKLOG_BYTES,
            maxSynWaitMs: MAX_SYN_WAIT_MS,
            nice: READER_NICE,
            linkHeaderBytes: this.options.linkHeaderBytes ?? 0,
            vnetHeaderBytes: this.options.vnetHeaderBytes ?? 0,
        };
        // The reader needs none of the parent's flags, and some (--input-type, loaders) would break it.
        const worker = new Worker(workerUrl, { workerData: data, execArgv: [] });
        this.worker = worker;
        return new Promise((resolve, reject) => {
            let ready = false;
            const timer = setTimeout(() => {
                if (!ready)
                    reject(new PilhaError(errorCode, `reader for the ${label} did not start`));
            }, READY_TIMEOUT_MS);
            timer.unref();
            worker.on('message', (message) => {
                if (message instanceof ArrayBuffer) {
                    this.deliver(message);
                }
                else if (message.kind === 'ready') {
                    ready = true;
                    clearTimeout(timer);
                    resolve();
                }
                else if (!ready) {
                    clearTimeout(timer);
                    reject(new PilhaError(errorCode, `reader for the ${label} failed: ${message.message}`));
                }
                else {
                    logger.error({ fd: label }, `reader stopped: ${message.message}`);
                }
            });
            worker.on('error', (err) => {
                if (!ready) {
                    clearTimeout(timer);
                    reject(new PilhaError(errorCode, `reader for the ${label} failed: ${err.message}`));
                }
                else {
                    logger.error({ fd: label, err }, 'reader crashed');
                }
            });
            worker.on('exit', (code) => {
                this.workerExited = true;
                if (!ready) {
                    clearTimeout(timer);
                    reject(new PilhaError(errorCode, `reader for the ${label} exited (code ${code}) before starting`));
                }
                else if (this.stopping === undefined) {
                    logger.error({ fd: label, code }, 'reader exited; no more datagrams will arrive');
                }
            });
        });
    }
    /** Hands each datagram of a batch ([u16 LE length][bytes]...) to onDatagram as a view into the batch. */
    deliver(batch) {
        Atomics.sub(this.control, CONTROL.IN_FLIGHT_BYTES, batch.byteLength);
        Atomics.add(this.control, CONTROL.CONSUMED_BYTES, batch.byteLength);
        Atomics.sub(this.control, CONTROL.IN_FLIGHT, 1);
        if (this.stopping !== undefined)
            return;
        const onDatagram = this.options.onDatagram;
        const bytes = new Uint8Array(batch);
        const end = bytes.length;
        let offset = 0;
        while (offset + 2 <= end) {
            const length = bytes[offset] | (bytes[offset + 1] << 8);
            offset += 2;
            if (offset + length > end)
                break;
            const datagram = bytes.subarray(offset, offset + length);
            offset += length;
            try {
                onDatagram(datagram);
            }
            catch (err) {
                // The receive path never throws: a failing handler costs its datagram, not the rest of the batch.
                this.handlerErrors++;
                this.options.logger.error({ err }, 'receive handler threw; datagram dropped');
            }
            if (this.stopping !== undefined)
                break;
        }
        this.batches++;
    }
    async shutdown() {
        const worker = this.worker;
        if (worker === undefined)
            return;
        Atomics.store(this.control, CONTROL.STOP, 1);
        // A worker that already exited emits nothing more; one that ignores the stop flag is terminated.
        if (!this.workerExited) {
            const exited = await new Promise((resolve) => {
                const timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
                timer.unref();
                worker.once('exit', () => {
                    clearTimeout(timer);
                    resolve(true);
                });
            });
            if (!exited)
                await worker.terminate();
        }
        worker.removeAllListeners('message');
    }
}
//# sourceMappingURL=fd-reader.js.map