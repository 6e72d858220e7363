/**
 * Linux TUN devices: opening one through /dev/net/tun (open + ioctl(TUNSETIFF) via koffi) and
 * configuring its host side (MTU, address, up) with iproute2's `ip`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address, parseIpv4, sameSubnet } from '../../../core/ipv4-address.js';
import { ERRNO, type Libc, loadLibc, O_CLOEXEC, O_RDWR } from '../fd/libc.js';
import { type InterfaceAddress, readInterfaceAddresses } from '../packet/packet-interface.js';

// <linux/if_tun.h>, <net/if.h> constants.
export const TUNSETIFF = 0x400454ca;
export const IFF_TUN = 0x0001;
/** A TAP device: each read and write is one whole Ethernet frame (no FCS). */
export const IFF_TAP = 0x0002;
export const IFF_NO_PI = 0x1000;
/** Every read and write starts with a struct virtio_net_hdr (offload/virtio-net-header.ts). */
export const IFF_VNET_HDR = 0x4000;
/** _IOW('T', 208, unsigned int): which offloads the reader (pilha) accepts in what the kernel sends it. */
export const TUNSETOFFLOAD = 0x400454d0;
/** Partial checksums (NEEDS_CSUM) may be sent to pilha. */
export const TUN_F_CSUM = 0x01;
/** TCP over IPv4 GSO packets may be sent to pilha (needs TUN_F_CSUM). */
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
/** IFNAMSIZ: the name field of struct ifreq, NUL included. */
export const IFNAMSIZ = 16;
/** sizeof(struct ifreq) on 64-bit Linux: the name plus a 24-byte union, of which we use `short ifr_flags`. */
export const IFREQ_SIZE = 40;

export interface TunDevice {
  /** The open /dev/net/tun file descriptor, attached to the device (blocking until a reader sets O_NONBLOCK). */
  readonly fd: number;
  /** The name the kernel gave the device (`tun%d` patterns are expanded). */
  readonly name: string;
}

const NAME_RE = /^[A-Za-z0-9_.%-]{1,15}$/;

/** 'tun': a device of IP datagrams; 'tap': one of Ethernet frames. */
export type TunKind = 'tun' | 'tap';

/**
 * Creates (or attaches to) the TUN device `name` in the current network namespace: IFF_TUN | IFF_NO_PI,
 * so each read and write is exactly one IP datagram; with kind 'tap', IFF_TAP | IFF_NO_PI, one Ethernet frame.
 * The device lives as long as the fd stays open.
 */
export function openTunDevice(name: string, kind: TunKind = 'tun', vnetHeader = false): TunDevice {
  const what = kind === 'tap' ? 'TAP' : 'TUN';
  if (!NAME_RE.test(name)) {
    throw new PilhaError(
      'ETUN',
      `bad ${what} device name '${name}' (1 to ${IFNAMSIZ - 1} characters: letters, digits, '_', '.', '-', '%d')`,
    );
  }
  const libc = loadLibc();
  const fd = libc.open('/dev/net/tun', O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const errno = libc.errno();
    throw new PilhaError('ETUN', `cannot open /dev/net/tun: ${openReason(errno, libc)}`);
  }
  const ifr = new Uint8Array(IFREQ_SIZE);
  ifr.set(new TextEncoder().encode(name));
  const flags = (kind === 'tap' ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0);
  new DataView(ifr.buffer).setInt16(IFNAMSIZ, flags, true);
  if (libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
    const errno = libc.errno();
    libc.close(fd);
    throw new PilhaError('ETUN', `cannot create ${what} device '${name}': ${ioctlReason(errno, libc)}`);
  }
  const end = ifr.indexOf(0);
  const given = new TextDecoder().decode(ifr.subarray(0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end));
  return { fd, name: given };
}

/**
 * TUNSETOFFLOAD on a device opened with IFF_VNET_HDR. With `receive` (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) the
 * kernel may hand pilha unfinished checksums and TCP GSO packets of up to 64 KB; without (no flags) it hands
 * over finished, MTU-sized packets, while pilha's writes may still be GSO packets (the flags say only what the
 * reader accepts). Returns 0, or the errno when the kernel refuses (then it sends finished, MTU-sized packets).
 */
export function enableTunOffload(fd: number, libc: Libc, receive = true): number {
  const flags = receive ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
  return libc.ioctlValue(fd, TUNSETOFFLOAD, flags) < 0 ? libc.errno() : 0;
}

function openReason(errno: number, libc: Libc): string {
  switch (errno) {
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return 'permission denied (run as root)';
    case ERRNO.ENOENT:
    case ERRNO.ENODEV:
      return 'no such device (the tun module is not loaded or /dev/net/tun is missing: try modprobe tun)';
    default:
      return `${libc.strerror(errno).toLowerCase()} (errno ${errno})`;
  }
}

