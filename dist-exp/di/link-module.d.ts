import { ContainerModule } from 'inversify';
/**
 * The link layer. BaseLink is the device (a TUN or TAP device, a raw IP socket or an AF_PACKET socket from the
 * configuration, or whatever a test binds);
 * DeviceLink is the device wrapped, bottom up, in ImpairedLink (when impairment is configured) and PcapLink
 * (when a capture file is), so the capture shows what pilha itself sent and saw: IP datagrams (LINKTYPE_RAW)
 * or, on a link of Ethernet medium, whole frames (LINKTYPE_ETHERNET). What the IP layer uses
 * (RawLink) is bound in ethernetModule: the DeviceLink, or an EthernetLayer over it.
 */
export declare const linkModule: ContainerModule;
