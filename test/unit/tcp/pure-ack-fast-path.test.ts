/**
 * The pure-ACK fast path (pure-ack-parser.ts): a bare ACK for an established connection is parsed into the
 * layer's one reusable segment and processed as any other; everything else takes the ordinary parser.
 */
import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  bytes,
  FIN,
  IRS,
  ISS,
  LOCAL,
  LOCAL_PORT,
  REMOTE,
  REMOTE_PORT,
  TcpHarness,
} from './tcp-harness.js';

describe('TCP pure-ACK fast path', () => {
  it('takes the ACK of our data by the fast path, with the same effect as the ordinary parser', () => {
    const h = new TcpHarness();
    h.established();
    const conn = h.accepted[0]!;
    conn.write(bytes(1000));
    expect(h.recv().payload.length).toBe(1000);
    expect(conn.writeQueued).toBe(1000);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 600 });
    expect(conn.writeQueued).toBe(400);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 1000, window: 1234 });
    expect(conn.writeQueued).toBe(0);
    expect(conn.stats().sndWnd).toBe(1234);
    expect(h.tcp.stats().rxPureAcksFast).toBe(2);
  });

  it('with timestamps, takes the timestamp option (TS.Recent follows it)', () => {
    const h = new TcpHarness();
    h.established({ mss: 1460, timestamp: { value: 100, echo: 0 } });
    const conn = h.accepted[0]!;
    conn.write(bytes(10));
    const data = h.recv();
    const echo = data.options.timestamp!.value;
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 11, options: { timestamp: { value: 200, echo } } });
    expect(h.tcp.stats().rxPureAcksFast).toBe(1);
    expect(conn.writeQueued).toBe(0);
    // Our next segment echoes the ACK's TSval.
    conn.write(bytes(10));
    expect(h.recv().options.timestamp!.echo).toBe(200);
  });

  it('leaves segments with a payload, a FIN or SACK blocks to the ordinary parser', () => {
    const h = new TcpHarness();
    h.established({ mss: 1460, sackPermitted: true });
    const before = h.tcp.stats().rxSegments!;
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(10) });
    h.send({
      flags: ACK,
      seq: IRS + 11,
      ack: ISS + 1,
      options: { sack: [{ left: seq(ISS + 1), right: seq(ISS + 1) }] },
    });
    h.send({ flags: ACK | FIN, seq: IRS + 11, ack: ISS + 1 });
    expect(h.tcp.stats().rxPureAcksFast).toBe(0);
    expect(h.tcp.stats().rxSegments! - before).toBe(3);
    // All three were processed: the data and the FIN are acknowledged.
    expect(h.recvAll().at(-1)!.ack).toBe(IRS + 12);
  });

  it('drops a pure ACK with a bad checksum, counted as the ordinary parser counts it', () => {
    const h = new TcpHarness();
    h.established();
    const conn = h.accepted[0]!;
    conn.write(bytes(100));
    h.recv();
    const raw = encodeTcpSegment(
      {
        srcPort: REMOTE_PORT,
        dstPort: LOCAL_PORT,
        seq: seq(IRS + 1),
        ack: seq(ISS + 101),
        flags: ACK,
        window: 65_535,
        urgentPointer: 0,
        options: {},
        payload: new Uint8Array(0),
      },
      REMOTE,
      LOCAL,
    );
    raw[16]! ^= 0x55;
    h.sendRaw(raw);
    expect(conn.writeQueued).toBe(100);
    expect(h.tcp.stats().dropBadChecksum).toBe(1);
    expect(h.tcp.stats().rxPureAcksFast).toBe(0);
  });
});
