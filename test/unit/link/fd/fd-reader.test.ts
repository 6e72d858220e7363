/**
 * FdReader end to end over a Unix datagram socket pair (each read() one datagram, as from a TUN device): the
 * worker reads into the ring and the main thread drains it. Needs Linux and the compiled worker (npm run build).
 */
import { closeSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import koffi from 'koffi';
import { afterEach, describe, expect, it } from 'vitest';
import type { PilhaError } from '../../../../src/core/errors.js';
import { silentLoggers } from '../../../../src/core/logger.js';
import { FdReader } from '../../../../src/layers/link/fd/fd-reader.js';
import { loadLibc } from '../../../../src/layers/link/fd/libc.js';
import { MainThreadFdReader } from '../../../../src/layers/link/fd/main-thread-fd-reader.js';
import type { DatagramReader } from '../../../../src/layers/link/fd/reader-lifecycle.js';
import { tcpChecksumValid } from '../../../../src/layers/link/offload/tcp-super-segment.js';
import {
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';
import { RX_CHECKSUM_VOUCHED, RX_COALESCED } from '../../../../src/layers/link/raw-link.js';
import { completeOffloadedTcpChecksum } from '../../../../src/layers/link/raw-socket/offloaded-checksum.js';
import { ACK, FIN, kernelTcpRead, streamByte } from '../offload/kernel-tcp-read.js';
import { partialTcpRead } from '../offload/partial-tcp-read.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const linux = process.platform === 'linux';

function socketPair(type = SOCK_DGRAM): [number, number] {
  const lib = koffi.load('libc.so.6');
  const socketpair: (domain: number, type: number, protocol: number, sv: Int32Array) => number = lib.func(
    'int socketpair(int domain, int type, int protocol, _Out_ int *sv)',
  );
  const sv = new Int32Array(2);
  if (socketpair(AF_UNIX, type, 0, sv) !== 0) throw new Error('socketpair failed');
  return [sv[0]!, sv[1]!];
}

/** Datagram i: `length` bytes, the first four i (little-endian), then (i + k) & 0xff. */
function datagram(i: number, length: number): Uint8Array {
  const d = new Uint8Array(length);
  new DataView(d.buffer).setUint32(0, i, true);
  for (let k = 4; k < length; k++) d[k] = (i + k) & 0xff;
  return d;
}

/** Whether this process may raise a thread's priority: CAP_SYS_NICE (bit 23) in its effective capabilities. */
function canRaisePriority(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << 23n)) !== 0n;
}

/** Datagrams 0 to count − 1 of 100 bytes. */
function burst(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => datagram(i, 100));
}

function check(d: Uint8Array): number {
  const i = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);
  for (let k = 4; k < d.length; k++)
    if (d[k] !== ((i + k) & 0xff)) throw new Error(`datagram ${i} corrupt at ${k}`);
  return i;
}

const until = async (done: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const fds: number[] = [];
const readers: DatagramReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.stop();
  for (const fd of fds.splice(0)) closeSync(fd);
});

interface ReaderOptions {
  readonly onBatchEnd?: () => void;
  readonly maxBacklogBytes?: number;
  readonly vnet?: { trustKernelChecksums: boolean };
  readonly nice?: number;
  readonly parkMs?: number;
  readonly pollTimeoutMs?: number;
  readonly pressureReads?: number;
  readonly pressureCalmMs?: number;
  /** Datagrams queued on the socket before the reader starts: its first pass reads them all. */
  readonly prefill?: readonly Uint8Array[];
  /** MainThreadFdReader instead of FdReader. */
  readonly mainThread?: boolean;
}

