/**
 * A run of segments the link merged (TcpReadCoalescer: RX_COALESCED with RX_CHECKSUM_VOUCHED): past 65,535
 * bytes its IP total length is 0, which the IP layer reads as the datagram's own length only with the flag;
 * TCP takes the run as one segment.
 */
import { describe, expect, it } from 'vitest';
import { encodeIpv4, finishIpv4Checksum, IP_PROTOCOL_TCP } from '../../../src/layers/ip/ipv4-header.js';
import { RX_CHECKSUM_VOUCHED, RX_COALESCED } from '../../../src/layers/link/raw-link.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import { ACK, bytes, IRS, ISS, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, TcpHarness } from './tcp-harness.js';

/** A run of `length` payload bytes from the peer, as the coalescer hands it up: total length 0. */
function run(length: number, offset = 0): Uint8Array {
  const tcp = encodeTcpSegment(
    {
      srcPort: REMOTE_PORT,
      dstPort: LOCAL_PORT,
      seq: seq(IRS + 1 + offset),
      ack: seq(ISS + 1),
      flags: ACK,
      window: 65_535,
      urgentPointer: 0,
      options: {},
      payload: bytes(length),
    },
    REMOTE,
    LOCAL,
  );
  const datagram = encodeIpv4({ id: 9, ttl: 64, protocol: IP_PROTOCOL_TCP, src: REMOTE, dst: LOCAL }, tcp);
  datagram[2] = 0;
  datagram[3] = 0;
  finishIpv4Checksum(datagram, 0, 20);
  return datagram;
}

describe('a run the link merged', () => {
  it('past 65,535 bytes: taken whole, in order, as one segment', () => {
    const h = new TcpHarness();
    // Window scaling, and a first segment whose ACK opens our window wider than the run (the SYN-ACK's is 64 KB).
    const rec = h.established({ mss: 1460, windowScale: 7 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(1) });
    h.advance(h.config.delayedAckMs);
    expect(h.recv().window << 7).toBeGreaterThan(150_000);
    const segmentsBefore = h.tcp.stats().rxSegments!;
    h.ip.receive(run(150_000, 1), RX_CHECKSUM_VOUCHED | RX_COALESCED);
    expect(rec.received.length).toBe(150_001);
    expect(Buffer.from(rec.received.subarray(1)).equals(Buffer.from(bytes(150_000)))).toBe(true);
    expect(h.tcp.stats()).toMatchObject({ rxSegments: segmentsBefore + 1, dropBadChecksum: 0 });
  });

  it('one that arrives while the IP layer is busy with another (a synchronous link) keeps its flags in the queue', () => {
    const h = new TcpHarness();
    const rec = h.established({ mss: 1460, windowScale: 7 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(1) });
    h.advance(h.config.delayedAckMs);
    h.recv();
    // A datagram whose handler hands the IP layer the run before it returns: the run waits, copied.
    h.ip.registerProtocol(253, () => h.ip.receive(run(150_000, 1), RX_CHECKSUM_VOUCHED | RX_COALESCED));
    h.ip.receive(encodeIpv4({ id: 1, ttl: 64, protocol: 253, src: REMOTE, dst: LOCAL }, bytes(4)));
    expect(h.ip.stats()).toMatchObject({ rxReentrantDeferred: 1, dropBadTotalLength: 0 });
    expect(rec.received.length).toBe(150_001);
    expect(h.tcp.stats()).toMatchObject({ dropBadChecksum: 0 });
  });

  it('the same datagram from a link that merged nothing: a total length of 0 is malformed, dropped and counted', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.ip.receive(run(150_000), RX_CHECKSUM_VOUCHED);
    expect(rec.received.length).toBe(0);
    expect(h.ip.stats()).toMatchObject({ dropBadTotalLength: 1 });
  });
});
