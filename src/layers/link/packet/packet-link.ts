import { existsSync } from 'node:fs';
import { endianness, release } from 'node:os';
import { PilhaError } from '../../../core/errors.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { formatMac, type MacAddress, readMac } from '../../../core/mac-address.js';
import { ETHERNET_FRAME_OVERHEAD } from '../fd/fd-link.js';
import type { BpfInstruction } from '../fd/libc.js';
import {
  AF_PACKET,
  describeErrno,
  ERRNO,
  ETH_P_ALL,
  type Libc,
  loadLibc,
  PACKET_IGNORE_OUTGOING,
  PACKET_STATISTICS,
  PACKET_VNET_HDR,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_PACKET,
  SOL_SOCKET,
  sockaddrLl,
} from '../fd/libc.js';
import { VIRTIO_NET_HDR_SIZE } from '../offload/virtio-net-header.js';
import { NO_OFFLOAD, type OffloadState, VnetHeaderLink } from '../offload/vnet-header-link.js';
import { completeOffloadedTcpChecksum } from '../raw-socket/offloaded-checksum.js';
import { InterfaceClaim } from './interface-claim.js';
import {
  checkAddressNotLocal,
  disableReceiveOffloads,
  disableTransmitOffloads,
  hasCarrier,
  hasRemotePeer,
  kernelForwardsOn,
  localVethPeer,
  packetSocketSegments,
  readPacketInterface,
  restoreOffloads,
  segmentationOffloadOn,
  setInterfaceUp,
  type TurnedOffOffloads,
} from './packet-interface.js';

