import { parseMac } from '../../src/core/mac-address.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';

/** The MACs of stack A's and stack B's ends of an Ethernet MemoryLink pair. */
export const MAC_A = parseMac('02:00:00:00:0a:01');
export const MAC_B = parseMac('02:00:00:00:0b:02');

/** A MemoryLink pair that moves Ethernet frames, delivering on the clock (zero delay) or synchronously. */
export function ethernetMemoryPair(
  clock: VirtualClock,
  mtu = 1500,
  synchronous = false,
): [MemoryLink, MemoryLink] {
  return MemoryLink.pair(mtu, synchronous ? (run) => run() : (run) => clock.setTimer(0, run), {
    medium: 'ethernet',
    macs: [MAC_A, MAC_B],
  });
}
