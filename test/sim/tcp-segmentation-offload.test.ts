/**
 * TCP over a link with segmentation offload: A's link (a SegmentingLink) takes super-segments and cuts them
 * as the kernel's TUN driver does, verifying every segment's checksum. Two complete stacks on a VirtualClock
 * move data byte-exact, with A's TCP batching its segments; on an impaired link (the loss applies to the
 * segments as cut) retransmission and RTT sampling stay per segment.
 */
import { describe, expect, it } from 'vitest';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 4 * 1024 * 1024;

describe('TCP over a link with segmentation offload', () => {
  it('on a clean link: byte-exact, sent as super-segments of MSS-sized segments, every checksum right', async () => {
    const stacks = await twoTcpStacks({ segmenting: true });
    const data = pattern(SIZE);
    const { body, sender, receiver } = await transferAtoB(stacks, data);
    expect(body.equals(data)).toBe(true);
    const link = stacks.segmentingLink!;
    const s = sender.stats();
    expect(link.superSegments).toBeGreaterThan(0);
    expect(link.badChecksums).toBe(0);
    // Most data went in super-segments, cut at the MSS.
    expect(link.segmentsCut).toBeGreaterThan(Math.ceil(SIZE / s.mss) / 2);
    expect(new Set(link.segmentSizes)).toEqual(new Set([s.mss]));
    // TCP counts segments as before: one per MSS of data (plus the handshake and FIN).
    expect(s.segmentsSent).toBeGreaterThanOrEqual(Math.ceil(SIZE / s.mss));
    expect(s.retransmitted).toBe(0);
    expect(stacks.a.ip.stats().txSegmented).toBe(link.superSegments);
    expect(receiver.stats().bytesReceived).toBe(SIZE);
    await stacks.close();
  });

  it('with 1% loss and 5 ms on the way out: byte-exact; retransmissions per segment; RTT measured', async () => {
    const stacks = await twoTcpStacks({
      segmenting: true,
      impairment: { ...NO_IMPAIRMENT, loss: 0.01, delayMs: 5, seed: 3 },
    });
    const data = pattern(SIZE);
    const { body, sender } = await transferAtoB(stacks, data);
    expect(body.equals(data)).toBe(true);
    const s = sender.stats();
    const link = stacks.segmentingLink!;
    expect(link.superSegments).toBeGreaterThan(0);
    expect(link.badChecksums).toBe(0);
    expect(s.retransmitted).toBeGreaterThan(0);
    expect(s.srtt).toBeGreaterThanOrEqual(5);
    expect(s.srtt).toBeLessThan(60);
    await stacks.close();
  });

  it('without offload on the same path nothing is batched (control)', async () => {
    const stacks = await twoTcpStacks({});
    const data = pattern(256 * 1024);
    const { body } = await transferAtoB(stacks, data);
    expect(body.equals(data)).toBe(true);
    expect(stacks.a.ip.stats().txSegmented).toBe(0);
    await stacks.close();
  });
});
