import { ContainerModule } from 'inversify';
import { EthernetLayer } from '../layers/ethernet/ethernet-layer.js';
import { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import { TOKENS } from './tokens.js';
/**
 * ICMP: echo, errors in and out. Registers itself with the IP layer when first resolved. Over Ethernet, the
 * datagrams ARP gives up on come back to their local senders as host unreachable (the layer below cannot
 * import ICMP, so the hook is wired here).
 */
export const icmpModule = new ContainerModule(({ bind }) => {
    bind(TOKENS.IcmpLayer)
        .toResolvedValue((ip, clock, log, link) => {
        const icmp = new IcmpLayer(ip, clock, log);
        if (link instanceof EthernetLayer)
            link.onUnreachable((datagram) => icmp.localUnreachable(datagram));
        return icmp;
    }, [TOKENS.IPLayer, TOKENS.Clock, TOKENS.IcmpLogger, TOKENS.RawLink])
        .inSingletonScope();
});
//# sourceMappingURL=icmp-module.js.map