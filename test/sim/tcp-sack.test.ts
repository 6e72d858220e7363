/**
 * SACK between two pilha stacks over a seeded ImpairedLink (loss, reordering, duplication) on a
 * VirtualClock: 20 MB byte-exact, the receiver's ACKs watched on the wire. They carry SACK blocks while
 * data is held past a hole and D-SACK blocks for the duplicates, every block within the window the ACK
 * describes; the sender, which ignores SACK for now (RFC 2018 allows it), still delivers every byte.
 */
import { describe, expect, it } from 'vitest';
import { IP_PROTOCOL_TCP, parseIpv4 } from '../../src/layers/ip/ipv4-header.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { seqDiff } from '../../src/transport/tcp/wire/seq.js';
import { isTcpParseError, parseTcpSegment } from '../../src/transport/tcp/wire/tcp-header.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 20 * 1024 * 1024;

interface WireCounts {
  acks: number;
  withSack: number;
  blocks: number;
  dsack: number;
  maxBlocks: number;
  badBlocks: number;
  malformed: number;
  synSackPermitted: number;
}

async function transfer(
  impairment: Impairment,
  sack = true,
): Promise<{ wire: WireCounts; retransmitted: number }> {
  const stacks = await twoTcpStacks({ impairment, tcp: { sack } });
  const { links } = stacks;
  const wire: WireCounts = {
    acks: 0,
    withSack: 0,
    blocks: 0,
    dsack: 0,
    maxBlocks: 0,
    badBlocks: 0,
    malformed: 0,
    synSackPermitted: 0,
  };
  // Watch what the receiver (B) sends, as it leaves B's end of the link.
  const linkB = links[1];
  const send = linkB.send.bind(linkB);
  linkB.send = (datagram: Uint8Array): void => {
    const d = parseIpv4(datagram);
    if (typeof d !== 'string' && d.protocol === IP_PROTOCOL_TCP) {
      const seg = parseTcpSegment(d.payload, d.src, d.dst);
      if (isTcpParseError(seg)) wire.malformed++;
      else {
        if (seg.options.sackPermitted) wire.synSackPermitted++;
        wire.acks++;
        const blocks = seg.options.sack;
        if (blocks !== undefined) {
          wire.withSack++;
          wire.blocks += blocks.length;
          wire.maxBlocks = Math.max(wire.maxBlocks, blocks.length);
          const first = blocks[0]!;
          // RFC 2883 §5: a D-SACK lies below the cumulative ACK, or inside the second block.
          const second = blocks[1];
          const dsack =
            seqDiff(seg.ack, first.right) >= 0 ||
            (second !== undefined &&
              seqDiff(first.left, second.left) >= 0 &&
              seqDiff(second.right, first.right) >= 0);
          if (dsack) wire.dsack++;
          for (const [i, block] of blocks.entries()) {
            const size = seqDiff(block.right, block.left);
            // Every normal block lies above the cumulative ACK and is no bigger than the window.
            const above = (i === 0 && dsack) || seqDiff(block.left, seg.ack) > 0;
            if (size <= 0 || size > 4 * 1024 * 1024 || !above) wire.badBlocks++;
          }
        }
      }
    }
    send(datagram);
  };
  const data = pattern(SIZE);
  const { body, sender } = await transferAtoB(stacks, data);
  expect(body.length).toBe(SIZE);
  expect(body.equals(data)).toBe(true);
  const retransmitted = sender.stats().retransmitted;
  await stacks.close();
  return { wire, retransmitted };
}

describe('SACK between two pilha stacks, 20 MB over an impaired link', () => {
  it.each([
    [
      'loss 1%, reorder 2%, duplicate 1%',
      { ...NO_IMPAIRMENT, loss: 0.01, reorder: 0.02, duplicate: 0.01, delayMs: 2, seed: 11 },
    ],
    ['loss 3%, reorder 3%', { ...NO_IMPAIRMENT, loss: 0.03, reorder: 0.03, delayMs: 1, seed: 5 }],
  ])('%s: byte-exact; SACK and D-SACK blocks on the wire, well formed', async (_label, impairment) => {
    const { wire } = await transfer(impairment);
    console.log(`SACK on the wire (${_label}):`, wire);
    expect(wire.malformed).toBe(0);
    expect(wire.synSackPermitted).toBe(1);
    expect(wire.withSack).toBeGreaterThan(50);
    expect(wire.dsack).toBeGreaterThan(0);
    expect(wire.maxBlocks).toBeGreaterThan(1);
    expect(wire.maxBlocks).toBeLessThanOrEqual(3); // timestamps are on: three blocks fit
    expect(wire.badBlocks).toBe(0);
  });

  it('with sack off: byte-exact, and no SACK option at all', async () => {
    const { wire } = await transfer(
      { ...NO_IMPAIRMENT, loss: 0.01, reorder: 0.02, delayMs: 2, seed: 11 },
      false,
    );
    expect(wire.synSackPermitted).toBe(0);
    expect(wire.withSack).toBe(0);
  });
});
