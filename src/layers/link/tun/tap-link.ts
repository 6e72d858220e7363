import { randomBytes } from 'node:crypto';
import { localMacFrom, type MacAddress } from '../../../core/mac-address.js';
import { TunLink, type TunLinkOptions } from './tun-link.js';

export interface TapLinkOptions extends TunLinkOptions {
  /** pilha's MAC; a random locally administered one when absent. */
  readonly mac?: MacAddress;
}

/**
 * A RawLink of Ethernet frames over a Linux TAP device (IFF_TAP | IFF_NO_PI), created, configured, read and
 * written as TunLink does its device: the kernel's side of the device gets the host address and a MAC of the
 * kernel's choosing, and pilha, at the far end of the virtual cable, has its own MAC (`mac`). Each read is one
 * frame without FCS. The device's MTU is the IP MTU; frames are up to 14 bytes longer (18 with a VLAN tag).
 * With offload (TunLinkOptions.offload) it takes TCP super-segments as frames toward the kernel, which an
 * EthernetLayer above it offers the IP layer, and, with receive offload, reads the kernel's GSO frames.
 */
export class TapLink extends TunLink {
  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static override async open(options: TapLinkOptions): Promise<TapLink> {
    const mac = options.mac ?? localMacFrom(randomBytes(6));
    return TunLink.openDevice(
      options,
      'tap',
      mac,
      (fd, name, txQueueLength, libc, logger, offload) =>
        new TapLink(fd, name, options.mtu, txQueueLength, libc, logger, mac, offload),
    );
  }
}
