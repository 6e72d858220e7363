/**
 * What an idle ESTABLISHED connection holds: the parts made on first use are not there until then, and
 * behave as before once they are.
 */
import { describe, expect, it } from 'vitest';
import { HttpApp } from '../../../src/app/http-app.js';
import { PilhaStreamTransport } from '../../../src/transport/socket/pilha-stream-transport.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import {
  CONNECTION_COUNTERS,
  newConnectionCounters,
} from '../../../src/transport/tcp/connection/tcp-connection-types.js';
import { TcpState } from '../../../src/transport/tcp/connection/tcp-state.js';
import type { LossRecovery } from '../../../src/transport/tcp/recovery/loss-recovery.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { ACK, bytes, expectSegment, FIN, IRS, ISS, PSH, RST, SYN, TcpHarness } from './tcp-harness.js';

const SACK_SYN = { mss: 1460, sackPermitted: true };

const recoveryOf = (c: TcpConnection) => (c as unknown as { recovery: LossRecovery }).recovery;
const hystartOf = (c: TcpConnection) =>
  (c as unknown as { sender: { cc: { hystart?: unknown } } }).sender.cc.hystart;

describe('an idle connection', () => {
  it('has every counter at zero, in one object with exactly the counters named', () => {
    const counts = newConnectionCounters();
    expect(Object.keys(counts).sort()).toEqual([...CONNECTION_COUNTERS].sort());
    expect(Object.values(counts).every((v) => v === 0)).toBe(true);
  });

  it('keeps no SACK scoreboard while it has sent nothing, however much it receives', () => {
    const h = new TcpHarness();
    const rec = h.established(SACK_SYN);
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(500) });
    h.advance(40);
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 501 });
    expect(rec.received).toHaveLength(500);
    expect(recoveryOf(rec.conn).sack).toBeUndefined();
  });

  it('holds no HyStart++ state until slow start first grows its window', () => {
    const h = new TcpHarness();
    const rec = h.established();
    expect(hystartOf(rec.conn)).toBeUndefined();
    // A full initial window (3 segments), so that its ACK grows cwnd (RFC 7661: only a window in use grows).
    rec.conn.write(bytes(3 * 1460));
    expect(h.recvAll()).toHaveLength(3);
    expect(hystartOf(rec.conn)).toBeUndefined();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 3 * 1460 });
    expect(hystartOf(rec.conn)).toBeDefined();
  });

  it('makes the scoreboard with its first data, which then recovers a loss as before', () => {
    const h = new TcpHarness();
    const rec = h.established(SACK_SYN);
    rec.conn.write(bytes(3 * 1460));
    const sent = h.recvAll();
    expect(sent).toHaveLength(3);
    expect(recoveryOf(rec.conn).sack).toBeDefined();
    // The first segment is lost: three SACKs of the others (RFC 6675) retransmit it.
    const sack = (end: number) => ({ sack: [{ left: seq(ISS + 1 + 1460), right: seq(end) }] });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, options: sack(ISS + 1 + 2 * 1460) });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, options: sack(ISS + 1 + 3 * 1460) });
    const again = h.recvAll().filter((s) => s.payload.length > 0);
    expect(again.length).toBeGreaterThanOrEqual(1);
    expectSegment(again[0]!, { flags: 'ACK', seq: ISS + 1, payload: 1460 });
  });

  it('lets its scoreboard go in TIME_WAIT, and still answers a retransmitted FIN there', () => {
    const h = new TcpHarness();
    const rec = h.established(SACK_SYN);
    rec.conn.write(bytes(100));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    expect(recoveryOf(rec.conn).sack).toBeDefined();
    rec.conn.shutdown();
    expectSegment(h.recv(), { flags: 'FIN|ACK', seq: ISS + 101 });
    h.send({ flags: ACK | FIN, seq: IRS + 1, ack: ISS + 102 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 102, ack: IRS + 2 });
    expect(rec.conn.state).toBe(TcpState.TIME_WAIT);
    expect(recoveryOf(rec.conn).sack).toBeUndefined();
    h.send({ flags: ACK | FIN, seq: IRS + 1, ack: ISS + 102 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 102, ack: IRS + 2 });
    expect(rec.conn.state).toBe(TcpState.TIME_WAIT);
  });

  it('makes no idle-timer callback for a socket without setTimeout(); with one, it times out as before', async () => {
    const h = new TcpHarness();
    const transport = new PilhaStreamTransport(h.tcp, h.clock);
    const sockets: TcpSocket[] = [];
    await transport.createServer((s) => sockets.push(s)).listen(80);
    h.send({ flags: SYN, seq: IRS, options: { mss: 1460 } });
    h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const socket = sockets[0]!;
    const callbackOf = () => (socket as unknown as { idleTimerCallback: unknown }).idleTimerCallback;
    expect(callbackOf()).toBeUndefined();
    let timeouts = 0;
    socket.setTimeout(1000, () => timeouts++);
    expect(callbackOf()).toBeTypeOf('function');
    h.advance(999);
    expect(timeouts).toBe(0);
    h.advance(1);
    expect(timeouts).toBe(1);
  });

  /** A pilha server on the harness's stack with `count` connections accepted (remote ports 40000…). */
  async function accepted(h: TcpHarness, count: number, onConnection?: (s: TcpSocket) => void) {
    const transport = new PilhaStreamTransport(h.tcp, h.clock);
    const sockets: TcpSocket[] = [];
    const server = transport.createServer((s) => {
      sockets.push(s);
      onConnection?.(s);
    });
    await server.listen(80);
    for (let i = 0; i < count; i++) {
      const srcPort = 40_000 + i;
      h.send({ flags: SYN, seq: IRS, srcPort, options: { mss: 1460 } });
      h.recv();
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort });
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(sockets).toHaveLength(count);
    return { server, sockets };
  }

  it("holds no 'close' listener of the server's, which still hears its close", async () => {
    const h = new TcpHarness();
    const { server, sockets } = await accepted(h, 1);
    const socket = sockets[0]!;
    expect(socket.listenerCount('close')).toBe(0);
    expect(server.connectionCount).toBe(1);
    let closed = false;
    const serverClosed = server.close().then(() => {
      closed = true;
    });
    socket.destroy();
    await serverClosed;
    expect(closed).toBe(true);
    expect(server.connectionCount).toBe(0);
  });

  it("under HttpApp (no summaries), a silent connection has only the 'close' listener the app shares and no state; node:http comes with its first bytes", async () => {
    const h = new TcpHarness();
    const app = new HttpApp({ clock: h.clock });
    const { sockets } = await accepted(h, 2, (s) => app.handleConnection(s));
    const [a, b] = sockets as [TcpSocket, TcpSocket];
    // node:http not handed the sockets yet (TCP_DEFER_ACCEPT): no parser, no listeners of its own.
    expect([a.deferred, b.deferred]).toEqual([true, true]);
    expect(a.listenerCount('close')).toBe(1);
    expect(a.listeners('close')).toEqual(b.listeners('close'));
    const active = (app as unknown as { active: Map<unknown, unknown> }).active;
    expect(active.size).toBe(2);
    // The second it was accepted, a small integer: no object.
    expect(active.get(a)).toBeTypeOf('number');
    expect(app.totals().activeConnections).toBe(2);
    // The first bytes hand it to node:http, which answers the request.
    h.send({
      flags: ACK | PSH,
      seq: IRS + 1,
      ack: ISS + 1,
      srcPort: 40_000,
      payload: Buffer.from('GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n'),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.deferred).toBe(false);
    expect(a.listenerCount('close')).toBeGreaterThanOrEqual(2);
    // node:http's wrappers of on/addListener/prependListener (closures kept per socket) were not installed.
    expect(
      Object.hasOwn(a, 'on') || Object.hasOwn(a, 'addListener') || Object.hasOwn(a, 'prependListener'),
    ).toBe(false);
    h.advance(1);
    const reply = h
      .recvAll()
      .map((seg) => Buffer.from(seg.payload).toString('latin1'))
      .join('');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(b.deferred).toBe(true);
    a.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.totals().activeConnections).toBe(1);
    expect(app.totals().connections).toBe(2);
    await app.close();
  });

  it('under HttpApp, a connection silent past headersTimeout is answered 408 and closed, as node:http does; one that closes silent is never handed over', async () => {
    const h = new TcpHarness();
    const app = new HttpApp({ clock: h.clock });
    const { sockets } = await accepted(h, 2, (s) => app.handleConnection(s));
    const [a, b] = sockets as [TcpSocket, TcpSocket];
    let handed = 0;
    app.httpServer.on('connection', () => handed++);
    // b is reset by its peer having sent nothing: closed, never handed to node:http.
    h.send({ flags: RST, seq: IRS + 1, srcPort: 40_001 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.destroyed).toBe(true);
    expect(app.totals().activeConnections).toBe(1);
    // node:http's 60 s, looked at every 30 s: closed at the check after 60 s, not before.
    h.advance(59_000);
    h.recvAll();
    expect(a.deferred).toBe(true);
    h.advance(1_000);
    // What end() wrote goes out after the current task (TcpConnection.flushSoon).
    await new Promise((resolve) => setImmediate(resolve));
    const sent = h.recvAll();
    expect(Buffer.concat(sent.map((seg) => Buffer.from(seg.payload))).toString('latin1')).toBe(
      'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    expect(sent.some((seg) => (seg.flags & FIN) !== 0)).toBe(true);
    expect(handed).toBe(0);
    await app.close();
  });

  it('keeps the summary state under HttpApp when summaries are reported', async () => {
    const h = new TcpHarness();
    const closed: unknown[] = [];
    const app = new HttpApp({ onConnectionClosed: (s) => closed.push(s) });
    const { sockets } = await accepted(h, 1, (s) => app.handleConnection(s));
    const active = (app as unknown as { active: Map<unknown, unknown> }).active;
    expect(active.get(sockets[0])).toBeDefined();
    sockets[0]!.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual([
      expect.objectContaining({ remoteAddress: '10.0.0.1', remotePort: 40_000, requests: 0 }),
    ]);
  });
});