async function reader(
  onDatagram: (d: Uint8Array, flags: number) => void,
  options: ReaderOptions = {},
): Promise<{ reader: DatagramReader; send: (d: Uint8Array) => void }> {
  const { onBatchEnd, maxBacklogBytes, vnet, nice, parkMs, pollTimeoutMs, pressureReads, pressureCalmMs } =
    options;
  const [a, b] = socketPair();
  fds.push(a, b);
  const libc = loadLibc();
  const send = (d: Uint8Array): void => {
    if (libc.write(b, d, d.length) !== d.length) throw new Error(`write failed: errno ${libc.errno()}`);
  };
  for (const d of options.prefill ?? []) send(d);
  const start = options.mainThread === true ? MainThreadFdReader.start : FdReader.start;
  const r = await start({
    fd: a,
    label: 'test socket pair',
    errorCode: 'ETUN',
    logger: silentLoggers().for('link'),
    onDatagram,
    ...(onBatchEnd !== undefined ? { onBatchEnd } : {}),
    ...(maxBacklogBytes !== undefined ? { maxBacklogBytes } : {}),
    ...(vnet !== undefined
      ? { vnetHeaderBytes: VIRTIO_NET_HDR_SIZE, trustKernelChecksums: vnet.trustKernelChecksums }
      : {}),
    ...(nice !== undefined ? { nice } : {}),
    ...(parkMs !== undefined ? { parkMs } : {}),
    ...(pollTimeoutMs !== undefined ? { pollTimeoutMs } : {}),
    ...(pressureReads !== undefined ? { pressureReads } : {}),
    ...(pressureCalmMs !== undefined ? { pressureCalmMs } : {}),
  });
  readers.push(r);
  return { reader: r, send };
}

