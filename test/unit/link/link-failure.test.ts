import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/core/counters.js';
import { PilhaError } from '../../../src/core/errors.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { EthernetLayer } from '../../../src/layers/ethernet/ethernet-layer.js';
import { ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import { NO_IMPAIRMENT } from '../../../src/layers/link/decorators/impairment.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import type { RawLink } from '../../../src/layers/link/raw-link.js';
import { MAC_US, US } from '../ethernet/ethernet-rig.js';

describe('a link that fails for good', () => {
  it('is told through every layer and decorator above it, to the one handler the command set', () => {
    let fail: ((error: PilhaError) => void) | undefined;
    const device: RawLink = {
      mtu: 1500,
      medium: 'ethernet',
      mac: MAC_US,
      send: () => {},
      onReceive: () => {},
      onFailure: (handler) => {
        fail = handler;
      },
      stats: () => new Counters([]).snapshot(),
      close: async () => {},
    };
    const eth = new EthernetLayer(device, new VirtualClock(), silentLoggers().for('ethernet'), {
      address: US,
      mac: MAC_US,
    });
    const top: RawLink = new PcapLink(
      new ImpairedLink(eth, NO_IMPAIRMENT, new VirtualClock()),
      new PcapWriter('/dev/null'),
    );
    const told: string[] = [];
    top.onFailure?.((error) => told.push(error.message));
    expect(fail).toBeDefined();
    fail?.(new PilhaError('ERAWLINK', 'the interface veth0 is gone'));
    expect(told).toEqual(['the interface veth0 is gone']);
  });
});
