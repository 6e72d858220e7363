import { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { FdLink } from '../fd/fd-link.js';
import {
  AF_INET,
  describeErrno,
  ERRNO,
  IP_HDRINCL,
  IPPROTO_IP,
  IPPROTO_TCP,
  type Libc,
  loadLibc,
  MSG_DONTWAIT,
  SO_MARK,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_SOCKET,
  sockaddrIn,
} from '../fd/libc.js';
import { conflictingListener, findLocalInterface, readKernelListeners } from './host-address.js';
import { KernelRstFilter, PILHA_MARK } from './kernel-rst-filter.js';
import { completeOffloadedTcpChecksum } from './offloaded-checksum.js';
import { RawReceiveFilter } from './raw-receive-filter.js';

export interface RawSocketLinkOptions {
  /** pilha's address: one the host already has (127.0.0.1 typically). */
  readonly address: Ipv4Address;
  /** The TCP ports pilha claims on that address: segments to them are pilha's, the rest are not. */
  readonly ports: readonly number[];
  readonly mtu: number;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

const EXTRA_COUNTERS = ['ignoredOtherTraffic', 'rxChecksumsCompleted'] as const;

/**
 * Socket buffers: the raw socket's receive queue is all that holds segments while the reader is busy; the
 * kernel drops (and TCP retransmits) past it. 4 MiB, forced past net.core.rmem_max (root has CAP_NET_ADMIN).
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A RawLink on a raw IPv4 socket (AF_INET, SOCK_RAW, IPPROTO_TCP, IP_HDRINCL): pilha serves on an address the
 * host already has, the original course's way, so `wget localhost:7000` reaches pilha's TCP.
 *
 * Receiving: the socket sees every TCP segment to its bound address, whole IPv4 datagrams header included;
 * an FdReader's worker reads them in batches and RawReceiveFilter keeps those for pilha's ports (the rest,
 * pilha's own segments looping back on `lo` among them, are counted as ignoredOtherTraffic). Sending: one
 * non-blocking sendto() per datagram, addressed from its own header; the kernel fills in the IP checksum
 * (and the ID when zero), never the TCP checksum, which is pilha's. The kernel's own TCP would reset every
 * connection to the claimed ports, so while open a KernelRstFilter drops its RSTs (see kernel-rst-filter.ts);
 * pilha's segments carry SO_MARK PILHA_MARK to pass that rule. Segments from local programs arrive with the
 * kernel's offloaded TCP checksum unfinished; the link finishes it (offloaded-checksum.ts), as a device would.
 */
export class RawSocketLink extends FdLink<(typeof EXTRA_COUNTERS)[number]> {
  private readonly filter: RawReceiveFilter;
  /** sendto()'s destination, rewritten in place from each datagram's header. */
  private readonly destination: Uint8Array;

  /**
   * Checks the address and ports, opens the socket, installs the nftables rule and starts the reader;
   * resolves once datagrams flow. Refuses an address the host does not have (EBADADDR), a port a kernel
   * socket listens on (EADDRINUSE), and a host without a working nft (ERAWLINK).
   */
  static async open(options: RawSocketLinkOptions): Promise<RawSocketLink> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkRawLinkOptions(options);
    const libc = loadLibc();
    const fd = openRawSocket(libc, options.address);
    let rstFilter: KernelRstFilter | undefined;
    try {
      rstFilter = KernelRstFilter.install({ address: options.address, ports: options.ports, logger });
      const link = new RawSocketLink(fd, options, libc, rstFilter, logger);
      await link.start('ERAWLINK');
      logger.info(
        { address: formatIpv4(options.address), ports: options.ports, mtu: options.mtu },
        'raw socket link open',
      );
      return link;
    } catch (err) {
      rstFilter?.remove();
      libc.close(fd);
      throw err;
    }
  }

  /** The address whose segments this link takes. */
  readonly address: Ipv4Address;
  readonly ports: readonly number[];

  private constructor(
    fd: number,
    options: RawSocketLinkOptions,
    libc: Libc,
    private readonly rstFilter: KernelRstFilter,
    logger: Logger,
  ) {
    super(fd, options.mtu, libc, logger, EXTRA_COUNTERS);
    this.address = options.address;
    this.ports = [...options.ports];
    this.filter = new RawReceiveFilter(options.address, options.ports);
    this.destination = sockaddrIn(0);
  }

  /** sendto() addressed from the datagram's own header; shorter than an IPv4 header, it is refused. */
  protected write(datagram: Uint8Array, length: number): number {
    if (length < 20) return 0;
    const destination = this.destination;
    destination[4] = datagram[16]!;
    destination[5] = datagram[17]!;
    destination[6] = datagram[18]!;
    destination[7] = datagram[19]!;
    return this.libc.sendto(this.fd, datagram, length, MSG_DONTWAIT, destination);
  }

  protected describe(): string {
    return `raw socket on ${formatIpv4(this.address)}`;
  }

  protected override receive(datagram: Uint8Array, flags: number): void {
    if (!this.filter.accepts(datagram)) {
      this.counters.inc('ignoredOtherTraffic');
      return;
    }
    if (completeOffloadedTcpChecksum(datagram)) this.counters.inc('rxChecksumsCompleted');
    super.receive(datagram, flags);
  }

  /** The nftables rule goes with the socket. */
  protected override afterClose(): void {
    this.rstFilter.remove();
  }
}

/** Throws for ports, an MTU or an address that cannot work, before anything is opened. */
export function checkRawLinkOptions(options: RawSocketLinkOptions): void {
  const { address, ports, mtu } = options;
  if (ports.length === 0) {
    throw new PilhaError('EBADOPTION', '--link raw needs the TCP port(s) pilha serves on');
  }
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new PilhaError('EBADOPTION', `--link raw: bad port ${port} (1 to 65535)`);
    }
  }
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65_535) {
    throw new PilhaError('EBADOPTION', `--link raw: bad MTU ${mtu} (68 to 65535)`);
  }
  const text = formatIpv4(address);
  if (findLocalInterface(address) === undefined) {
    throw new PilhaError(
      'EBADADDR',
      `--address ${text} is not an address of this host (network namespace): with --link raw, pilha serves on an address the host already has, e.g. 127.0.0.1`,
    );
  }
  const listeners = readKernelListeners();
  for (const port of ports) {
    const listener = conflictingListener(address, port, listeners);
    if (listener !== undefined) {
      throw new PilhaError(
        'EADDRINUSE',
        `a kernel socket already listens on ${listener.address === '::' ? '[::]' : listener.address}:${port}, so it would take the connections to ${text}:${port}: stop it or choose another --port`,
      );
    }
  }
}

