import { describe, expect, it } from 'vitest';
import { parseMac } from '../../../src/core/mac-address.js';
import { NO_OFFLOAD, type OffloadState } from '../../../src/layers/link/offload/vnet-header-link.js';
import { fakeLibc, TestPacketLink } from './offload/vnet-header-links.js';

const MAC = parseMac('02:00:00:00:00:01');
const VNET: OffloadState = { vnetHeader: true, offload: true, receiveOffload: true };

/** An IPv4 frame of `length` bytes to pilha's MAC from another. */
function frame(length: number): Uint8Array {
  const f = new Uint8Array(length);
  f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 0x45], 0);
  return f;
}

function linkWith(offload: OffloadState, ignoresOutgoing = true) {
  const { libc } = fakeLibc();
  const link = TestPacketLink.make(libc, offload, MAC, ignoresOutgoing);
  const received: number[] = [];
  link.onReceive((f) => received.push(f.length));
  return { link, received };
}

describe('PacketLink receive side', () => {
  it('with PACKET_VNET_HDR: a GSO frame the reader unwrapped (64 KB) goes up whole, nothing else done to it', () => {
    const { link, received } = linkWith(VNET);
    link.deliver(frame(14 + 65_000));
    link.deliver(frame(60));
    expect(received).toEqual([14 + 65_000, 60]);
    expect(link.stats()).toMatchObject({
      rxPackets: 2,
      rxDropOversize: 0,
      rxChecksumsCompleted: 0,
      offload: 1,
      rxOffload: 1,
    });
  });

  it('without it: a frame longer than the MTU allows is dropped and counted (a super-frame the kernel could not describe)', () => {
    const { link, received } = linkWith(NO_OFFLOAD);
    expect(link.segmentation).toBeUndefined();
    link.deliver(frame(14 + 65_000));
    link.deliver(frame(1500 + 18));
    link.deliver(frame(1500 + 19));
    expect(received).toEqual([1500 + 18]);
    expect(link.stats()).toMatchObject({ rxPackets: 1, rxDropOversize: 2, offload: 0, rxOffload: 0 });
  });

  it("on a kernel that shows a socket its own frames: pilha's own are skipped, with or without the header", () => {
    for (const offload of [VNET, NO_OFFLOAD]) {
      const { link, received } = linkWith(offload, false);
      const own = frame(60);
      own.set([2, 0, 0, 0, 0, 1], 6); // from pilha's MAC
      link.deliver(own);
      link.deliver(frame(60));
      expect(received).toEqual([60]);
      expect(link.stats()).toMatchObject({ ignoredOwnFrames: 1, rxPackets: 1 });
    }
  });
});
