/**
 * Checksums the link vouches for (RX_CHECKSUM_VOUCHED: a TUN device with receive offload hands up the kernel's
 * own segments with the checksum left unfinished, or already verified): TCP takes them without verifying; a
 * segment without the flag is verified as ever, and a reassembled datagram keeps no flag.
 */
import { describe, expect, it } from 'vitest';
import { fragmentIpv4 } from '../../../src/layers/ip/fragmenter.js';
import { IP_PROTOCOL_TCP } from '../../../src/layers/ip/ipv4-header.js';
import { RX_CHECKSUM_VOUCHED } from '../../../src/layers/link/raw-link.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, type TcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import { ACK, bytes, IRS, ISS, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, TcpHarness } from './tcp-harness.js';

/** A segment from the peer with its checksum field as the kernel leaves a partial one: not the checksum. */
function unfinished(fields: Partial<TcpSegment>): Uint8Array {
  const raw = encodeTcpSegment(
    {
      srcPort: REMOTE_PORT,
      dstPort: LOCAL_PORT,
      seq: seq(IRS + 1),
      ack: seq(ISS + 1),
      flags: ACK,
      window: 65_535,
      urgentPointer: 0,
      options: {},
      payload: new Uint8Array(0),
      ...fields,
    },
    REMOTE,
    LOCAL,
  );
  raw[16]! ^= 0x5a;
  return raw;
}

describe('TCP checksums the link vouches for', () => {
  it('takes a data segment with a vouched-for checksum without verifying it', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.sendRaw(unfinished({ payload: bytes(500) }), RX_CHECKSUM_VOUCHED);
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(500)));
    expect(h.tcp.stats()).toMatchObject({ rxChecksumsVouched: 1, dropBadChecksum: 0 });
  });

  it('verifies, and drops, the same segment without the flag', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.sendRaw(unfinished({ payload: bytes(500) }), 0);
    expect(rec.received.length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ rxChecksumsVouched: 0, dropBadChecksum: 1 });
  });

  it('takes a vouched-for pure ACK by the fast path', () => {
    const h = new TcpHarness();
    h.established();
    const conn = h.accepted[0]!;
    conn.write(bytes(100));
    h.recv();
    h.sendRaw(unfinished({ ack: seq(ISS + 101) }), RX_CHECKSUM_VOUCHED);
    expect(conn.writeQueued).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ rxPureAcksFast: 1, dropBadChecksum: 0 });
  });

  it('verifies a datagram reassembled from fragments, whatever flags its fragments came with', () => {
    const h = new TcpHarness();
    const rec = h.established();
    const tcp = unfinished({ payload: bytes(3000) });
    const fragments = fragmentIpv4(
      { id: 99, ttl: 64, protocol: IP_PROTOCOL_TCP, src: REMOTE, dst: LOCAL },
      tcp,
      1500,
    );
    expect(fragments.length).toBeGreaterThan(1);
    for (const f of fragments) h.ip.receive(f, RX_CHECKSUM_VOUCHED);
    expect(h.ip.stats().reassembled).toBe(1);
    expect(rec.received.length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ rxChecksumsVouched: 0, dropBadChecksum: 1 });
  });
});
