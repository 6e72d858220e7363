/**
 * The window our SYN-ACK advertised is never scaled (at most 64 KB, RFC 7323 §2.2), however large the buffer.
 * Reading a small request must not make that look like a window opened a lot: no ACK of its own before the
 * answer (one TUN write less per request/response connection). A peer near that edge still gets one.
 */
import { describe, expect, it } from 'vitest';
import { PilhaStreamTransport } from '../../../src/transport/socket/pilha-stream-transport.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { windowShiftFor } from '../../../src/transport/tcp/tcp-config.js';
import { ACK, bytes, expectSegment, IRS, ISS, PSH, SYN, TcpHarness } from './tcp-harness.js';

const nextTask = () => new Promise((resolve) => setImmediate(resolve));

/** A harness (MTU `mtu`) with a socket server on port 80 whose connections `onSocket` takes; handshake done. */
async function serving(mtu: number, onSocket: (socket: TcpSocket) => void) {
  const h = new TcpHarness({ mtu });
  const transport = new PilhaStreamTransport(h.tcp, h.clock);
  const server = transport.createServer(onSocket);
  await server.listen(80);
  h.send({ flags: SYN, seq: IRS, options: { mss: mtu - 40, windowScale: 7 } });
  const synAck = h.recv();
  expectSegment(synAck, { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
  expect(synAck.window).toBe(65_535);
  h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
  await nextTask();
  return h;
}

describe("reading what arrived within the SYN-ACK's window", () => {
  it('a small request read and not answered in the task: no ACK until the delayed ACK, which opens the buffer', async () => {
    const read: number[] = [];
    const h = await serving(1500, (socket) => socket.on('data', (chunk: Buffer) => read.push(chunk.length)));
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(300) });
    await nextTask();
    expect(read).toEqual([300]);
    h.recvNothing();
    h.advance(h.config.delayedAckMs);
    const ack = h.recv();
    expectSegment(ack, { flags: 'ACK', seq: ISS + 1, ack: IRS + 301, payload: 0 });
    // The delayed ACK advertises the buffer, scaled: more than the SYN-ACK's 64 KB.
    expect(ack.window << windowShiftFor(h.config.receiveBufferSize)).toBeGreaterThan(65_535);
    h.recvNothing();
  });

  it('a peer that filled that window (one 64 KB segment at MTU 65535) gets the window update as soon as it is read', async () => {
    const h = await serving(65_535, (socket) => socket.on('data', () => {}));
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(65_000) });
    await nextTask();
    const ack = h.recv();
    expectSegment(ack, { flags: 'ACK', seq: ISS + 1, ack: IRS + 65_001, payload: 0 });
    expect(ack.window << windowShiftFor(h.config.receiveBufferSize)).toBeGreaterThan(65_535);
  });
});
