import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { localMacFrom } from '../core/mac-address.js';
import { EthernetLayer } from '../layers/ethernet/ethernet-layer.js';
import type { RawLink } from '../layers/link/raw-link.js';
import { ContainerModule } from './inversify.js';
import type { StackConfig } from './stack-config.js';
import { TOKENS } from './tokens.js';

/**
 * The link the IP layer uses. A device that moves IP datagrams (TUN, raw IP socket) is used as it is; one
 * whose medium is Ethernet (TAP, AF_PACKET, a MemoryLink of frames) gets an EthernetLayer with ARP on top,
 * which is itself an IP link. The medium is known only once the device is open, so the choice is made here,
 * when RawLink is resolved, not by separate bindings.
 *
 * pilha's MAC: the device's own (a TAP or AF_PACKET link reports the one it uses, `--mac` included), else
 * StackConfig.mac, else a random locally administered one.
 */
export const ethernetModule = new ContainerModule(({ bind }) => {
  bind<RawLink>(TOKENS.RawLink)
    .toResolvedValue(
      (device: RawLink, config: StackConfig, clock: Clock, log: Logger) => {
        if (device.medium !== 'ethernet') return device;
        const mac = device.mac ?? config.mac ?? localMacFrom(randomBytes(6));
        const prefixLength = config.link.kind === 'raw' ? undefined : config.link.prefixLength;
        const ethernet = new EthernetLayer(device, clock, log, {
          address: config.address,
          mac,
          ...(prefixLength !== undefined ? { prefixLength } : {}),
          ...(config.arp !== undefined ? { arp: config.arp } : {}),
        });
        ethernet.start();
        return ethernet;
      },
      [TOKENS.DeviceLink, TOKENS.StackConfig, TOKENS.Clock, TOKENS.EthernetLogger],
    )
    .inSingletonScope();
});
