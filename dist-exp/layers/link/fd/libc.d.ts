export declare const O_RDWR = 2;
export declare const O_NONBLOCK = 2048;
export declare const O_CLOEXEC = 524288;
export declare const F_GETFL = 3;
export declare const F_SETFL = 4;
export declare const POLLIN = 1;
export declare const POLLERR = 8;
export declare const POLLHUP = 16;
export declare const POLLNVAL = 32;
/** <sys/resource.h>: setpriority's `which` for a process (on Linux, with who = 0, the calling thread). */
export declare const PRIO_PROCESS = 0;
export declare const AF_INET = 2;
export declare const SOCK_RAW = 3;
export declare const SOCK_CLOEXEC = 524288;
export declare const IPPROTO_IP = 0;
export declare const IPPROTO_TCP = 6;
export declare const IP_HDRINCL = 3;
export declare const SOL_SOCKET = 1;
export declare const SO_SNDBUF = 7;
export declare const SO_RCVBUF = 8;
export declare const SO_SNDBUFFORCE = 32;
export declare const SO_RCVBUFFORCE = 33;
export declare const SO_MARK = 36;
export declare const MSG_DONTWAIT = 64;
export declare const AF_PACKET = 17;
/** Every protocol: the frames of every EtherType (passed to socket() and bind() in network byte order). */
export declare const ETH_P_ALL = 3;
export declare const SOL_PACKET = 263;
/** Linux 4.20: a packet socket no longer sees the frames sent on its device (its own among them). */
export declare const PACKET_IGNORE_OUTGOING = 23;
/** struct tpacket_stats { u32 tp_packets; u32 tp_drops; }: counts since the last read, then reset. */
export declare const PACKET_STATISTICS = 6;
/** sizeof(struct sockaddr_ll). */
export declare const SOCKADDR_LL_SIZE = 20;
/** sizeof(struct sockaddr_in). */
export declare const SOCKADDR_IN_SIZE = 16;
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
    read(fd: number, buffer: Uint8Array, count: number): number;
    write(fd: number, buffer: Uint8Array, count: number): number;
    /** writev(fd, iov, 2): `headLength` bytes of `head`, then `count` bytes of `buffer`, in one system call. */
    writeWithHead(fd: number, head: Uint8Array, headLength: number, buffer: Uint8Array, count: number): number;
    close(fd: number): number;
    socket(domain: number, type: number, protocol: number): number;
    /** setsockopt(fd, level, name, &value, sizeof(int)): every option pilha sets is an int. */
    setsockoptInt(fd: number, level: number, name: number, value: number): number;
    /** getsockopt(fd, level, name, buffer, &length): the option's bytes in `buffer`; returns 0 or -1. */
    getsockopt(fd: number, level: number, name: number, buffer: Uint8Array): number;
    /** bind(fd, addr, addrlen) with `addr` a struct sockaddr of `addr.length` bytes. */
    bind(fd: number, addr: Uint8Array): number;
    /** sendto(fd, buf, len, flags, addr, addrlen) with `addr` a struct sockaddr of `addr.length` bytes. */
    sendto(fd: number, buffer: Uint8Array, length: number, flags: number, addr: Uint8Array): number;
    /** if_nametoindex(name): the interface's index, or 0 when there is no such interface. */
    ifNameToIndex(name: string): number;
    /** setpriority(PRIO_PROCESS, 0, nice): on Linux the nice value of the calling thread alone. */
    setThreadNice(nice: number): number;
    /** errno of the calling thread, as saved right after the last call. */
    errno(): number;
    strerror(errno: number): string;
}
/** errno values used to tell expected conditions apart, as this platform numbers them. */
export declare const ERRNO: {
    readonly EPERM: number;
    readonly ENOENT: number;
    readonly EINTR: number;
    readonly EBADF: number;
    readonly EAGAIN: number;
    readonly EACCES: number;
    readonly EBUSY: number;
    readonly ENODEV: number;
    readonly EINVAL: number;
    readonly EMSGSIZE: number;
    readonly ENOPROTOOPT: number;
    readonly EADDRNOTAVAIL: number;
    readonly ENOBUFS: number;
};
/**
 * Binds libc through koffi, once per thread (module instances are per worker). The binding holds no state
 * of ours: only function handles, so sharing it between links is safe.
 */
export declare function loadLibc(): Libc;
/** A struct sockaddr_in for `address` (port 0), in a fresh buffer that the caller may rewrite in place. */
export declare function sockaddrIn(address: number): Uint8Array;
/** A 16-bit value in network byte order as a host-order number (htons). */
export declare function htons(value: number): number;
/**
 * A struct sockaddr_ll binding a packet socket to interface `ifindex` for `protocol` (host order):
 * { u16 family; be16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8] }.
 */
export declare function sockaddrLl(ifindex: number, protocol: number): Uint8Array;
/** strerror, lower-cased to sit inside a sentence, with the number. */
export declare function describeErrno(libc: Libc, errno: number): string;
