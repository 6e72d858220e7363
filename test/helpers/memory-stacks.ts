import { parseIpv4 } from '../../src/core/ipv4-address.js';
import { silentLoggers } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { buildPingStack } from '../../src/di/compositions.js';
import type { StackConfig } from '../../src/di/stack-config.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import { ethernetMemoryPair } from './ethernet-stacks.js';

export const ADDRESS_A = parseIpv4('10.9.0.1');
export const ADDRESS_B = parseIpv4('10.9.0.2');

export function memoryConfig(address: number, overrides: Partial<StackConfig> = {}): StackConfig {
  return {
    link: { kind: 'provided' },
    mtu: 1500,
    address,
    reassemblyTimeoutMs: 30_000,
    reassemblyMaxBytes: 4 * 1024 * 1024,
    log: { defaultLevel: 'silent', layers: {} },
    ...overrides,
  };
}

/** Two complete stacks, built by the real container, joined by a MemoryLink on one VirtualClock. */
export async function twoPingStacks(
  mtu = 1500,
  overridesB: Partial<StackConfig> = {},
  { ethernet = false }: { readonly ethernet?: boolean } = {},
) {
  const clock = new VirtualClock();
  // Deliver on the clock (zero delay) so that a reply is not processed inside the request's send() call.
  const [linkA, linkB] = ethernet
    ? ethernetMemoryPair(clock, mtu)
    : MemoryLink.pair(mtu, (run) => clock.setTimer(0, run));
  const a = await buildPingStack(memoryConfig(ADDRESS_A, { mtu }), {
    baseLink: linkA,
    clock,
    loggers: silentLoggers(),
  });
  const b = await buildPingStack(memoryConfig(ADDRESS_B, { mtu, ...overridesB }), {
    baseLink: linkB,
    clock,
    loggers: silentLoggers(),
  });
  return { clock, linkA, linkB, a, b };
}
