/**
 * The sender's clock readings per segment: a bulk sender reads the Clock once per new data segment (its
 * send time serves RTT timing, the scoreboard entry and its TSval alike), not once for each of them (three,
 * before); at 700k segments per GB, a performance.now() each was measurable. Both stacks share the clock,
 * so the readings counted are those made while a new segment is sent (TcpSender.sendNew on the stack).
 */
import { describe, expect, it, vi } from 'vitest';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 4 * 1024 * 1024;

describe('clock readings of a bulk sender', () => {
  it('about one per new segment sent (with the receiver sharing the clock)', async () => {
    const stacks = await twoTcpStacks({ segmenting: true });
    const data = pattern(SIZE);
    const clock = stacks.clock;
    const read = clock.now.bind(clock);
    let reads = 0;
    const now = vi.spyOn(clock, 'now').mockImplementation(() => {
      if (new Error().stack?.includes('sendNew') === true) reads++;
      return read();
    });
    const { body, sender } = await transferAtoB(stacks, data);
    now.mockRestore();
    expect(body.equals(data)).toBe(true);
    const segments = sender.stats().segmentsSent;
    expect(segments).toBeGreaterThanOrEqual(Math.ceil(SIZE / sender.stats().mss));
    // One per segment; a few more where a segment also (re)arms a timer.
    expect(reads / segments).toBeGreaterThanOrEqual(1);
    expect(reads / segments).toBeLessThan(1.5);
    await stacks.close();
  });
});
