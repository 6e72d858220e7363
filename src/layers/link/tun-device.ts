/**
 * Linux TUN devices: opening one through /dev/net/tun (open + ioctl(TUNSETIFF) via koffi) and
 * configuring its host side (MTU, address, up) with iproute2's `ip`.
 *
 * The libc bindings are shared with the reader worker (tun-reader-worker.ts), which loads its own copy.
 */
import { execFileSync } from 'node:child_process';
import koffi, { type LibraryHandle } from 'koffi';
import { PilhaError } from '../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';

// <fcntl.h>, <poll.h>, <linux/if_tun.h>, <net/if.h> constants (Linux, all architectures Node runs on).
export const O_RDWR = 0x2;
export const O_NONBLOCK = 0x800;
export const O_CLOEXEC = 0x80000;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const POLLIN = 0x1;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const TUNSETIFF = 0x400454ca;
export const IFF_TUN = 0x0001;
export const IFF_NO_PI = 0x1000;
/** IFNAMSIZ: the name field of struct ifreq, NUL included. */
export const IFNAMSIZ = 16;
/** sizeof(struct ifreq) on 64-bit Linux: the name plus a 24-byte union, of which we use `short ifr_flags`. */
export const IFREQ_SIZE = 40;

/** The few libc calls the TUN link needs, typed. Returns follow C: -1 on failure, then `errno()` says why. */
export interface Libc {
  open(path: string, flags: number): number;
  /** ioctl(fd, request, arg) with `arg` pointing into `buffer`; the kernel may write back into it. */
  ioctl(fd: number, request: number, buffer: Uint8Array): number;
  fcntlGetFlags(fd: number): number;
  fcntlSetFlags(fd: number, flags: number): number;
  /** poll(fds, nfds, timeoutMs) over an array of struct pollfd {int fd; short events; short revents}. */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  read(fd: number, buffer: Uint8Array, count: number): number;
  write(fd: number, buffer: Uint8Array, count: number): number;
  close(fd: number): number;
  /** errno of the calling thread, as saved right after the last call. */
  errno(): number;
  strerror(errno: number): string;
}

/** errno values used to tell expected conditions apart, as this platform numbers them. */
export const ERRNO = {
  EPERM: errnoValue('EPERM', 1),
  ENOENT: errnoValue('ENOENT', 2),
  EINTR: errnoValue('EINTR', 4),
  EBADF: errnoValue('EBADF', 9),
  EAGAIN: errnoValue('EAGAIN', 11),
  EACCES: errnoValue('EACCES', 13),
  EBUSY: errnoValue('EBUSY', 16),
  ENODEV: errnoValue('ENODEV', 19),
  EINVAL: errnoValue('EINVAL', 22),
  ENOBUFS: errnoValue('ENOBUFS', 105),
} as const;

function errnoValue(name: string, linuxDefault: number): number {
  return koffi.os.errno[name] ?? linuxDefault;
}

let cachedLibc: Libc | undefined;

/**
 * Binds libc through koffi, once per thread (module instances are per worker). The binding holds no state
 * of ours: only function handles, so sharing it between links is safe.
 */
export function loadLibc(): Libc {
  if (cachedLibc !== undefined) return cachedLibc;
  if (process.platform !== 'linux') {
    throw new PilhaError('ETUN', `TUN devices need Linux (this is ${process.platform})`);
  }
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libc.so.6');
  } catch (err) {
    throw new PilhaError('ETUN', `cannot load libc.so.6 through koffi: ${(err as Error).message}`);
  }
  const open: (path: string, flags: number) => number = lib.func(
    'int open(const char *path, int flags, ...)',
  );
  const ioctl: (fd: number, request: number, ...rest: unknown[]) => number = lib.func(
    'int ioctl(int fd, unsigned long request, ...)',
  );
  const fcntl: (fd: number, cmd: number, ...rest: unknown[]) => number = lib.func(
    'int fcntl(int fd, int cmd, ...)',
  );
  const poll: (fds: Uint8Array, nfds: number, timeout: number) => number = lib.func(
    'int poll(void *fds, unsigned long nfds, int timeout)',
  );
  const read: (fd: number, buf: Uint8Array, count: number) => number = lib.func(
    'long read(int fd, void *buf, size_t count)',
  );
  const write: (fd: number, buf: Uint8Array, count: number) => number = lib.func(
    'long write(int fd, const void *buf, size_t count)',
  );
  const close: (fd: number) => number = lib.func('int close(int fd)');
  const strerror: (errno: number) => string = lib.func('const char *strerror(int errnum)');
  cachedLibc = {
    open,
    ioctl: (fd, request, buffer) => ioctl(fd, request, 'void *', buffer),
    fcntlGetFlags: (fd) => fcntl(fd, F_GETFL),
    fcntlSetFlags: (fd, flags) => fcntl(fd, F_SETFL, 'int', flags),
    poll,
    read,
    write,
    close,
    errno: () => koffi.errno(),
    strerror,
  };
  return cachedLibc;
}

