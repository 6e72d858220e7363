/**
 * Small socket writes go out at the end of the task (TcpOutputScheduler): a response and the FIN of an end()
 * that follows it leave as one segment, the window update after a read rides on the answer; writes of a
 * segment or more go out at once.
 */
import { describe, expect, it } from 'vitest';
import { PilhaStreamTransport } from '../../../src/transport/socket/pilha-stream-transport.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import {
  type DeferredOutput,
  TcpOutputScheduler,
} from '../../../src/transport/tcp/connection/tcp-output-scheduler.js';
import { ACK, bytes, expectSegment, IRS, ISS, PSH, SYN, TcpHarness } from './tcp-harness.js';

const MSS = 1460;
const nextTask = () => new Promise((resolve) => setImmediate(resolve));

/** A harness with a socket server on port 80 whose connections `onSocket` answers; the handshake done. */
async function serving(onSocket: (socket: TcpSocket) => void) {
  const h = new TcpHarness();
  const transport = new PilhaStreamTransport(h.tcp, h.clock);
  const sockets: TcpSocket[] = [];
  const server = transport.createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  await server.listen(80);
  h.send({ flags: SYN, seq: IRS, options: { mss: MSS } });
  expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
  h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
  await nextTask();
  return { h, sockets };
}

describe('TCP autocorking (small writes at the end of the task)', () => {
  it('a response written, then ended a tick later (as node:http does), leaves as one segment with the FIN', async () => {
    const { h } = await serving((socket) =>
      socket.on('data', () => {
        socket.write(bytes(300));
        process.nextTick(() => socket.end());
      }),
    );
    // From a macrotask, as a link delivers: Node runs the ticks (the end()) before the microtasks.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(93) });
        resolve();
      }),
    );
    await nextTask();
    const out = h.recvAll();
    expect(out).toHaveLength(1);
    expectSegment(out[0]!, { flags: 'FIN|PSH|ACK', seq: ISS + 1, ack: IRS + 94, payload: bytes(300) });
  });

  it('the window update that reading the request makes due rides on the answer (no pure ACK before it)', async () => {
    const { h } = await serving((socket) => socket.on('data', () => socket.write(bytes(10))));
    // The SYN-ACK's window (65535, unscaled) is far below the buffer: reading makes an update due.
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(93) });
    await nextTask();
    const out = h.recvAll();
    expect(out).toHaveLength(1);
    expectSegment(out[0]!, { flags: 'PSH|ACK', seq: ISS + 1, ack: IRS + 94, payload: 10 });
    expect(out[0]!.window).toBeGreaterThan(65_535 >> 3);
  });

  it('a small write waits for the end of the task; a write of a segment or more goes out at once', async () => {
    const { h, sockets } = await serving(() => {});
    const socket = sockets[0]!;
    socket.write(bytes(100));
    h.recvNothing();
    await nextTask();
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    socket.write(bytes(2 * MSS));
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 101, payload: MSS });
  });

  it('end() of a socket with nothing deferred sends its FIN at once', async () => {
    const { h, sockets } = await serving(() => {});
    sockets[0]!.end();
    await nextTask();
    expectSegment(h.recv(), { flags: 'FIN|ACK', seq: ISS + 1, ack: IRS + 1 });
  });

  it("a connection's own write() is not deferred (segment-by-segment callers keep their order)", () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(10));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 10 });
  });
});

describe('TcpOutputScheduler', () => {
  const target = (onFlush: (t: DeferredOutput) => void = () => {}) => {
    const t = {
      outputDeferred: false,
      flushes: 0,
      flushDeferred(): void {
        t.flushes++;
        onFlush(t);
      },
    };
    return t;
  };

  it('flushes each deferred target once at the end of the task, however often it was deferred', async () => {
    const s = new TcpOutputScheduler();
    const a = target();
    const b = target();
    s.defer(a);
    s.defer(b);
    s.defer(a);
    expect(a.flushes + b.flushes).toBe(0);
    expect(a.outputDeferred).toBe(true);
    await Promise.resolve();
    expect([a.flushes, b.flushes]).toEqual([1, 1]);
    expect(a.outputDeferred).toBe(false);
    await nextTask();
    expect([a.flushes, b.flushes]).toEqual([1, 1]);
  });

  it('a target deferred again from its own flush runs once more, in a later run', async () => {
    const s = new TcpOutputScheduler();
    let again = true;
    const a = target((t) => {
      if (again) {
        again = false;
        s.defer(t);
      }
    });
    s.defer(a);
    await nextTask();
    expect(a.flushes).toBe(2);
    expect(a.outputDeferred).toBe(false);
  });

  it('a flush that throws leaves no target marked as deferred for ever', async () => {
    const s = new TcpOutputScheduler();
    const failing = target(() => {
      throw new Error('bug');
    });
    const after = target();
    s.defer(failing);
    s.defer(after);
    // The run itself, called here (from its microtask the error would be an uncaught exception).
    const run = (s as unknown as { run: () => void }).run;
    expect(run).toThrow('bug');
    expect([failing.outputDeferred, after.outputDeferred]).toEqual([false, false]);
    await Promise.resolve(); // the scheduled microtask finds an empty list
    s.defer(after);
    await Promise.resolve();
    expect(after.flushes).toBe(1);
  });
});
