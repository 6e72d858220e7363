import { ContainerModule } from 'inversify';
/**
 * The link the IP layer uses. A device that moves IP datagrams (TUN, raw IP socket) is used as it is; one
 * whose medium is Ethernet (TAP, AF_PACKET, a MemoryLink of frames) gets an EthernetLayer with ARP on top,
 * which is itself an IP link. The medium is known only once the device is open, so the choice is made here,
 * when RawLink is resolved, not by separate bindings.
 *
 * pilha's MAC: the device's own (a TAP or AF_PACKET link reports the one it uses, `--mac` included), else
 * StackConfig.mac, else a random locally administered one.
 */
export declare const ethernetModule: ContainerModule;
