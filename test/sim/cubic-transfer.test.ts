/**
 * 20 MB with CUBIC (the default) between two pilha stacks through random loss, byte-exact. Prints the
 * virtual time and the sender's loss counters (measurements, never asserted as timings).
 */
import { describe, expect, it } from 'vitest';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 20 * 1024 * 1024;

async function transfer(label: string, impairment: Impairment) {
  const stacks = await twoTcpStacks({ impairment });
  const { a } = stacks;
  const data = pattern(SIZE);
  const { body, virtualMs, sender, receiver } = await transferAtoB(stacks, data, 5002);
  expect(body.length).toBe(SIZE);
  expect(body.equals(data)).toBe(true);
  const s = sender.stats();
  console.log(
    `${label}: 20 MB in ${(virtualMs / 1000).toFixed(1)} s virtual (${(SIZE / 1e6 / (virtualMs / 1000)).toFixed(2)} MB/s); ` +
      `cc ${s.congestionControl}, retransmitted ${s.retransmitted}, fast retransmits ${s.fastRetransmits}, timeouts ${s.timeouts}, ` +
      `dropped by the link ${a.link.stats().dropLoss}`,
  );
  const result = { sender: s, receiver: receiver.stats(), linkStats: a.link.stats() };
  await stacks.close();
  return result;
}

describe('20 MB with CUBIC, the default, through random loss', () => {
  it.each([
    [0.01, 11],
    [0.05, 12],
  ])('loss %f both ways, 5 ms each way: byte-exact', async (loss, seed) => {
    const r = await transfer(`CUBIC, ${loss * 100}% loss`, { ...NO_IMPAIRMENT, loss, delayMs: 5, seed });
    expect(r.sender.congestionControl).toBe('cubic');
    expect(r.linkStats.dropLoss).toBeGreaterThan(0);
    expect(r.sender.fastRetransmits).toBeGreaterThan(0);
    expect(r.receiver.bytesReceived).toBe(SIZE);
  });
});