export interface PacketLinkOptions {
  /** The existing Ethernet interface to bind to (pilha's end of a veth pair). */
  readonly device: string;
  /** pilha's IPv4 address: it must not be an address of this network namespace. */
  readonly address: Ipv4Address;
  /** The IP MTU; the interface's MTU when absent. */
  readonly mtu?: number;
  /** pilha's MAC; the interface's own when absent. */
  readonly mac?: MacAddress;
  /**
   * Segmentation and checksum offload with the kernel (PACKET_VNET_HDR): TCP super-frames both ways, the
   * kernel's interfaces left as they are. Off unless true here (pilha's stacks ask for it unless --no-offload
   * or a decorator, which must see frames as on the wire: di/link-module.ts). Off or refused, the interfaces'
   * offloads are turned off instead (ethtool), as the class comment says.
   */
  readonly offload?: boolean;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

const EXTRA_COUNTERS = ['ignoredOwnFrames', 'rxDropOversize', 'rxChecksumsCompleted'] as const;
const PACKET_STATS_BYTES = 8;

/** The socket's receive queue holds frames while the reader is busy (as RawSocketLink's, forced past rmem_max). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
const ETHERNET_HEADER_BYTES = 14;
const ETHERTYPE_IPV4_HIGH = 0x08;

/**
 * The packet socket's filter (classic BPF): frames that came with a VLAN tag are dropped in the kernel. The
 * kernel takes a tag off before any packet socket sees the frame (it is then only in the frame's metadata, which
 * read() does not give), so without this a frame tagged for VLAN 5 reached pilha as an untagged one and was
 * answered untagged, where TAP devices and the EthernetLayer drop tagged frames (dropVlan). Dropped here, such
 * frames are not counted.
 */
const UNTAGGED_ONLY: readonly BpfInstruction[] = [
  // A = whether the frame carried a tag (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT).
  { code: 0x20, jt: 0, jf: 0, k: 0xfffff000 + 48 },
  // A == 0: the next instruction (take all of it); else the one after (take none).
  { code: 0x15, jt: 0, jf: 1, k: 0 },
  { code: 0x06, jt: 0, jf: 0, k: 0xffffffff },
  { code: 0x06, jt: 0, jf: 0, k: 0 },
];

/** How often, once a read found the interface down, PacketLink looks whether it was deleted (ms). */
const LINK_GONE_CHECK_MS = 1000;

/**
 * A RawLink of Ethernet frames on an AF_PACKET socket (SOCK_RAW, ETH_P_ALL) bound to an existing interface,
 * as the course's stages 4 and 5 do: every frame the interface receives reaches pilha, and pilha's frames
 * leave through it whole, its own Ethernet header included. By default pilha takes the interface's MAC.
 *
 * The kernel still owns the interface, so it must not have pilha's address (checked at start): the set-up is
 * a veth pair whose other end has the kernel's address, pilha's end none. The socket sets
 * PACKET_IGNORE_OUTGOING (Linux 4.20) so pilha does not read back what it sent; on an older kernel, frames
 * from pilha's own MAC are skipped instead (ignoredOwnFrames).
 *
 * With offload (options.offload, which pilha's stacks ask for), the socket sets PACKET_VNET_HDR: every frame
 * read and written carries a virtio_net_hdr, as on a TAP device with IFF_VNET_HDR (VnetHeaderLink). pilha then
 * sends TCP super-frames, which the kernel passes on whole (a veth pair carries GSO packets) or cuts where it
 * must, and takes the kernel's: the far end's segmentation offload and this interface's GRO stay on, a GSO frame
 * of up to 64 KB is one read, and an unfinished checksum is said so by the header. The kernel's interfaces are
 * left as they are.
 *
 * Without offload (--no-offload, a capture or an impairment, a kernel before 5.10 or one that refuses
 * PACKET_VNET_HDR), a frame cannot say it is a GSO packet or has an unfinished checksum. At start, then, this
 * interface's receive offloads and those of the kernel's end of a veth pair in the same namespace are turned
 * off (ethtool; those that were on are turned on again at close), and the README says how to do it elsewhere;
 * frames longer than the MTU allows (super-frames from segmentation offload on the far end) are dropped and
 * counted (rxDropOversize), and the kernel's unfinished TCP checksums on frames from a local peer are finished
 * here as a device would (rxChecksumsCompleted). Reading goes through an FdReader's worker; a PACKET_MMAP ring
 * was not measured and is not used.
 */
export class PacketLink extends VnetHeaderLink<(typeof EXTRA_COUNTERS)[number]> {
  /**
   * Checks the interface and address, opens and binds the socket, starts the reader; resolves once frames
   * flow. A missing interface, an interface or namespace holding pilha's address, or a missing privilege
   * throws ERAWLINK with one line saying what to do.
   */
  static async open(options: PacketLinkOptions): Promise<PacketLink> {
    const logger = options.logger ?? silentLoggers().for('link');
    const device = readPacketInterface(options.device);
    checkAddressNotLocal(options.address, device.name);
    const mtu = options.mtu ?? device.mtu;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > device.mtu) {
      throw new PilhaError(
        'EBADOPTION',
        `--mtu ${mtu} does not fit interface '${device.name}' (its MTU is ${device.mtu}; 68 to ${device.mtu})`,
      );
    }
    const libc = loadLibc();
    const ifindex = libc.ifNameToIndex(device.name);
    if (ifindex === 0) {
      throw new PilhaError('ERAWLINK', `no network interface '${device.name}' in this network namespace`);
    }
    // The claim first: what follows changes the interface, which another pilha on it must not see undone.
    const claim = await InterfaceClaim.take(device.name, ifindex);
    // Brought up if it is down, and down again at close: what pilha changes on the host it puts back.
    const broughtUp = !device.up;
    let fd = -1;
    let opened: ReturnType<typeof openPacketSocket>;
    let settled: ReturnType<typeof settleKernelOffloads>;
    try {
      if (broughtUp) setInterfaceUp(device.name);
      const kernel = release();
      const segments = packetSocketSegments(kernel);
      if (options.offload === true && !segments) {
        logger.warn({ release: kernel }, 'a kernel before 5.10: no segmentation offload on a packet socket');
      }
      opened = openPacketSocket(libc, device.name, options.offload === true && segments);
      fd = opened.fd;
      if (opened.filterErrno !== 0) {
        logger.warn(
          { device: device.name, errno: opened.filterErrno },
          `the socket filter was refused (${describeErrno(libc, opened.filterErrno)}): VLAN-tagged frames reach pilha as untagged ones`,
        );
      }
      if (opened.vnetErrno !== 0) {
        logger.warn(
          { device: device.name, errno: opened.vnetErrno },
          `PACKET_VNET_HDR refused (${describeErrno(libc, opened.vnetErrno)}): no segmentation offload`,
        );
      }
      if (kernelForwardsOn(device.name)) {
        logger.warn(
          { device: device.name },
          `the kernel forwards what it receives on ${device.name}, so every datagram sent to pilha comes back to it a second time: sysctl -w net.ipv4.conf.${device.name}.forwarding=0`,
        );
      }
      settled = settleKernelOffloads(device.name, opened.vnetHeader, logger);
    } catch (err) {
      // Undone in the order close() does: the socket, the interface down again, then the claim.
      if (fd >= 0) libc.close(fd);
      if (broughtUp) putDownAgain(device.name, logger);
      claim.release();
      throw err;
    }
    const { ignoresOutgoing, vnetHeader } = opened;
    const { peer, turnedOff } = settled;
    const mac = options.mac ?? device.mac;
    const offload: OffloadState = vnetHeader
      ? { vnetHeader: true, offload: true, receiveOffload: true }
      : NO_OFFLOAD;
    const link = new PacketLink(
      fd,
      device.name,
      ifindex,
      mtu,
      mac,
      ignoresOutgoing,
      libc,
      logger,
      offload,
      turnedOff,
      claim,
      broughtUp,
    );
    try {
      // With a virtio_net_hdr nothing stands between the socket and the stack (a decorator turns it off), so
      // the kernel's word on a checksum is taken.
      await link.start('ERAWLINK', vnetHeader ? VIRTIO_NET_HDR_SIZE : 0, vnetHeader);
    } catch (err) {
      await link.close();
      throw err;
    }
    // A veth end's carrier follows its other end at once; a NIC just brought up may still be negotiating.
    if ((peer !== undefined || hasRemotePeer(device.name)) && hasCarrier(device.name) === false) {
      logger.warn(
        { device: device.name, peer },
        `${device.name} has no carrier (the other end of its veth pair${peer === undefined ? '' : `, ${peer},`} is down?): nothing reaches pilha until it is up`,
      );
    }
    logger.info(
      {
        device: device.name,
        broughtUp,
        mtu,
        mac: formatMac(mac),
        ignoresOutgoing,
        offload: vnetHeader,
        peer,
        offloadsTurnedOff: turnedOff,
      },
      'packet link open',
    );
    return link;
  }

