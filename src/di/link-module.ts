import type { Clock } from '../core/clock.js';
import { PilhaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { ImpairedLink } from '../layers/link/decorators/impaired-link.js';
import { PcapLink } from '../layers/link/decorators/pcap-link.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapWriter } from '../layers/link/decorators/pcap-writer.js';
import { PacketLink } from '../layers/link/packet/packet-link.js';
import type { RawLink } from '../layers/link/raw-link.js';
import { RawSocketLink } from '../layers/link/raw-socket/raw-socket-link.js';
import { TapLink } from '../layers/link/tun/tap-link.js';
import { TunLink } from '../layers/link/tun/tun-link.js';
import { ContainerModule } from './inversify.js';
import { receivesGsoReads, type StackConfig } from './stack-config.js';
import { TOKENS } from './tokens.js';

/**
 * The link layer. BaseLink is the device (a TUN or TAP device, a raw IP socket or an AF_PACKET socket from the
 * configuration, or whatever a test binds);
 * DeviceLink is the device wrapped, bottom up, in ImpairedLink (when impairment is configured) and PcapLink
 * (when a capture file is), so the capture shows what pilha itself sent and saw: IP datagrams (LINKTYPE_RAW)
 * or, on a link of Ethernet medium, whole frames (LINKTYPE_ETHERNET). What the IP layer uses
 * (RawLink) is bound in ethernetModule: the DeviceLink, or an EthernetLayer over it.
 */
export const linkModule = new ContainerModule(({ bind }) => {
  bind<RawLink>(TOKENS.BaseLink)
    .toDynamicValue(async (ctx) => {
      const config = ctx.get<StackConfig>(TOKENS.StackConfig);
      const logger = ctx.get<Logger>(TOKENS.LinkLogger);
      if (config.link.kind === 'raw') {
        return RawSocketLink.open({
          address: config.address,
          ports: config.link.ports,
          mtu: config.mtu,
          logger,
        });
      }
      if (config.link.kind === 'tap') {
        return TapLink.open({
          name: config.link.name,
          mtu: config.mtu,
          hostAddress: config.link.hostAddress,
          prefixLength: config.link.prefixLength,
          ...(config.link.mac !== undefined ? { mac: config.link.mac } : {}),
          ...(config.link.readerNice !== undefined ? { readerNice: config.link.readerNice } : {}),
          ...(config.link.readOnMainThread === true ? { readOnMainThread: true } : {}),
          // Super-frames pass no decorator (they impair and capture IPv4 datagrams), so under one, none.
          offload: receivesGsoReads(config),
          receiveOffload: receivesGsoReads(config),
          logger,
        });
      }
      if (config.link.kind === 'packet') {
        return PacketLink.open({
          device: config.link.device,
          address: config.address,
          mtu: config.mtu,
          ...(config.link.mac !== undefined ? { mac: config.link.mac } : {}),
          // As on a TAP device: super-frames pass no decorator, so under one, none.
          offload: receivesGsoReads(config),
          logger,
        });
      }
      if (config.link.kind !== 'tun') {
        throw new PilhaError(
          'EBADOPTION',
          `link kind '${config.link.kind}' needs a BaseLink bound by the caller`,
        );
      }
      return TunLink.open({
        name: config.link.name,
        mtu: config.mtu,
        hostAddress: config.link.hostAddress,
        prefixLength: config.link.prefixLength,
        // A capture or an impairment sees the link's packets as on the wire: both take super-segments and
        // show or impair them segment by segment, but a 64 KB GSO read would be captured, lost or corrupted
        // as a whole, so with either the kernel is asked for wire-sized reads.
        offload: config.link.offload !== false,
        receiveOffload: receivesGsoReads(config),
        ...(config.link.readerNice !== undefined ? { readerNice: config.link.readerNice } : {}),
        ...(config.link.readOnMainThread === true ? { readOnMainThread: true } : {}),
        logger,
      });
    })
    .inSingletonScope();

  bind<RawLink>(TOKENS.DeviceLink)
    .toResolvedValue(
      (base: RawLink, config: StackConfig, clock: Clock, logger: Logger) => {
        let link = base;
        if (config.impairment !== undefined) link = new ImpairedLink(link, config.impairment, clock);
        if (config.pcapFile !== undefined) {
          const linkType = base.medium === 'ethernet' ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
          link = new PcapLink(link, new PcapWriter(config.pcapFile, { linkType }), logger);
        }
        return link;
      },
      [TOKENS.BaseLink, TOKENS.StackConfig, TOKENS.Clock, TOKENS.LinkLogger],
    )
    .inSingletonScope();
});