export interface TunDevice {
  /** The open /dev/net/tun file descriptor, attached to the device (blocking until a reader sets O_NONBLOCK). */
  readonly fd: number;
  /** The name the kernel gave the device (`tun%d` patterns are expanded). */
  readonly name: string;
}

const NAME_RE = /^[A-Za-z0-9_.%-]{1,15}$/;

/**
 * Creates (or attaches to) the TUN device `name` in the current network namespace: IFF_TUN | IFF_NO_PI,
 * so each read and write is exactly one IP datagram. The device lives as long as the fd stays open.
 */
export function openTunDevice(name: string): TunDevice {
  if (!NAME_RE.test(name)) {
    throw new PilhaError(
      'ETUN',
      `bad TUN device name '${name}' (1 to ${IFNAMSIZ - 1} characters: letters, digits, '_', '.', '-', '%d')`,
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
  new DataView(ifr.buffer).setInt16(IFNAMSIZ, IFF_TUN | IFF_NO_PI, true);
  if (libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
    const errno = libc.errno();
    libc.close(fd);
    throw new PilhaError('ETUN', `cannot create TUN device '${name}': ${ioctlReason(errno, libc)}`);
  }
  const end = ifr.indexOf(0);
  const given = new TextDecoder().decode(ifr.subarray(0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end));
  return { fd, name: given };
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

export interface TunConfig {
  readonly name: string;
  readonly mtu: number;
  /** The kernel's (host side) address on the device; pilha uses another address of the same subnet. */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
}

/** Sets the MTU, brings the device up and adds the host address (`ip link set`, `ip addr add`). */
export function configureTunDevice(config: TunConfig): void {
  checkTunConfig(config);
  const { name, mtu, hostAddress, prefixLength } = config;
  runIp(name, ['link', 'set', 'dev', name, 'mtu', String(mtu), 'up']);
  runIp(name, ['addr', 'add', `${formatIpv4(hostAddress)}/${prefixLength}`, 'dev', name]);
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

/*
 * The protocol between TunLink (main thread) and its reader worker.
 *
 * workerData is a TunReaderData. The worker posts { kind: 'ready' } once the fd is non-blocking, then one
 * ArrayBuffer (transferred) per batch, laid out as [u16 little-endian length][datagram]..., and
 * { kind: 'error', message } if reading fails for good. Everything else goes through `control`, an
 * Int32Array over a SharedArrayBuffer, indexed by CONTROL.
 */
export const CONTROL = {
  /** Set to 1 by the main thread to stop the worker (noticed within one poll timeout). */
  STOP: 0,
  /** Batches posted and not yet consumed: the worker adds, the main thread subtracts and notifies. */
  IN_FLIGHT: 1,
  /** Times the worker paused reading because IN_FLIGHT reached its limit (the kernel queue then fills). */
  STALLS: 2,
  /** Reads that failed with an error other than EAGAIN/EINTR. */
  READ_ERRORS: 3,
  /** Slots in the control array. */
  SIZE: 4,
} as const;

export interface TunReaderData {
  readonly fd: number;
  readonly control: SharedArrayBuffer;
  readonly pollTimeoutMs: number;
  readonly maxBatchPackets: number;
  /** Bytes of datagrams (length prefixes included) after which a batch is posted. */
  readonly maxBatchBytes: number;
  /** Batches allowed in flight before the worker stops reading. */
  readonly maxInFlight: number;
}

export type TunReaderMessage = { kind: 'ready' } | { kind: 'error'; message: string };