  private readonly maxFrameBytes: number;
  private warnedOversize = false;
  /** Looks every LINK_GONE_CHECK_MS whether the interface was deleted, once it was found down (linkDown). */
  private goneWatch: NodeJS.Timeout | undefined;
  /** Frames the kernel dropped because the socket's receive queue was full, summed over PACKET_STATISTICS reads. */
  private socketDrops = 0;
  private readonly packetStats = new Uint8Array(PACKET_STATS_BYTES);

  protected constructor(
    fd: number,
    /** The interface the socket is bound to. */
    readonly device: string,
    /** Its index, which the socket is bound to: a new interface of the same name has another. */
    private readonly ifindex: number,
    mtu: number,
    mac: MacAddress,
    /** Whether the kernel keeps outgoing frames from the socket (PACKET_IGNORE_OUTGOING took). */
    readonly ignoresOutgoing: boolean,
    libc: Libc,
    logger: Logger,
    offload: OffloadState,
    /** The kernel's offloads turned off at start (without a virtio_net_hdr), turned on again at close. */
    private readonly turnedOff: readonly TurnedOffOffloads[] = [],
    /** This pilha's claim on the interface (InterfaceClaim), given up at close. */
    private readonly claim?: InterfaceClaim,
    /** Whether open brought the interface up, to be put down again at close. */
    private readonly broughtUp = false,
  ) {
    super(fd, mtu, libc, logger, EXTRA_COUNTERS, mac, offload);
    this.maxFrameBytes = mtu + ETHERNET_FRAME_OVERHEAD;
  }

  /**
   * A read failed with ENETDOWN: the interface went down, or was deleted, which the socket does not tell
   * apart (the kernel unbinds it either way, and binds it again only to an interface that comes back up). A
   * deleted one ends the link. Looked for at once, then every LINK_GONE_CHECK_MS for the link's life: the
   * deletion may not be complete yet, and one deleted while down says nothing more to the socket.
   */
  protected override linkDown(): void {
    this.checkGone();
    if (this.goneWatch === undefined) {
      this.goneWatch = setInterval(() => this.checkGone(), LINK_GONE_CHECK_MS);
      this.goneWatch.unref();
    }
  }

