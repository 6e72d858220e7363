import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { RawReceiveFilter } from '../../../src/layers/link/raw-socket/raw-receive-filter.js';
import { LOCALHOST, tcpDatagram } from './raw-link-datagrams.js';

describe('RawReceiveFilter', () => {
  const filter = new RawReceiveFilter(LOCALHOST, [7000, 7001]);

  it("accepts TCP to pilha's own address and each claimed port", () => {
    expect(filter.accepts(tcpDatagram({ dstPort: 7000 }))).toBe(true);
    expect(filter.accepts(tcpDatagram({ dstPort: 7001, payload: new Uint8Array(100) }))).toBe(true);
  });

  it("ignores pilha's own outgoing segments looping back: from its port, to the client's", () => {
    expect(filter.accepts(tcpDatagram({ srcPort: 7000, dstPort: 40_000 }))).toBe(false);
  });

  it('ignores other ports and other addresses', () => {
    expect(filter.accepts(tcpDatagram({ dstPort: 7002 }))).toBe(false);
    expect(filter.accepts(tcpDatagram({ dstPort: 80 }))).toBe(false);
    expect(filter.accepts(tcpDatagram({ dst: parseIpv4('127.0.0.2') }))).toBe(false);
    expect(filter.accepts(tcpDatagram({ dst: parseIpv4('10.0.0.1') }))).toBe(false);
  });

  it('ignores what is not TCP over IPv4', () => {
    expect(filter.accepts(tcpDatagram({ protocol: 17 }))).toBe(false);
    const v6 = tcpDatagram();
    v6[0] = 0x65;
    expect(filter.accepts(v6)).toBe(false);
  });

  it('ignores fragments (the kernel reassembles before raw delivery)', () => {
    expect(filter.accepts(tcpDatagram({ moreFragments: true }))).toBe(false);
    expect(filter.accepts(tcpDatagram({ fragmentOffset: 8 }))).toBe(false);
  });

  it('ignores truncated datagrams without reading past them', () => {
    const whole = tcpDatagram();
    for (const length of [0, 1, 19, 20, 21, 23]) {
      expect(filter.accepts(whole.subarray(0, length))).toBe(false);
    }
    expect(filter.accepts(whole.subarray(0, 24))).toBe(true);
    const badIhl = tcpDatagram();
    badIhl[0] = 0x44; // 16-byte header: shorter than the minimum
    expect(filter.accepts(badIhl)).toBe(false);
    const longIhl = tcpDatagram();
    longIhl[0] = 0x4f; // 60-byte header: the port would lie past the 40 bytes there are
    expect(filter.accepts(longIhl)).toBe(false);
  });
});
