/**
 * The few libc calls pilha's Linux links need (TUN devices and raw IP sockets), bound through koffi, and the
 * constants that go with them. The reader worker (fd-reader-worker.ts) loads its own copy.
 */
import { endianness } from 'node:os';
import koffi, { type LibraryHandle } from 'koffi';
import { PilhaError } from '../../../core/errors.js';

// <fcntl.h>, <poll.h> constants (Linux, all architectures Node runs on).
export const O_RDWR = 0x2;
export const O_NONBLOCK = 0x800;
export const O_CLOEXEC = 0x80000;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const POLLIN = 0x1;
/** eventfd(2) flags. */
export const EFD_NONBLOCK = 0x800;
export const EFD_CLOEXEC = 0x80000;
/** What a write(2) to an eventfd adds to its counter to wake its pollers: one 8-byte integer, 1. */
export const EVENTFD_ONE = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
/** <sys/resource.h>: setpriority's `which` for a process (on Linux, with who = 0, the calling thread). */
export const PRIO_PROCESS = 0;

// <sys/socket.h>, <netinet/in.h> constants.
export const AF_INET = 2;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0x80000;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IP_HDRINCL = 3;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const SO_MARK = 36;
export const MSG_DONTWAIT = 0x40;
// <linux/if_packet.h>, <linux/if_ether.h> constants.
export const AF_PACKET = 17;
/** Every protocol: the frames of every EtherType (passed to socket() and bind() in network byte order). */
export const ETH_P_ALL = 0x0003;
export const SOL_PACKET = 263;
/** Linux 4.20: a packet socket no longer sees the frames sent on its device (its own among them). */
export const PACKET_IGNORE_OUTGOING = 23;
/** struct tpacket_stats { u32 tp_packets; u32 tp_drops; }: counts since the last read, then reset. */
export const PACKET_STATISTICS = 6;
/** A virtio_net_hdr before every frame read and written (PacketLink takes GSO frames with it from Linux 5.10). */
export const PACKET_VNET_HDR = 15;
/** sizeof(struct sockaddr_ll). */
export const SOCKADDR_LL_SIZE = 20;
/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;

/** libc, typed. Returns follow C: -1 on failure, then `errno()` says why. */
export interface Libc {
  open(path: string, flags: number): number;
  /** ioctl(fd, request, arg) with `arg` pointing into `buffer`; the kernel may write back into it. */
  ioctl(fd: number, request: number, buffer: Uint8Array): number;
  /** ioctl(fd, request, value) with an integer argument passed by value (TUNSETOFFLOAD). */
  ioctlValue(fd: number, request: number, value: number): number;
  fcntlGetFlags(fd: number): number;
  fcntlSetFlags(fd: number, flags: number): number;
  /** poll(fds, nfds, timeoutMs) over an array of struct pollfd {int fd; short events; short revents}. */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  /**
   * poll() run on libuv's thread pool (koffi's asynchronous call): `done` gets its result on the calling
   * thread's event loop, which the pending call keeps alive. `fds` must stay untouched until then.
   */
  pollAsync(
    fds: Uint8Array,
    nfds: number,
    timeoutMs: number,
    done: (error: unknown, ready: number) => void,
  ): void;
  read(fd: number, buffer: Uint8Array, count: number): number;
  write(fd: number, buffer: Uint8Array, count: number): number;
  /** writev(fd, iov, 2): `headLength` bytes of `head`, then `count` bytes of `buffer`, in one system call. */
  writeWithHead(fd: number, head: Uint8Array, headLength: number, buffer: Uint8Array, count: number): number;
  /** writev(fd, iov, 3): `head`, then `buffer`, then `tail`, whole, in one system call (no gathering copy). */
  writeWithHeadAndTail(fd: number, head: Uint8Array, buffer: Uint8Array, tail: Uint8Array): number;
  close(fd: number): number;
  /** eventfd(initval, flags): a counter fd that poll() sees readable once written to; −1 on failure. */
  eventfd(initval: number, flags: number): number;
  socket(domain: number, type: number, protocol: number): number;
  /** setsockopt(fd, level, name, &value, sizeof(int)): every option pilha sets is an int. */
  setsockoptInt(fd: number, level: number, name: number, value: number): number;
  /** setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program): a classic BPF socket filter; returns 0 or -1. */
  attachFilter(fd: number, program: readonly BpfInstruction[]): number;
  /** getsockopt(fd, level, name, buffer, &length): the option's bytes in `buffer`; returns 0 or -1. */
  getsockopt(fd: number, level: number, name: number, buffer: Uint8Array): number;
  /** bind(fd, addr, addrlen) with `addr` a struct sockaddr of `addr.length` bytes. */
  bind(fd: number, addr: Uint8Array): number;
  /** sendto(fd, buf, len, flags, addr, addrlen) with `addr` a struct sockaddr of `addr.length` bytes. */
  sendto(fd: number, buffer: Uint8Array, length: number, flags: number, addr: Uint8Array): number;
  /** if_nametoindex(name): the interface's index, or 0 when there is no such interface. */
  ifNameToIndex(name: string): number;
  /** Whether an interface of index `ifindex` exists in this network namespace (if_indextoname), whatever its name. */
  interfaceExists(ifindex: number): boolean;
  /** setpriority(PRIO_PROCESS, 0, nice): on Linux the nice value of the calling thread alone. */
  setThreadNice(nice: number): number;
  /** errno of the calling thread, as saved right after the last call. */
  errno(): number;
  strerror(errno: number): string;
}