  private checkGone(): void {
    if (this.fdIsOpen() && this.libc.interfaceExists(this.ifindex)) return;
    clearInterval(this.goneWatch);
    if (this.fdIsOpen()) this.failLink(new PilhaError('ERAWLINK', `the interface ${this.device} is gone`));
  }

  /** Puts back what open changed on the host: the offloads it turned off, the interface it brought up. */
  protected override afterClose(): void {
    clearInterval(this.goneWatch);
    // Down again before the claim goes: a pilha that takes the interface next finds it as it will stay.
    if (this.broughtUp) putDownAgain(this.device, this.logger);
    this.claim?.release();
    for (const { device, features } of this.turnedOff) {
      if (!restoreOffloads(device, features)) {
        this.logger.warn(
          { device, features },
          'could not turn offloads back on (ethtool -K DEVICE FEATURE on)',
        );
      }
    }
  }

  /** The counters, and the frames the kernel dropped at the socket's full receive queue (rxSocketDrops). */
  override stats(): Record<string, number> {
    if (
      this.fdIsOpen() &&
      this.libc.getsockopt(this.fd, SOL_PACKET, PACKET_STATISTICS, this.packetStats) === 0
    ) {
      // Each read returns the counts since the previous one.
      this.socketDrops += new DataView(this.packetStats.buffer).getUint32(4, endianness() === 'LE');
    }
    return { ...super.stats(), rxSocketDrops: this.socketDrops };
  }

  protected describe(): string {
    return `packet socket on ${this.device}`;
  }

  protected override receive(frame: Uint8Array, flags: number): void {
    const length = frame.length;
    if (!this.ignoresOutgoing && length >= ETHERNET_HEADER_BYTES && readMac(frame, 6) === this.mac) {
      this.counters.inc('ignoredOwnFrames');
      return;
    }
    // With a virtio_net_hdr the reader has unwrapped a GSO frame into one large frame and finished (or
    // vouched for) its checksum as the header said.
    if (this.offloadState.vnetHeader) {
      super.receive(frame, flags);
      return;
    }
    if (length > this.maxFrameBytes) {
      this.counters.inc('rxDropOversize');
      if (!this.warnedOversize) {
        this.warnedOversize = true;
        this.logger.warn(
          { device: this.device, length, max: this.maxFrameBytes },
          `frame longer than the MTU dropped (rxDropOversize; said once): turn the far end's offloads off (${FAR_END_OFFLOADS_OFF})`,
        );
      }
      return;
    }
    if (
      length > ETHERNET_HEADER_BYTES &&
      frame[12] === ETHERTYPE_IPV4_HIGH &&
      frame[13] === 0 &&
      completeOffloadedTcpChecksum(frame.subarray(ETHERNET_HEADER_BYTES))
    ) {
      this.counters.inc('rxChecksumsCompleted');
    }
    super.receive(frame, flags);
  }
}

/** What a far end must run for a packet link without offload: no super-frames, no unfinished checksums. */
const FAR_END_OFFLOADS_OFF = 'ethtool -K PEER tso off gso off tx off';

/** Puts down an interface pilha brought up; one that is gone needs nothing, a failure is a warning. */
function putDownAgain(device: string, logger: Logger): void {
  if (!existsSync(`/sys/class/net/${device}`)) return;
  try {
    setInterfaceUp(device, false);
  } catch (err) {
    logger.warn({ device }, `${(err as Error).message}: it was down before pilha`);
  }
}

/**
 * What the kernel's offloads need for a packet socket on `device`. Without a virtio_net_hdr a frame cannot say
 * it is a GSO packet or has an unfinished checksum, so the kernel must send none: its offloads are turned off,
 * on this interface and on the kernel's end of a veth pair in this namespace (the README's set-up), and what
 * was on is returned, to be turned on again at close. With the header, nothing is turned off, but a kernel's
 * end left without segmentation offload (by ethtool, or by an earlier pilha without the header) is warned of:
 * its frames then come one by one, and a download reads at a third of the speed.
 */
