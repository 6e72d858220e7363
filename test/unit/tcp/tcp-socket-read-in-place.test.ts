import { describe, expect, it } from 'vitest';
import { encodeIpv4, IP_PROTOCOL_TCP } from '../../../src/layers/ip/ipv4-header.js';
import { PilhaStreamTransport } from '../../../src/transport/socket/pilha-stream-transport.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, NO_TCP_OPTIONS } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  bytes,
  expectSegment,
  FIN,
  IRS,
  ISS,
  LOCAL,
  LOCAL_PORT,
  PSH,
  REMOTE,
  REMOTE_PORT,
  SYN,
  TcpHarness,
} from './tcp-harness.js';

/** An accepted socket on a harness, the handshake done. */
async function accepted(): Promise<{ h: TcpHarness; socket: TcpSocket }> {
  const h = new TcpHarness();
  const transport = new PilhaStreamTransport(h.tcp, h.clock);
  const sockets: TcpSocket[] = [];
  const server = transport.createServer((s) => sockets.push(s as TcpSocket));
  await server.listen(LOCAL_PORT);
  h.send({ flags: SYN, seq: IRS, options: { mss: 1460 } });
  expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
  h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
  await tick();
  expect(sockets).toHaveLength(1);
  return { h, socket: sockets[0]! };
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The datagram inject() is handing to the stack, while it does. */
let processing: Uint8Array | undefined;

/**
 * Injects a data segment whose datagram is a buffer the test keeps, as the TUN reader's ring slot is: the
 * caller may overwrite it once this returns, as the reader reuses its ring.
 */
function inject(h: TcpHarness, at: number, payload: Uint8Array, flags = ACK | PSH): Uint8Array {
  const tcp = encodeTcpSegment(
    {
      srcPort: REMOTE_PORT,
      dstPort: LOCAL_PORT,
      seq: seq(IRS + 1 + at),
      ack: seq(ISS + 1),
      flags,
      window: 65_535,
      urgentPointer: 0,
      options: NO_TCP_OPTIONS,
      payload,
    },
    REMOTE,
    LOCAL,
  );
  const datagram = encodeIpv4(
    { id: at + 1, ttl: 64, protocol: IP_PROTOCOL_TCP, src: REMOTE, dst: LOCAL },
    tcp,
  );
  processing = datagram;
  h.ip.receive(datagram, 0);
  processing = undefined;
  return datagram;
}

describe('TcpSocket.readInPlace', () => {
  it('hands the reader views of the datagram being processed (no copy), and no data events', async () => {
    const { h, socket } = await accepted();
    const seen: Array<{ bytes: number[]; shared: boolean }> = [];
    let dataEvents = 0;
    socket.on('data', () => dataEvents++);
    socket.readInPlace((chunk) => {
      seen.push({ bytes: Array.from(chunk), shared: chunk.buffer === processing?.buffer });
    });
    await tick();
    inject(h, 0, bytes(1000));
    inject(h, 1000, bytes(500, 1000));
    expect(seen.map((s) => s.shared)).toEqual([true, true]);
    expect(seen.flatMap((s) => s.bytes)).toEqual(Array.from(bytes(1500)));
    expect(socket.bytesRead).toBe(1500);
    await tick();
    expect(dataEvents).toBe(0);
  });

  it('a paused reader gets the right bytes later although the datagrams were reused meanwhile', async () => {
    const { h, socket } = await accepted();
    const got: number[] = [];
    let pauseNext = true;
    socket.readInPlace((chunk) => {
      got.push(...chunk);
      if (pauseNext) {
        pauseNext = false;
        return false;
      }
      return true;
    });
    await tick();
    inject(h, 0, bytes(100)).fill(0xee);
    expect(socket.isPaused()).toBe(true);
    // Arrive while paused: lent, left unread, so copied before the datagram is reused.
    inject(h, 100, bytes(200, 100)).fill(0xee);
    inject(h, 300, bytes(300, 300)).fill(0xee);
    expect(got).toHaveLength(100);
    expect(socket.stats().receiveQueue).toBe(500);
    socket.resume();
    await tick();
    expect(got).toEqual(Array.from(bytes(600)));
  });

  it("pause() from outside the reader holds data back; 'end' follows the FIN once it is all read", async () => {
    const { h, socket } = await accepted();
    const got: number[] = [];
    let ended = false;
    socket.on('end', () => {
      ended = true;
    });
    socket.readInPlace((chunk) => {
      got.push(...chunk);
    });
    await tick();
    socket.pause();
    inject(h, 0, bytes(700)).fill(0);
    inject(h, 700, new Uint8Array(0), ACK | FIN);
    await tick();
    expect(got).toEqual([]);
    expect(ended).toBe(false);
    socket.resume();
    await tick();
    await tick();
    expect(got).toEqual(Array.from(bytes(700)));
    expect(ended).toBe(true);
  });

  it("back to 'data' events: chunks are copies the listener may keep", async () => {
    const { h, socket } = await accepted();
    const inPlace: number[] = [];
    socket.readInPlace((chunk) => {
      inPlace.push(...chunk);
    });
    await tick();
    inject(h, 0, bytes(10)).fill(0);
    socket.readInPlace(undefined);
    const kept: Buffer[] = [];
    socket.on('data', (d: Buffer) => kept.push(d));
    inject(h, 10, bytes(20, 10)).fill(0);
    await tick();
    expect(inPlace).toEqual(Array.from(bytes(10)));
    expect(Array.from(Buffer.concat(kept))).toEqual(Array.from(bytes(20, 10)));
  });
  it("back to 'data' events while paused: resume() delivers what came meanwhile and after", async () => {
    const { h, socket } = await accepted();
    socket.readInPlace(() => false); // the reader pauses, as a full sink would make it
    await tick();
    inject(h, 0, bytes(10)).fill(0);
    expect(socket.isPaused()).toBe(true);
    inject(h, 10, bytes(5, 10)).fill(0);
    socket.readInPlace(undefined);
    const kept: Buffer[] = [];
    socket.on('data', (d: Buffer) => kept.push(d));
    socket.resume();
    inject(h, 15, bytes(15, 15)).fill(0);
    for (let i = 0; i < 5; i++) await tick();
    expect(Array.from(Buffer.concat(kept))).toEqual(Array.from(bytes(20, 10)));
  });
});
