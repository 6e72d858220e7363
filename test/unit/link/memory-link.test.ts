import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';

function collect(link: MemoryLink): Uint8Array[] {
  const got: Uint8Array[] = [];
  link.onReceive((d) => got.push(d.slice()));
  return got;
}

describe('MemoryLink', () => {
  it('delivers synchronously, in order, both ways', () => {
    const [a, b] = MemoryLink.pair();
    const atA = collect(a);
    const atB = collect(b);
    a.send(Uint8Array.of(1, 2, 3));
    a.send(Uint8Array.of(4));
    expect(atB).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    b.send(Uint8Array.of(9, 9));
    expect(atA).toEqual([Uint8Array.of(9, 9)]);
  });

  it('gives the receiver its own copy, so the sender may reuse its buffer', () => {
    const [a, b] = MemoryLink.pair();
    let seen: Uint8Array | undefined;
    b.onReceive((d) => {
      seen = d;
    });
    const buf = Uint8Array.of(1, 2, 3);
    a.send(buf);
    buf.fill(0);
    expect(seen).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('drops and counts datagrams larger than the MTU', () => {
    const [a, b] = MemoryLink.pair(100);
    const atB = collect(b);
    expect(a.mtu).toBe(100);
    a.send(new Uint8Array(101));
    a.send(new Uint8Array(100));
    expect(atB).toHaveLength(1);
    expect(a.stats()).toMatchObject({ txPackets: 1, txBytes: 100, dropTooBig: 1 });
    expect(b.stats()).toMatchObject({ rxPackets: 1, rxBytes: 100 });
  });

  it('drops and counts after either end is closed', async () => {
    const [a, b] = MemoryLink.pair();
    const atB = collect(b);
    await b.close();
    a.send(Uint8Array.of(1));
    expect(atB).toHaveLength(0);
    expect(a.stats().dropClosed).toBe(1);
    await a.close();
    a.send(Uint8Array.of(1));
    expect(a.stats().dropClosed).toBe(2);
  });

  it('hands each datagram to the deliver scheduler when one is given', () => {
    const clock = new VirtualClock();
    const [a, b] = MemoryLink.pair(1500, (run) => clock.setTimer(5, run));
    const atB = collect(b);
    a.send(Uint8Array.of(7));
    expect(atB).toHaveLength(0);
    clock.advance(4);
    expect(atB).toHaveLength(0);
    clock.advance(1);
    expect(atB).toEqual([Uint8Array.of(7)]);
  });

  it('receive() injects a datagram as if from the peer', () => {
    const [a] = MemoryLink.pair();
    const atA = collect(a);
    a.receive(Uint8Array.of(5, 6));
    expect(atA).toEqual([Uint8Array.of(5, 6)]);
    expect(a.stats()).toMatchObject({ rxPackets: 1, rxBytes: 2 });
  });
});