describe.skipIf(!linux)('FdReader', () => {
  it.each([false, true])(
    'stop() wakes the worker out of its poll: it ends without waiting for the poll timeout (the main thread reading: %s)',
    async (mainThread) => {
      // A poll timeout far past the stop timeout (2 s, then terminate(), which cannot interrupt a poll) and past
      // this test's: stopping in time takes the wake-up.
      const { reader: r } = await reader(() => {}, { pollTimeoutMs: 60_000, mainThread });
      // Quiet: the worker sits in poll() now.
      await new Promise((resolve) => setTimeout(resolve, 50));
      let stopped = false;
      const stopping = r.stop().then(() => {
        stopped = true;
      });
      await until(() => stopped, 1_500);
      await stopping;
    },
  );

  it('runs its thread at a nice value above 0 when asked, all the time', async () => {
    const asked = await reader(() => {}, { nice: 5, pressureReads: 4, prefill: burst(20) });
    expect(asked.reader.stats().rxReaderNice).toBe(5);
    await until(() => asked.reader.stats().rxBatches! > 0);
    expect(asked.reader.stats()).toMatchObject({ rxReaderNice: 5, rxReaderNiceRaises: 0 });
  });

  it("takes a negative nice value (a server's, -10 when none is asked) only while a pass reads pressureReads datagrams, and leaves it once calm", async () => {
    const base = getPriority();
    const seen: number[] = [];
    const { reader: r, send } = await reader((d) => seen.push(check(d)), {
      pressureReads: 16,
      pressureCalmMs: 1_000,
      // Queued before it starts: its first pass reads all 40, the 16th being pressure.
      prefill: burst(40),
    });
    await until(() => seen.length === 40);
    // Raising the priority needs CAP_SYS_NICE; without it the thread stays as it was, and nothing is counted.
    const raised = canRaisePriority() && base > -10;
    expect(r.stats().rxReaderNiceRaises).toBe(raised ? 1 : 0);
    expect(r.stats().rxReaderNice).toBe(raised ? -10 : base);
    // Passes of one datagram are no pressure: a second after the last long one, the thread is back where it
    // started (it looks before each wait, at least every poll timeout).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    send(datagram(40, 100));
    await until(() => r.stats().rxReaderNice === base);
    send(datagram(41, 100));
    await until(() => seen.length === 42);
    expect(r.stats()).toMatchObject({ rxReaderNice: base, rxReaderNiceRaises: raised ? 1 : 0 });
  });

  it("starts at the process's nice value with a negative one asked, and stays there while passes are short", async () => {
    const seen: number[] = [];
    const { reader: r, send } = await reader((d) => seen.push(check(d)), { nice: -5, pressureReads: 16 });
    expect(r.stats().rxReaderNice).toBe(getPriority());
    for (let i = 0; i < 30; i++) {
      send(datagram(i, 100));
      await until(() => seen.length === i + 1);
    }
    expect(r.stats()).toMatchObject({ rxReaderNice: getPriority(), rxReaderNiceRaises: 0 });
  });

  it('refuses a pressureReads below 1', async () => {
    await expect(reader(() => {}, { pressureReads: 0 })).rejects.toThrow(RangeError);
  });

  it.each([
    [0, false],
    [2, false],
    [0, true],
  ])(
    'delivers every datagram in order and whole, many times round the ring, each batch ended (parkMs %i, on the main thread: %s)',
    async (parkMs, mainThread) => {
      const seen: number[] = [];
      let batchEnds = 0;
      let sinceBatchEnd = 0;
      // A 64 KiB backlog: 3,000 datagrams of 4-1,500 bytes (2.2 MB) go round its ring (about 200 KB) ten times.
      const { reader: r, send } = await reader(
        (d) => {
          seen.push(check(d));
          sinceBatchEnd++;
        },
        {
          onBatchEnd: () => {
            batchEnds++;
            expect(sinceBatchEnd).toBeGreaterThan(0);
            sinceBatchEnd = 0;
          },
          maxBacklogBytes: 64 * 1024,
          parkMs,
          mainThread,
        },
      );
      const count = 3000;
      for (let i = 0; i < count; i++) {
        send(datagram(i, 4 + ((i * 331) % 1497)));
        // Now and then, let the main thread catch up (a writer that never yields would only fill the backlog).
        if (i % 20 === 19)
          await until(() => seen.length >= i + 1).catch((e) => {
            throw new Error(
              `${e} at ${i}: seen ${seen.length} missing ${Array.from({ length: i + 1 }, (_, k) => k).filter((k) => !seen.includes(k))} ${JSON.stringify(r.stats())}`,
            );
          });
      }
      await until(() => seen.length + r.stats().rxBacklogDrops! >= count);
      expect(r.stats().rxBacklogDrops).toBe(0);
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(batchEnds).toBeGreaterThan(0);
      expect(sinceBatchEnd).toBe(0);
      expect(r.stats().rxBatches).toBe(batchEnds);
    },
  );

  it.each([
    [2, 'parks (waits for its next batch) instead of waking for each datagram'],
    [0, 'wakes for each datagram (parkMs 0)'],
  ])(
    'with a main thread busy with one batch for 60 ms and parkMs %i, the reader %s, and loses none',
    async (parkMs) => {
      const seen: number[] = [];
      const count = 60;
      const sender: { send?: (d: Uint8Array) => void } = {};
      const { reader: r, send } = await reader(
        (d) => {
          const i = check(d);
          seen.push(i);
          if (i !== 0) return;
          // The first datagram's batch lasts about 60 ms, a datagram arriving each millisecond of it.
          for (let k = 1; k < count; k++) {
            const end = performance.now() + 1;
            while (performance.now() < end) {}
            sender.send!(datagram(k, 200));
          }
        },
        { parkMs },
      );
      sender.send = send;
      send(datagram(0, 200));
      await until(() => seen.length === count);
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
      const parks = r.stats().rxReaderParks!;
      // Up to 2 ms a park: about 30 of them in 60 ms, each followed by one read of what came meanwhile.
      if (parkMs > 0) expect(parks).toBeGreaterThanOrEqual(5);
      else expect(parks).toBe(0);
      expect(r.stats().rxBacklogDrops).toBe(0);
    },
  );

  it('drops and counts what is beyond the backlog limit while the main thread is busy, and delivers the rest in order', async () => {
    const seen: number[] = [];
    const { reader: r, send } = await reader((d) => seen.push(check(d)), { maxBacklogBytes: 16 * 1024 });
    const count = 200;
    // The main thread does not yield while it sends: the worker fills the backlog, then drops.
    for (let i = 0; i < count; i++) send(datagram(i, 1000));
    await until(() => seen.length + r.stats().rxBacklogDrops! >= count);
    const drops = r.stats().rxBacklogDrops!;
    expect(drops).toBeGreaterThan(0);
    expect(seen.length + drops).toBe(count);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
  });

  it.each([false, true])(
    'with a virtio_net_hdr, a read failing with EINVAL (a frame the header cannot describe) is a counted drop, the first told; without, a read error that ends the reader and is told to onFailure once (on the main thread: %s)',
    async (mainThread) => {
      // An epoll fd watching a written eventfd: poll() finds it readable, and every read() fails with EINVAL,
      // as a TUN device's or a PACKET_VNET_HDR socket's does for a GSO frame of a type the header cannot say.
      const lib = koffi.load('libc.so.6');
      const epollCreate: (flags: number) => number = lib.func('int epoll_create1(int flags)');
      const epollCtl: (epfd: number, op: number, fd: number, event: Uint8Array) => number = lib.func(
        'int epoll_ctl(int epfd, int op, int fd, void *event)',
      );
      const libc = loadLibc();
      for (const vnet of [true, false]) {
        const epfd = epollCreate(0);
        const efd = libc.eventfd(1, 0);
        fds.push(epfd, efd);
        // struct epoll_event (packed on x86-64): u32 events = EPOLLIN, u64 data.
        const event = new Uint8Array(12);
        event[0] = 1;
        expect(epollCtl(epfd, 1 /* EPOLL_CTL_ADD */, efd, event)).toBe(0);
        const failures: PilhaError[] = [];
        let dropsTold = 0;
        const start = mainThread ? MainThreadFdReader.start : FdReader.start;
        const r = await start({
          fd: epfd,
          label: 'test epoll fd',
          errorCode: 'ETUN',
          logger: silentLoggers().for('link'),
          onDatagram: () => {},
          onFailure: (error) => failures.push(error),
          onVnetHeaderDrop: () => dropsTold++,
          ...(vnet ? { vnetHeaderBytes: VIRTIO_NET_HDR_SIZE } : {}),
        });
        readers.push(r);
        if (vnet) {
          await until(() => r.stats().rxVnetHeaderDrops! > 100);
          expect(r.stats().rxReadErrors).toBe(0);
          expect(failures).toEqual([]);
        } else {
          // The failed read ends the reader, and whoever runs on the link is told, once (its 'error', then its exit).
          await until(() => r.stats().rxReadErrors! > 0 && failures.length > 0);
          expect(r.stats().rxReadErrors).toBe(1);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        // stop() is not a failure: nothing more is told. The first drop only is told (for one warning).
        await r.stop();
        expect(dropsTold).toBe(vnet ? 1 : 0);
        expect(failures.map((e) => [e.code, e.message])).toEqual(
          vnet
            ? []
            : [['ETUN', expect.stringMatching(/^read on the test epoll fd failed: Invalid argument/)]],
        );
      }
    },
  );

  it.each([false, true])(
    'delivers nothing more once stop() is called during a delivery, and ends no batch after it (on the main thread: %s)',
    async (mainThread) => {
      const seen: number[] = [];
      let batchEnds = 0;
      let stopped: Promise<void> | undefined;
      const { reader: r, send } = await reader(
        (d) => {
          seen.push(check(d));
          stopped ??= r.stop();
        },
        { onBatchEnd: () => batchEnds++, mainThread },
      );
      // Sent without yielding: they reach the main thread in one batch.
      for (let i = 0; i < 50; i++) send(datagram(i, 100));
      await until(() => stopped !== undefined);
      await stopped;
      await new Promise((res) => setTimeout(res, 50));
      expect(seen).toEqual([0]);
      expect(batchEnds).toBe(0);
    },
  );

  it.each([
    [true, 'left unfinished and flagged', false],
    [false, 'finished, not flagged', false],
    [true, 'left unfinished and flagged', true],
    [false, 'finished, not flagged', true],
  ])(
    'with a virtio_net_hdr and trustKernelChecksums %s: a partial TCP checksum is %s; the datagram aligned (on the main thread: %s)',
    async (trust, _, mainThread) => {
      const got: Array<{ d: Uint8Array; flags: number; aligned: boolean }> = [];
      const { reader: r, send } = await reader(
        (d, flags) => got.push({ d: d.slice(), flags, aligned: d.byteOffset % 4 === 0 }),
        { vnet: { trustKernelChecksums: trust }, mainThread },
      );
      const sizes = [1, 1000, 30_000, 1001];
      const reads = sizes.map((n) => partialTcpRead(n));
      for (const read of reads) send(read.read);
      // One the kernel verified (DATA_VALID, as from a real NIC through a bridge): trusted too, nothing to finish.
      const verified = partialTcpRead(500);
      expect(completeOffloadedTcpChecksum(verified.read.subarray(VIRTIO_NET_HDR_SIZE))).toBe(true);
      verified.read.fill(0, 0, VIRTIO_NET_HDR_SIZE);
      verified.read[0] = VIRTIO_NET_HDR_F_DATA_VALID;
      send(verified.read);
      await until(() => got.length === sizes.length + 1);
      expect(got[sizes.length]!.flags).toBe(trust ? RX_CHECKSUM_VOUCHED : 0);
      expect(tcpChecksumValid(got[sizes.length]!.d)).toBe(true);
      expect(r.stats()).toMatchObject({
        rxChecksumsTrusted: trust ? sizes.length + 1 : 0,
        rxChecksumsCompleted: trust ? 0 : sizes.length,
      });
      for (let i = 0; i < sizes.length; i++) {
        const { d, flags, aligned } = got[i]!;
        // On the main thread, a datagram the kernel vouched for that does not continue the one before (these
        // all start at sequence number 1) is read where the one before ended (TcpReadCoalescer): nothing sums it.
        if (!(trust && mainThread) || i === 0) expect(aligned).toBe(true);
        expect(d.length).toBe(reads[i]!.packet.length);
        expect(flags).toBe(trust ? RX_CHECKSUM_VOUCHED : 0);
        expect(tcpChecksumValid(d)).toBe(!trust);
        if (trust) expect(d).toEqual(reads[i]!.packet);
        else expect(d.subarray(40)).toEqual(reads[i]!.packet.subarray(40));
      }
    },
  );

  it.each([false, true])(
    'an fd whose other end hangs up ends the reader, told once to onFailure (on the main thread: %s)',
    async (mainThread) => {
      // A SOCK_SEQPACKET pair: once the other end closes, poll says POLLHUP and read() returns 0.
      const [a, b] = socketPair(5 /* SOCK_SEQPACKET */);
      fds.push(a);
      const failures: PilhaError[] = [];
      const start = mainThread ? MainThreadFdReader.start : FdReader.start;
      const r = await start({
        fd: a,
        label: 'test seqpacket pair',
        errorCode: 'ETUN',
        logger: silentLoggers().for('link'),
        onDatagram: () => {},
        onFailure: (error) => failures.push(error),
      });
      readers.push(r);
      closeSync(b);
      await until(() => failures.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(failures.map((e) => e.message)).toEqual(['the test seqpacket pair hung up']);
      expect(r.stats().rxReadErrors).toBe(1);
    },
  );

  it('on the main thread, the kernel vouching for checksums: a pass hands up a run of one stream as one segment, in order with the rest', async () => {
    const got: Array<{ d: Uint8Array; flags: number }> = [];
    const run = [0, 1, 2, 3].map((i) => kernelTcpRead({ seq: 1 + i * 20_000, payloadLength: 20_000 }));
    const fin = kernelTcpRead({ seq: 80_001, payloadLength: 100, flags: ACK | FIN });
    const { reader: r } = await reader((d, flags) => got.push({ d: d.slice(), flags }), {
      vnet: { trustKernelChecksums: true },
      mainThread: true,
      prefill: [...run, fin],
    });
    await until(() => got.length === 2);
    expect(got.map((g) => [g.d.length, g.flags])).toEqual([
      [52 + 80_000, RX_CHECKSUM_VOUCHED | RX_COALESCED],
      [52 + 100, RX_CHECKSUM_VOUCHED],
    ]);
    expect(got[0]!.d.subarray(0, 2)).toEqual(run[0]!.subarray(VIRTIO_NET_HDR_SIZE, VIRTIO_NET_HDR_SIZE + 2));
    expect([got[0]!.d[2], got[0]!.d[3]]).toEqual([0, 0]);
    for (let i = 0; i < 80_000; i++) {
      if (got[0]!.d[52 + i] !== streamByte(1 + i)) throw new Error(`run byte ${i} corrupt`);
    }
    expect(got[1]!.d).toEqual(fin.subarray(VIRTIO_NET_HDR_SIZE));
    expect(r.stats()).toMatchObject({ rxCoalescedReads: 3, rxCoalescedHeaderBytes: 3 * 52, rxBatches: 1 });
  });

  it('on the main thread: a handler that stops the reader while a run goes up gets nothing after it', async () => {
    const got: number[] = [];
    let stop: () => void = () => {};
    await reader(
      (d) => {
        got.push(d.length);
        stop();
      },
      {
        vnet: { trustKernelChecksums: true },
        mainThread: true,
        prefill: [
          kernelTcpRead({ seq: 1, payloadLength: 4000 }),
          kernelTcpRead({ seq: 4001, payloadLength: 3000 }),
          kernelTcpRead({ seq: 7001, payloadLength: 10, flags: ACK | FIN }),
        ],
      },
    ).then(({ reader: r }) => {
      stop = () => void r.stop();
    });
    await until(() => got.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([52 + 7000]);
  });

  it('on the main thread: a quiet fd costs no read pass (the doorbell waits for it), and what comes after is read', async () => {
    const seen: number[] = [];
    const { reader: r, send } = await reader((d) => seen.push(check(d)), { mainThread: true });
    send(datagram(0, 100));
    await until(() => seen.length === 1);
    const quiet = r.stats();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.stats().rxReadPasses).toBe(quiet.rxReadPasses);
    for (let i = 1; i <= 3; i++) send(datagram(i, 100));
    await until(() => seen.length === 4);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r.stats().rxDoorbellRings).toBeGreaterThan(quiet.rxDoorbellRings!);
  });

  it('on the main thread: what a batch end brings at once (a kernel sender answering the ACK) is read without the doorbell', async () => {
    const seen: number[] = [];
    let next = 1;
    let sendLater: (d: Uint8Array) => void = () => {};
    // Each batch end writes the next datagram, as the kernel's sender queues data inside pilha's ACK write.
    const onBatchEnd = (): void => {
      if (next <= 5) sendLater(datagram(next++, 100));
    };
    const { reader: r, send } = await reader((d) => seen.push(check(d)), { mainThread: true, onBatchEnd });
    sendLater = send;
    // The first pass finds the fd empty and arms the doorbell.
    await new Promise((resolve) => setTimeout(resolve, 100));
    send(datagram(0, 100));
    await until(() => seen.length === 6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    const s = r.stats();
    // One ring for datagram 0, which found the reader waiting; 1 to 5 were read by the passes after each batch.
    expect(s.rxDoorbellRings).toBe(1);
    expect(s.rxReadPasses).toBeGreaterThanOrEqual(7);
  });
});