/** socket(AF_INET, SOCK_RAW, IPPROTO_TCP) with IP_HDRINCL, pilha's mark and big buffers, bound to `address`. */
function openRawSocket(libc: Libc, address: Ipv4Address): number {
  const fd = libc.socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    const errno = libc.errno();
    const why =
      errno === ERRNO.EPERM || errno === ERRNO.EACCES
        ? 'permission denied (needs CAP_NET_RAW: run as root)'
        : describeErrno(libc, errno);
    throw new PilhaError('ERAWLINK', `cannot open a raw IPv4 socket: ${why}`);
  }
  const fail = (what: string): never => {
    const errno = libc.errno();
    libc.close(fd);
    const why =
      errno === ERRNO.EPERM
        ? 'permission denied (needs CAP_NET_ADMIN: run as root)'
        : describeErrno(libc, errno);
    throw new PilhaError('ERAWLINK', `cannot set up the raw socket: ${what} failed: ${why}`);
  };
  if (libc.setsockoptInt(fd, IPPROTO_IP, IP_HDRINCL, 1) < 0) fail('IP_HDRINCL');
  if (libc.setsockoptInt(fd, SOL_SOCKET, SO_MARK, PILHA_MARK) < 0) fail('SO_MARK');
  // The forced sizes need CAP_NET_ADMIN; without it the ordinary ones (capped by net.core.*mem_max) do.
  if (libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCKET_BUFFER_BYTES) < 0) {
    libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER_BYTES);
  }
  if (libc.setsockoptInt(fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCKET_BUFFER_BYTES) < 0) {
    libc.setsockoptInt(fd, SOL_SOCKET, SO_SNDBUF, SOCKET_BUFFER_BYTES);
  }
  // Bound, the socket only gets datagrams to this address: the kernel does the first half of the filtering.
  if (libc.bind(fd, sockaddrIn(address)) < 0) fail(`bind to ${formatIpv4(address)}`);
  return fd;
}
