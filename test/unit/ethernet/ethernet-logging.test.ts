import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LayerLoggers, parseLogSpec } from '../../../src/core/logger.js';
import { parseMac } from '../../../src/core/mac-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { buildNetworkStack } from '../../../src/di/compositions.js';
import { ETHERTYPE_IPV4, encodeEthernetFrame } from '../../../src/layers/ethernet/ethernet-frame.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { memoryConfig } from '../../helpers/memory-stacks.js';
import { MAC_PEER, MAC_US, US } from './ethernet-rig.js';

describe("the 'ethernet' log layer", () => {
  it('--log ethernet=debug shows the Ethernet layer\'s drops, under layer "ethernet"; info hides them', async () => {
    for (const [spec, expected] of [
      ['warn,ethernet=debug', 1],
      ['warn,ip=debug', 0],
    ] as const) {
      const lines: Array<Record<string, unknown>> = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
          done();
        },
      });
      const loggers = new LayerLoggers(parseLogSpec(spec), pino({ base: undefined }, stream));
      const [ours, wire] = MemoryLink.pair(1500, undefined, { medium: 'ethernet', macs: [MAC_US, MAC_PEER] });
      const stack = await buildNetworkStack(memoryConfig(US), {
        baseLink: ours,
        clock: new VirtualClock(),
        loggers,
      });
      wire.send(
        encodeEthernetFrame(parseMac('02:00:00:00:00:99'), MAC_PEER, ETHERTYPE_IPV4, new Uint8Array(40)),
      );
      await new Promise((resolve) => setImmediate(resolve));
      const drops = lines.filter((l) => l.msg === 'frame dropped');
      expect(drops).toHaveLength(expected);
      if (expected > 0) expect(drops[0]).toMatchObject({ layer: 'ethernet', reason: 'dropNotOurMac' });
      await stack.close();
    }
  });
});
