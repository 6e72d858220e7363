/**
 * A receiver that at times holds its ACKs, as Linux 6.18 does toward pilha in the loss benchmark (seen in
 * captures on the kernel's side of the TUN device): after a hole is filled it sends nothing more — for as
 * long as 1 s when the sender's RTO allows — until a segment it already holds arrives, which it answers
 * at once with a D-SACK. Acted out on the wire between two pilha stacks: after every third retransmission
 * A sends, B's ACKs are dropped until a duplicate of data B has acknowledged reaches it. With 2% random
 * loss both ways on top, over several seeds, 20 MB arrive byte-exact, and the silence probes (the first
 * unacknowledged segment again after a PTO without an ACK, in recovery too) end every such silence
 * before the retransmission timer does.
 */
import { describe, expect, it } from 'vitest';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { RawLink } from '../../src/layers/link/raw-link.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 20 * 1024 * 1024;
const DATA = pattern(SIZE);
/** Every this many retransmissions from A, B goes silent. */
const SILENT_EVERY = 3;

/** A's end of the link, with B's ACK-withholding acted out; counts the silences. */
class SilentReceiverLink implements RawLink {
  readonly mtu: number;
  silences = 0;
  droppedAcks = 0;
  private silent = false;
  private retransmissions = 0;
  private highestSeqEnd = -1;
  private highestAck = -1;
  private handler: (datagram: Uint8Array) => void = () => {};

  constructor(private readonly inner: RawLink) {
    this.mtu = inner.mtu;
    inner.onReceive((d) => {
      const ack = tcpField(d, 8);
      if (ack >= 0 && (this.highestAck < 0 || seqAfter(ack, this.highestAck))) this.highestAck = ack;
      if (this.silent && ack >= 0) {
        this.droppedAcks++;
        return;
      }
      this.handler(d);
    });
  }

  send(d: Uint8Array): void {
    const seq = tcpField(d, 4);
    const len = tcpPayloadLength(d);
    if (seq >= 0 && len > 0) {
      const end = (seq + len) >>> 0;
      if (this.highestAck >= 0 && !seqAfter(end, this.highestAck)) {
        this.silent = false; // a duplicate of what B has: answered at once
      } else if (this.highestSeqEnd >= 0 && !seqAfter(end, this.highestSeqEnd)) {
        if (++this.retransmissions % SILENT_EVERY === 0 && !this.silent) {
          this.silent = true;
          this.silences++;
        }
      }
      if (this.highestSeqEnd < 0 || seqAfter(end, this.highestSeqEnd)) this.highestSeqEnd = end;
    }
    this.inner.send(d);
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function seqAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** The 32-bit TCP field at `offset` of a TCP datagram (4: sequence number, 8: acknowledgment), or −1. */
function tcpField(d: Uint8Array, offset: number): number {
  if (d.length < 40 || d[9] !== 6) return -1;
  const o = (d[0]! & 0x0f) * 4 + offset;
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

function tcpPayloadLength(d: Uint8Array): number {
  if (d.length < 40 || d[9] !== 6) return 0;
  const ihl = (d[0]! & 0x0f) * 4;
  return ((d[2]! << 8) | d[3]!) - ihl - (d[ihl + 12]! >> 4) * 4;
}

describe('a receiver that holds its ACKs until it gets a duplicate', () => {
  it.each([1, 2, 3])(
    '20 MB through loss 0.02, seed %i: byte-exact, every silence ended by a silence probe, no RTO',
    async (seed) => {
      let link: SilentReceiverLink | undefined;
      const stacks = await twoTcpStacks({
        impairment: { ...NO_IMPAIRMENT, loss: 0.02, delayMs: 0.1, seed },
        wrapLinkA: (inner) => {
          link = new SilentReceiverLink(inner);
          return link;
        },
      });
      const { body, virtualMs, sender } = await transferAtoB(stacks, DATA, 5004);
      const s = sender.stats();
      await stacks.close();
      console.log(
        `silent receiver, seed ${seed}: ${(SIZE / virtualMs / 1000).toFixed(1)} MB/s virtual; ${link!.silences} silences ` +
          `(${link!.droppedAcks} ACKs held); fast retransmits ${s.fastRetransmits}, silence probes ${s.silenceProbes}, timeouts ${s.timeouts}`,
      );
      expect(body.equals(DATA)).toBe(true);
      expect(link!.silences).toBeGreaterThan(10);
      expect(s.silenceProbes).toBeGreaterThanOrEqual(link!.silences);
      expect(s.timeouts).toBe(0);
    },
    120_000,
  );
});
