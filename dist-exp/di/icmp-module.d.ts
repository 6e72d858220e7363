import { ContainerModule } from 'inversify';
/**
 * ICMP: echo, errors in and out. Registers itself with the IP layer when first resolved. Over Ethernet, the
 * datagrams ARP gives up on come back to their local senders as host unreachable (the layer below cannot
 * import ICMP, so the hook is wired here).
 */
export declare const icmpModule: ContainerModule;
