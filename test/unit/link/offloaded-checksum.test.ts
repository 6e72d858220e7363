import { describe, expect, it } from 'vitest';
import { foldSum } from '../../../src/core/checksum.js';
import { completeOffloadedTcpChecksum } from '../../../src/layers/link/raw-socket/offloaded-checksum.js';
import { parseTcpSegment, tcpPseudoHeaderSum } from '../../../src/transport/tcp/wire/tcp-header.js';
import { LOCALHOST, tcpDatagram } from './raw-link-datagrams.js';

/** What the kernel leaves in the field when it offloads the checksum: the folded pseudo-header sum. */
function offloaded(datagram: Uint8Array): Uint8Array {
  const copy = datagram.slice();
  const partial = foldSum(tcpPseudoHeaderSum(LOCALHOST, LOCALHOST, copy.length - 20));
  copy[36] = partial >>> 8;
  copy[37] = partial & 0xff;
  return copy;
}

const segmentOf = (d: Uint8Array) => parseTcpSegment(d.subarray(20), LOCALHOST, LOCALHOST);

describe('completeOffloadedTcpChecksum', () => {
  for (const size of [0, 1, 129, 1460, 65_000]) {
    it(`finishes the checksum of a ${size}-byte segment the kernel left partial`, () => {
      const payload = new Uint8Array(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
      const correct = tcpDatagram({ payload });
      const partial = offloaded(correct);
      expect(segmentOf(partial)).toBe('bad-checksum');
      expect(completeOffloadedTcpChecksum(partial)).toBe(true);
      expect(Buffer.from(partial).equals(Buffer.from(correct))).toBe(true);
      expect(typeof segmentOf(partial)).toBe('object');
    });
  }

  it('leaves a complete checksum alone, and a corrupted one for TCP to reject', () => {
    const correct = tcpDatagram({ payload: new Uint8Array([1, 2, 3]) });
    const copy = correct.slice();
    expect(completeOffloadedTcpChecksum(copy)).toBe(false);
    expect(copy).toEqual(correct);
    copy[41] = 0xee;
    expect(completeOffloadedTcpChecksum(copy)).toBe(false);
    expect(segmentOf(copy)).toBe('bad-checksum');
  });

  it('does not read past a total length the buffer does not back', () => {
    const partial = offloaded(tcpDatagram({ payload: new Uint8Array(40) }));
    const truncated = partial.subarray(0, partial.length - 10);
    expect(completeOffloadedTcpChecksum(truncated)).toBe(false);
    expect(completeOffloadedTcpChecksum(partial.subarray(0, 30))).toBe(false);
  });
});
