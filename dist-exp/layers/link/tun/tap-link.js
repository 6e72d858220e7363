import { randomBytes } from 'node:crypto';
import { localMacFrom } from '../../../core/mac-address.js';
import { TunLink } from './tun-link.js';
/**
 * A RawLink of Ethernet frames over a Linux TAP device (IFF_TAP | IFF_NO_PI), created, configured, read and
 * written as TunLink does its device: the kernel's side of the device gets the host address and a MAC of the
 * kernel's choosing, and pilha, at the far end of the virtual cable, has its own MAC (`mac`). Each read is one
 * frame without FCS. The device's MTU is the IP MTU; frames are up to 14 bytes longer (18 with a VLAN tag).
 */
export class TapLink extends TunLink {
    /** Creates and configures the device, starts the reader, and resolves once it is reading. */
    static async open(options) {
        const mac = options.mac ?? localMacFrom(randomBytes(6));
        return TunLink.openDevice(options, 'tap', mac, (fd, name, txQueueLength, libc, logger) => new TapLink(fd, name, options.mtu, txQueueLength, libc, logger, mac));
    }
}
//# sourceMappingURL=tap-link.js.map