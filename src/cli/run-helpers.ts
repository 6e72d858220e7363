import type { NetworkStack } from '../di/compositions.js';

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** One JSON line with every layer's counters, for people and for tests. */
export function printStats(stack: NetworkStack): void {
  const stats = { link: stack.link.stats(), ip: stack.ip.stats(), icmp: stack.icmp.stats() };
  process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
}