function ioctlReason(errno: number, libc: Libc): string {
  switch (errno) {
    case ERRNO.EPERM:
    case ERRNO.EACCES:
      return 'permission denied (needs CAP_NET_ADMIN: run as root)';
    case ERRNO.EBUSY:
      return 'the device is already in use (another file descriptor is attached to it)';
    case ERRNO.EINVAL:
      return 'invalid name, or a device of another kind already has this name';
    default:
      return `${libc.strerror(errno).toLowerCase()} (errno ${errno})`;
  }
}

/**
 * The device's txqueuelen: the kernel's queue of datagrams waiting for pilha to read them (TUN's default is
 * 500). Measured with 64 parallel wgets on a loaded 2-core machine: 1000 still dropped 3,807 packets while
 * pilha's reader was descheduled, 4096 and 10000 none. 4096 datagrams hold ~40 ms of ACKs at 100k/s.
 */
export const DEFAULT_TUN_TX_QUEUE_LENGTH = 4096;

/**
 * The longest the reader may leave datagrams in a device's queue of `txQueueLength` while the main thread is
 * busy (FdReaderOptions.parkMs): the time the queue takes to fill at a million datagrams a second, at most
 * 2 ms (4096 slots: 2 ms). 64 parallel downloads of 16 MB woke the reader 17,000 times, for about one ACK
 * each (a tenth of the server's CPU); 2,800 times with it.
 */
export function tunReaderParkMs(txQueueLength: number): number {
  return Math.min(2, txQueueLength / 1000);
}

export interface TunConfig {
  readonly name: string;
  readonly mtu: number;
  /** The device's txqueuelen (DEFAULT_TUN_TX_QUEUE_LENGTH when absent). */
  readonly txQueueLength?: number;
  /** The kernel's (host side) address on the device; pilha uses another address of the same subnet. */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
}

/** Sets the MTU and txqueuelen, brings the device up and adds the host address (`ip link set`, `ip addr add`). */
export function configureTunDevice(config: TunConfig): void {
  checkTunConfig(config);
  const { name, mtu, hostAddress, prefixLength } = config;
  checkSubnetFree(name, hostAddress, prefixLength);
  const qlen = String(config.txQueueLength ?? DEFAULT_TUN_TX_QUEUE_LENGTH);
  runIp(name, ['link', 'set', 'dev', name, 'mtu', String(mtu), 'txqueuelen', qlen, 'up']);
  runIp(name, ['addr', 'add', `${formatIpv4(hostAddress)}/${prefixLength}`, 'dev', name]);
}

/**
 * Throws ETUN when another interface of this namespace has a subnet at least as specific as the device's that
 * holds the host address: the kernel would route pilha's traffic there, not to the device (a second pilha
 * with the same addresses would start, say it listens, and be unreachable).
 */
export function checkSubnetFree(
  name: string,
  hostAddress: Ipv4Address,
  prefixLength: number,
  addresses: readonly InterfaceAddress[] = readInterfaceAddresses(),
): void {
  for (const other of addresses) {
    const p = other.prefixLength;
    if (other.name === name || p === undefined || p < prefixLength) continue;
    if (!sameSubnet(parseIpv4(other.address), hostAddress, p)) continue;
    throw new PilhaError(
      'ETUN',
      `cannot use ${formatIpv4(hostAddress)}/${prefixLength} on TUN device '${name}': ${other.name} already has ${other.address}/${p}, so the kernel would send pilha's traffic there (is another pilha running?): choose another --address and --host-address`,
    );
  }
}

/** Throws ETUN for an MTU or prefix length that `ip` would reject, before anything is created. */
export function checkTunConfig(config: TunConfig): void {
  const { name, mtu, prefixLength } = config;
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
    throw new PilhaError('ETUN', `bad MTU ${mtu} for TUN device '${name}' (68 to 65535)`);
  }
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new PilhaError('ETUN', `bad prefix length ${prefixLength} for TUN device '${name}' (0 to 32)`);
  }
  const qlen = config.txQueueLength;
  if (qlen !== undefined && (!Number.isInteger(qlen) || qlen < 1 || qlen > 1_000_000)) {
    throw new PilhaError('ETUN', `bad txqueuelen ${qlen} for TUN device '${name}' (1 to 1000000)`);
  }
}

/**
 * A counter of the device in this network namespace (/sys/class/net/NAME/statistics/COUNTER), or undefined
 * when it cannot be read. tx_dropped counts the datagrams the kernel dropped on their way to pilha.
 */
export function readDeviceCounter(name: string, counter: 'tx_dropped' | 'tx_packets'): number | undefined {
  try {
    const value = Number(readFileSync(`/sys/class/net/${name}/statistics/${counter}`, 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function runIp(device: string, args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new PilhaError(
        'ETUN',
        `cannot configure TUN device '${device}': the 'ip' command was not found (install iproute2)`,
      );
    }
    const detail = e.stderr?.toString().trim().split('\n')[0] || e.message.split('\n')[0];
    throw new PilhaError(
      'ETUN',
      `cannot configure TUN device '${device}': 'ip ${args.join(' ')}' failed: ${detail}`,
    );
  }
}