function settleKernelOffloads(
  device: string,
  vnetHeader: boolean,
  logger: Logger,
): { peer: string | undefined; turnedOff: TurnedOffOffloads[] } {
  const turnedOff: TurnedOffOffloads[] = [];
  const peer = localVethPeer(device);
  if (vnetHeader) {
    if (peer !== undefined && segmentationOffloadOn(peer) === false) {
      logger.warn(
        { device, peer },
        `the kernel's end ${peer} has segmentation offload off, so pilha reads its frames one by one: ethtool -K ${peer} tso on gso on tx on sg on`,
      );
    }
    return { peer, turnedOff };
  }
  const own = disableReceiveOffloads(device);
  if (own !== undefined) turnedOff.push({ device, features: own });
  const peers = peer === undefined ? undefined : disableTransmitOffloads(peer);
  if (peer !== undefined && peers !== undefined) turnedOff.push({ device: peer, features: peers });
  if (peer === undefined && hasRemotePeer(device)) {
    logger.warn(
      { device },
      `the other end of this veth pair is in another namespace: turn its offloads off there (${FAR_END_OFFLOADS_OFF}), or its TCP super-frames are dropped (rxDropOversize)`,
    );
  }
  return { peer, turnedOff };
}

/**
 * An AF_PACKET SOCK_RAW socket for ETH_P_ALL on `device`, big buffers, outgoing frames ignored, and a
 * virtio_net_hdr on every frame when `vnetHeader` is asked for and the kernel agrees. It is opened for
 * protocol 0 (no frames) and gets ETH_P_ALL (network byte order) in bind(), together with the interface:
 * opened for ETH_P_ALL, it would queue frames of every interface until bound (packet(7)).
 */
function openPacketSocket(
  libc: Libc,
  device: string,
  vnetHeader: boolean,
): {
  fd: number;
  ignoresOutgoing: boolean;
  vnetHeader: boolean;
  vnetErrno: number;
  ifindex: number;
  filterErrno: number;
} {
  const fd = libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const errno = libc.errno();
    const why =
      errno === ERRNO.EPERM || errno === ERRNO.EACCES
        ? 'permission denied (needs CAP_NET_RAW: run as root)'
        : describeErrno(libc, errno);
    throw new PilhaError('ERAWLINK', `cannot open an AF_PACKET socket: ${why}`);
  }
  const fail = (what: string): never => {
    const errno = libc.errno();
    libc.close(fd);
    throw new PilhaError(
      'ERAWLINK',
      `cannot set up the packet socket on ${device}: ${what} failed: ${describeErrno(libc, errno)}`,
    );
  };
  if (libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCKET_BUFFER_BYTES) < 0) {
    libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER_BYTES);
  }
  if (libc.setsockoptInt(fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCKET_BUFFER_BYTES) < 0) {
    libc.setsockoptInt(fd, SOL_SOCKET, SO_SNDBUF, SOCKET_BUFFER_BYTES);
  }
  const ignoresOutgoing = libc.setsockoptInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) === 0;
  if (!ignoresOutgoing && libc.errno() !== ERRNO.ENOPROTOOPT) fail('PACKET_IGNORE_OUTGOING');
  const withHeader = vnetHeader && libc.setsockoptInt(fd, SOL_PACKET, PACKET_VNET_HDR, 1) === 0;
  const vnetErrno = vnetHeader && !withHeader ? libc.errno() : 0;
  // Before bind: no frame is queued until then, so none passes unfiltered.
  const untaggedOnly = libc.attachFilter(fd, UNTAGGED_ONLY) === 0;
  const filterErrno = untaggedOnly ? 0 : libc.errno();
  const ifindex = libc.ifNameToIndex(device);
  if (ifindex === 0) fail(`if_nametoindex(${device})`);
  if (libc.bind(fd, sockaddrLl(ifindex, ETH_P_ALL)) < 0) fail(`bind to ${device}`);
  return { fd, ignoresOutgoing, vnetHeader: withHeader, vnetErrno, ifindex, filterErrno };
}
