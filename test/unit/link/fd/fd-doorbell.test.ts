/**
 * FdDoorbell: the wake-up of a reader that reads on the main thread, a poll() on libuv's thread pool. It
 * rings once the fd is readable, waits again after a poll with nothing, says when the fd hung up or is not
 * valid, and close() ends a poll at once.
 */
import { closeSync } from 'node:fs';
import koffi from 'koffi';
import { afterEach, describe, expect, it } from 'vitest';
import { FdDoorbell } from '../../../../src/layers/link/fd/fd-doorbell.js';
import { loadLibc, POLLHUP, POLLIN } from '../../../../src/layers/link/fd/libc.js';

const linux = process.platform === 'linux';
const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_SEQPACKET = 5;
const open: number[] = [];

function socketPair(type: number): [number, number] {
  const lib = koffi.load('libc.so.6');
  const socketpair: (domain: number, type: number, protocol: number, sv: Int32Array) => number = lib.func(
    'int socketpair(int domain, int type, int protocol, _Out_ int *sv)',
  );
  const sv = new Int32Array(2);
  if (socketpair(AF_UNIX, type, 0, sv) !== 0) throw new Error('socketpair failed');
  open.push(sv[0]!, sv[1]!);
  return [sv[0]!, sv[1]!];
}

afterEach(() => {
  for (const fd of open.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
  }
});

/** A doorbell on `fd` whose rings and errors are recorded. */
function doorbell(fd: number, timeoutMs = 60_000) {
  const rings: number[] = [];
  const errors: string[] = [];
  const bell = new FdDoorbell(
    loadLibc(),
    fd,
    'test socket',
    timeoutMs,
    (revents) => rings.push(revents),
    (message) => errors.push(message),
  );
  return { bell, rings, errors };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!linux)('FdDoorbell', () => {
  it('rings once the fd is readable, not before, and not again until armed again', async () => {
    const [a, b] = socketPair(SOCK_DGRAM);
    const { bell, rings, errors } = doorbell(a);
    bell.arm();
    bell.arm(); // one poll at a time
    await settle(50);
    expect(rings).toEqual([]);
    loadLibc().write(b, new Uint8Array([1, 2, 3]), 3);
    await until(() => rings.length > 0);
    expect(rings).toEqual([POLLIN]);
    // Still readable (nothing read it), but disarmed: no second ring until armed.
    await settle(50);
    expect(rings.length).toBe(1);
    bell.arm();
    await until(() => rings.length > 1);
    await bell.close();
    expect(errors).toEqual([]);
  });

  it('close() ends a waiting poll at once, whatever its timeout, and the process may exit', async () => {
    const [a] = socketPair(SOCK_DGRAM);
    const { bell, rings } = doorbell(a, 600_000);
    bell.arm();
    await settle(20);
    const closing = bell.close();
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      settle(2_000).then(() => 'still waiting'),
    ]);
    expect(outcome).toBe('closed');
    expect(rings).toEqual([]);
    // Closed: arming does nothing.
    bell.arm();
    await bell.close();
  });

  it('polls again after a timeout with nothing to read (no wake-up for the reader)', async () => {
    const [a, b] = socketPair(SOCK_DGRAM);
    const { bell, rings } = doorbell(a, 10);
    bell.arm();
    await settle(60);
    expect(rings).toEqual([]);
    loadLibc().write(b, new Uint8Array([9]), 1);
    await until(() => rings.length > 0);
    await bell.close();
  });

  it('says an fd that is not open (POLLNVAL) cannot be polled', async () => {
    // A number far above any fd this process has (a closed one's would be reused by the doorbell's eventfd).
    const { bell, rings, errors } = doorbell(999_999);
    bell.arm();
    await until(() => errors.length > 0);
    expect(errors).toEqual(['poll on the test socket failed: Bad file descriptor']);
    expect(rings).toEqual([]);
    await bell.close();
  });

  it('says the fd hung up when the other end closes with nothing to read', async () => {
    const [a, b] = socketPair(SOCK_SEQPACKET);
    const { bell, rings, errors } = doorbell(a);
    bell.arm();
    closeSync(b);
    await until(() => errors.length + rings.length > 0);
    // Linux reports a closed seqpacket peer as POLLIN | POLLHUP (a read then returns 0): the reader is woken to
    // read it and learns the end from the read; POLLHUP alone is the doorbell's to report.
    if (rings.length > 0) expect(rings[0]! & POLLHUP).toBe(POLLHUP);
    else expect(errors).toEqual(['the test socket hung up']);
    await bell.close();
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await settle(5);
  }
}
