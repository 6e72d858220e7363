import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { EthernetLayer } from '../layers/ethernet/ethernet-layer.js';
import { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import type { RawLink } from '../layers/link/raw-link.js';
import { ContainerModule } from './inversify.js';
import { TOKENS } from './tokens.js';

/**
 * ICMP: echo, errors in and out. Registers itself with the IP layer when first resolved. Over Ethernet, the
 * datagrams ARP gives up on come back to their local senders as host unreachable (the layer below cannot
 * import ICMP, so the hook is wired here).
 */
export const icmpModule = new ContainerModule(({ bind }) => {
  bind<IcmpLayer>(TOKENS.IcmpLayer)
    .toResolvedValue(
      (ip: IPLayer, clock: Clock, log: Logger, link: RawLink) => {
        const icmp = new IcmpLayer(ip, clock, log);
        if (link instanceof EthernetLayer) link.onUnreachable((datagram) => icmp.localUnreachable(datagram));
        return icmp;
      },
      [TOKENS.IPLayer, TOKENS.Clock, TOKENS.IcmpLogger, TOKENS.RawLink],
    )
    .inSingletonScope();
});