/** One classic BPF instruction (struct sock_filter). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

const SO_ATTACH_FILTER = 26;

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
  EMSGSIZE: errnoValue('EMSGSIZE', 90),
  ENOPROTOOPT: errnoValue('ENOPROTOOPT', 92),
  EADDRNOTAVAIL: errnoValue('EADDRNOTAVAIL', 99),
  ENETDOWN: errnoValue('ENETDOWN', 100),
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
    throw new PilhaError('ETUN', `pilha's TUN and raw-socket links need Linux (this is ${process.platform})`);
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
  const pollFunction = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const poll: (fds: Uint8Array, nfds: number, timeout: number) => number = pollFunction;
  const read: (fd: number, buf: Uint8Array, count: number) => number = lib.func(
    'long read(int fd, void *buf, size_t count)',
  );
  const write: (fd: number, buf: Uint8Array, count: number) => number = lib.func(
    'long write(int fd, const void *buf, size_t count)',
  );
  const close: (fd: number) => number = lib.func('int close(int fd)');
  const eventfd: (initval: number, flags: number) => number = lib.func(
    'int eventfd(unsigned int initval, int flags)',
  );
  // struct iovec { void *iov_base; size_t iov_len; }: the two objects are reused, so a call allocates nothing.
  const iovec = koffi.struct('pilha_iovec', { base: 'void *', len: 'size_t' });
  const writev: (fd: number, iov: unknown[], count: number) => number = lib.func(
    'long writev(int fd, const pilha_iovec *iov, int iovcnt)',
  );
  void iovec;
  const iov: Array<{ base: Uint8Array; len: number }> = [
    { base: new Uint8Array(0), len: 0 },
    { base: new Uint8Array(0), len: 0 },
  ];
  const iov3: Array<{ base: Uint8Array; len: number }> = [
    { base: new Uint8Array(0), len: 0 },
    { base: new Uint8Array(0), len: 0 },
    { base: new Uint8Array(0), len: 0 },
  ];
  const socket: (domain: number, type: number, protocol: number) => number = lib.func(
    'int socket(int domain, int type, int protocol)',
  );
  const sockFilter = koffi.struct('pilha_sock_filter', {
    code: 'uint16',
    jt: 'uint8',
    jf: 'uint8',
    k: 'uint32',
  });
  const sockFprog = koffi.struct('pilha_sock_fprog', { len: 'uint16', filter: koffi.pointer(sockFilter) });
  const setsockoptFilter: (
    fd: number,
    level: number,
    name: number,
    value: { len: number; filter: readonly BpfInstruction[] },
    length: number,
  ) => number = lib.func(
    'int setsockopt(int fd, int level, int name, const pilha_sock_fprog *value, unsigned int length)',
  );
  const setsockopt: (fd: number, level: number, name: number, value: Int32Array, length: number) => number =
    lib.func('int setsockopt(int fd, int level, int name, const void *value, unsigned int length)');
  const getsockopt: (
    fd: number,
    level: number,
    name: number,
    value: Uint8Array,
    length: Uint32Array,
  ) => number = lib.func(
    'int getsockopt(int fd, int level, int name, void *value, _Inout_ unsigned int *length)',
  );
  const optionLength = new Uint32Array(1);
  const bind: (fd: number, addr: Uint8Array, length: number) => number = lib.func(
    'int bind(int fd, const void *addr, unsigned int length)',
  );
  const sendto: (
    fd: number,
    buf: Uint8Array,
    length: number,
    flags: number,
    addr: Uint8Array,
    addrLength: number,
  ) => number = lib.func(
    'long sendto(int fd, const void *buf, size_t length, int flags, const void *addr, unsigned int addrLength)',
  );
  const ifNameToIndex: (name: string) => number = lib.func('unsigned int if_nametoindex(const char *name)');
  const ifIndexToName: (ifindex: number, name: Uint8Array) => unknown = lib.func(
    'void *if_indextoname(unsigned int ifindex, void *name)',
  );
  const interfaceName = new Uint8Array(16); // IF_NAMESIZE
  const strerror: (errno: number) => string = lib.func('const char *strerror(int errnum)');
  const setpriority: (which: number, who: number, prio: number) => number = lib.func(
    'int setpriority(int which, unsigned int who, int prio)',
  );
  const intValue = new Int32Array(1);
  cachedLibc = {
    open,
    ioctl: (fd, request, buffer) => ioctl(fd, request, 'void *', buffer),
    ioctlValue: (fd, request, value) => ioctl(fd, request, 'unsigned long', value),
    fcntlGetFlags: (fd) => fcntl(fd, F_GETFL),
    fcntlSetFlags: (fd, flags) => fcntl(fd, F_SETFL, 'int', flags),
    poll,
    pollAsync: (fds, nfds, timeoutMs, done) => pollFunction.async(fds, nfds, timeoutMs, done),
    read,
    write,
    writeWithHead: (fd, head, headLength, buffer, count) => {
      const first = iov[0]!;
      const second = iov[1]!;
      first.base = head;
      first.len = headLength;
      second.base = buffer;
      second.len = count;
      return writev(fd, iov, 2);
    },
    writeWithHeadAndTail: (fd, head, buffer, tail) => {
      const first = iov3[0]!;
      const second = iov3[1]!;
      const third = iov3[2]!;
      first.base = head;
      first.len = head.length;
      second.base = buffer;
      second.len = buffer.length;
      third.base = tail;
      third.len = tail.length;
      return writev(fd, iov3, 3);
    },
    close,
    eventfd,
    socket,
    setsockoptInt: (fd, level, name, value) => {
      intValue[0] = value;
      return setsockopt(fd, level, name, intValue, 4);
    },
    attachFilter: (fd, program) =>
      setsockoptFilter(
        fd,
        SOL_SOCKET,
        SO_ATTACH_FILTER,
        { len: program.length, filter: program },
        koffi.sizeof(sockFprog),
      ),
    getsockopt: (fd, level, name, buffer) => {
      optionLength[0] = buffer.length;
      return getsockopt(fd, level, name, buffer, optionLength);
    },
    bind: (fd, addr) => bind(fd, addr, addr.length),
    sendto: (fd, buffer, length, flags, addr) => sendto(fd, buffer, length, flags, addr, addr.length),
    ifNameToIndex,
    interfaceExists: (ifindex) => ifIndexToName(ifindex, interfaceName) !== null,
    setThreadNice: (nice) => setpriority(PRIO_PROCESS, 0, nice),
    errno: () => koffi.errno(),
    strerror,
  };
  return cachedLibc;
}

/** A struct sockaddr_in for `address` (port 0), in a fresh buffer that the caller may rewrite in place. */
export function sockaddrIn(address: number): Uint8Array {
  const addr = new Uint8Array(SOCKADDR_IN_SIZE);
  const view = new DataView(addr.buffer);
  view.setUint16(0, AF_INET, endianness() === 'LE'); // sa_family_t, host order
  view.setUint32(4, address >>> 0, false); // sin_addr, network order
  return addr;
}

/** A 16-bit value in network byte order as a host-order number (htons). */
export function htons(value: number): number {
  return endianness() === 'LE' ? ((value & 0xff) << 8) | ((value >>> 8) & 0xff) : value & 0xffff;
}

/**
 * A struct sockaddr_ll binding a packet socket to interface `ifindex` for `protocol` (host order):
 * { u16 family; be16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8] }.
 */
export function sockaddrLl(ifindex: number, protocol: number): Uint8Array {
  const addr = new Uint8Array(SOCKADDR_LL_SIZE);
  const view = new DataView(addr.buffer);
  const le = endianness() === 'LE';
  view.setUint16(0, AF_PACKET, le);
  view.setUint16(2, protocol, false);
  view.setInt32(4, ifindex, le);
  return addr;
}

/** strerror, lower-cased to sit inside a sentence, with the number. */
export function describeErrno(libc: Libc, errno: number): string {
  return `${libc.strerror(errno).toLowerCase()} (errno ${errno})`;
}
