import { closeSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Counters } from '../../core/counters.js';
import { PilhaError } from '../../core/errors.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../core/logger.js';
import { ignoreDatagram, type RawLink } from './raw-link.js';
import {
  CONTROL,
  checkTunConfig,
  configureTunDevice,
  ERRNO,
  type Libc,
  loadLibc,
  openTunDevice,
  type TunReaderData,
  type TunReaderMessage,
} from './tun-device.js';

export interface TunLinkOptions {
  /** Device name, e.g. 'pilha0' or 'tun%d' (the kernel picks the number). */
  readonly name: string;
  readonly mtu: number;
  /** The kernel's address on the device (pilha's own address is another one in the same subnet). */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

const COUNTERS = [
  'rxPackets',
  'rxBytes',
  'rxBatches',
  'rxHandlerErrors',
  'txPackets',
  'txBytes',
  'txDrops',
  'txDropFull',
  'txDropTooBig',
  'txDropClosed',
  'txDropError',
] as const;

/**
 * The reader worker's compiled file: next to this module in dist/, or, when this module is the TypeScript
 * source (loaded by vitest or a TS runner), in the dist/ tree the build made of it.
 */
function findWorker(): URL {
  const candidates = [new URL('./tun-reader-worker.js', import.meta.url)];
  if (import.meta.url.endsWith('.ts')) {
    candidates.push(new URL('../../../dist/layers/link/tun-reader-worker.js', import.meta.url));
  }
  for (const url of candidates) if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  throw new PilhaError(
    'ETUN',
    `TUN reader worker not found at ${candidates[0]!.href}: TunLink runs from the compiled output (npm run build)`,
  );
}

/** Reader tuning: a batch is posted when the device has nothing more ready or when it is this full. */
const POLL_TIMEOUT_MS = 200;
const MAX_BATCH_PACKETS = 256;
const MAX_BATCH_BYTES = 256 * 1024;
/** Batches posted and not yet delivered before the reader stops reading (the kernel's queue then drops). */
const MAX_IN_FLIGHT = 64;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;

/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in a worker thread
 * (tun-reader-worker.ts) that blocks in poll()/read() and posts datagrams in batches; each datagram reaches
 * the handler as a view into its batch's buffer, without a copy. Sending is one synchronous non-blocking
 * write() per datagram on the main thread.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to this module's compiled output (dist/), so TunLink runs from there.
 */
export class TunLink implements RawLink {
  private handler: (datagram: Uint8Array) => void = ignoreDatagram;
  private readonly counters = new Counters(COUNTERS);
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.SIZE * 4));
  private worker: Worker | undefined;
  private workerExited = false;
  private closing: Promise<void> | undefined;
  private fdOpen = true;

  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static async open(options: TunLinkOptions): Promise<TunLink> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkTunConfig(options);
    const workerUrl = findWorker();
    const libc = loadLibc();
    const device = openTunDevice(options.name);
    const link = new TunLink(device.fd, device.name, options.mtu, libc, logger);
    try {
      configureTunDevice({ ...options, name: device.name });
      await link.start(workerUrl);
    } catch (err) {
      await link.close();
      throw err;
    }
    logger.info({ device: device.name, mtu: options.mtu }, 'TUN link open');
    return link;
  }

  private constructor(
    private readonly fd: number,
    /** The device name the kernel gave. */
    readonly name: string,
    readonly mtu: number,
    private readonly libc: Libc,
    private readonly logger: Logger,
  ) {}

  send(datagram: Uint8Array): void {
    const length = datagram.length;
    if (this.closing !== undefined) {
      this.drop('txDropClosed');
      return;
    }
    if (length > this.mtu) {
      this.drop('txDropTooBig');
      return;
    }
    const written = this.libc.write(this.fd, datagram, length);
    if (written === length) {
      this.counters.inc('txPackets');
      this.counters.inc('txBytes', length);
      return;
    }
    const errno = written < 0 ? this.libc.errno() : 0;
    if (errno === ERRNO.EAGAIN || errno === ERRNO.ENOBUFS) {
      this.drop('txDropFull');
      return;
    }
    this.drop('txDropError');
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ length, written, errno }, 'TUN write failed; datagram dropped');
    }
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      rxStalls: Atomics.load(this.control, CONTROL.STALLS),
      rxReadErrors: Atomics.load(this.control, CONTROL.READ_ERRORS),
    };
  }

  /** Stops the reader (within one poll timeout), then closes the fd, which removes the device. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private drop(reason: 'txDropFull' | 'txDropTooBig' | 'txDropClosed' | 'txDropError'): void {
    this.counters.inc('txDrops');
    this.counters.inc(reason);
  }

  private start(workerUrl: URL): Promise<void> {
    const data: TunReaderData = {
      fd: this.fd,
      control: this.control.buffer as SharedArrayBuffer,
      pollTimeoutMs: POLL_TIMEOUT_MS,
      maxBatchPackets: MAX_BATCH_PACKETS,
      maxBatchBytes: MAX_BATCH_BYTES,
      maxInFlight: MAX_IN_FLIGHT,
    };
    // The reader needs none of the parent's flags, and some (--input-type, loaders) would break it.
    const worker = new Worker(workerUrl, { workerData: data, execArgv: [] });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) reject(new PilhaError('ETUN', `TUN reader for '${this.name}' did not start`));
      }, READY_TIMEOUT_MS);
      timer.unref();
      worker.on('message', (message: ArrayBuffer | TunReaderMessage) => {
        if (message instanceof ArrayBuffer) {
          this.deliver(message);
        } else if (message.kind === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError('ETUN', `TUN reader for '${this.name}' failed: ${message.message}`));
        } else {
          this.logger.error({ device: this.name }, `TUN reader stopped: ${message.message}`);
        }
      });
      worker.on('error', (err) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError('ETUN', `TUN reader for '${this.name}' failed: ${err.message}`));
        } else {
          this.logger.error({ device: this.name, err }, 'TUN reader crashed');
        }
      });
      worker.on('exit', (code) => {
        this.workerExited = true;
        if (!ready) {
          clearTimeout(timer);
          reject(
            new PilhaError('ETUN', `TUN reader for '${this.name}' exited (code ${code}) before starting`),
          );
        } else if (this.closing === undefined) {
          this.logger.error({ device: this.name, code }, 'TUN reader exited; no more datagrams will arrive');
        }
      });
    });
  }

  /** Hands each datagram of a batch ([u16 LE length][bytes]...) to the handler as a view into the batch. */
  private deliver(batch: ArrayBuffer): void {
    Atomics.sub(this.control, CONTROL.IN_FLIGHT, 1);
    Atomics.notify(this.control, CONTROL.IN_FLIGHT);
    if (this.closing !== undefined) return;
    const bytes = new Uint8Array(batch);
    const end = bytes.length;
    let offset = 0;
    let packets = 0;
    let total = 0;
    while (offset + 2 <= end) {
      const length = bytes[offset]! | (bytes[offset + 1]! << 8);
      offset += 2;
      if (offset + length > end) break;
      const datagram = bytes.subarray(offset, offset + length);
      offset += length;
      packets++;
      total += length;
      try {
        this.handler(datagram);
      } catch (err) {
        // The receive path never throws: a failing handler costs its datagram, not the rest of the batch.
        this.counters.inc('rxHandlerErrors');
        this.logger.error({ err }, 'receive handler threw; datagram dropped');
      }
      if (this.closing !== undefined) break;
    }
    this.counters.inc('rxBatches');
    this.counters.inc('rxPackets', packets);
    this.counters.inc('rxBytes', total);
  }

  private async shutdown(): Promise<void> {
    this.handler = ignoreDatagram;
    const worker = this.worker;
    if (worker !== undefined) {
      Atomics.store(this.control, CONTROL.STOP, 1);
      Atomics.notify(this.control, CONTROL.IN_FLIGHT);
      // A worker that already exited emits nothing more; one that ignores the stop flag is terminated.
      if (!this.workerExited) {
        const exited = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
          timer.unref();
          worker.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!exited) await worker.terminate();
      }
      worker.removeAllListeners('message');
    }
    if (this.fdOpen) {
      this.fdOpen = false;
      try {
        closeSync(this.fd);
      } catch (err) {
        this.logger.warn({ err, device: this.name }, 'closing the TUN fd failed');
      }
    }
    this.logger.info({ device: this.name, ...this.counters.nonZero() }, 'TUN link closed');
  }
}
