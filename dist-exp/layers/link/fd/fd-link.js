import { closeSync } from 'node:fs';
import { Counters } from '../../../core/counters.js';
import { ignoreDatagram } from '../raw-link.js';
import { FdReader } from './fd-reader.js';
import { ERRNO } from './libc.js';
/** The counters every fd-backed link keeps; a link adds its own after them. */
export const FD_LINK_COUNTERS = [
    'rxPackets',
    'rxBytes',
    'txPackets',
    'txBytes',
    'txDrops',
    'txDropFull',
    'txDropTooBig',
    'txDropClosed',
    'txDropError',
];
/** An Ethernet header (destination, source, EtherType) plus one 802.1Q tag: what a frame adds to the IP MTU. */
export const ETHERNET_FRAME_OVERHEAD = 14 + 4;
const ETHERNET_HEADER_BYTES = 14;
/**
 * What a RawLink on a kernel file descriptor (a TUN device, a raw socket) has in common: an FdReader's worker
 * reads datagrams in batches and hands each to the handler as a view into its batch; sending is one
 * synchronous non-blocking system call per datagram, counted, with every failure a counted drop; close()
 * stops the reader (within one poll timeout), then closes the fd. A subclass says how to write one datagram,
 * which received datagrams are its own, and what else to undo on close.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 */
export class FdLink {
    fd;
    mtu;
    libc;
    logger;
    medium;
    mac;
    /** The longest datagram (or frame: the MTU plus an Ethernet header and a VLAN tag) send() passes on. */
    maxSendBytes;
    handler = ignoreDatagram;
    counters;
    /** errno of the last failed write, 0 after a successful one. */
    lastWriteErrno = 0;
    reader;
    closing;
    fdOpen = true;
    constructor(fd, mtu, libc, logger, extraCounters = [], 
    /** pilha's MAC when the fd moves Ethernet frames (a TAP device, an AF_PACKET socket); absent for IP. */
    ethernetMac) {
        this.fd = fd;
        this.mtu = mtu;
        this.libc = libc;
        this.logger = logger;
        this.medium = ethernetMac === undefined ? 'ip' : 'ethernet';
        this.mac = ethernetMac;
        this.maxSendBytes = ethernetMac === undefined ? mtu : mtu + ETHERNET_FRAME_OVERHEAD;
        this.counters = new Counters([
            ...FD_LINK_COUNTERS,
            ...extraCounters,
        ]);
    }
    send(datagram) {
        this.transmit(datagram, this.maxSendBytes);
    }
    /** Writes `datagram` as send() does, refusing (counted) one longer than `maxBytes`. */
    transmit(datagram, maxBytes) {
        const length = datagram.length;
        if (this.closing !== undefined) {
            this.drop('txDropClosed');
            return;
        }
        if (length > maxBytes) {
            this.drop('txDropTooBig');
            return;
        }
        const written = this.write(datagram, length);
        if (written === length) {
            this.lastWriteErrno = 0;
            this.counters.inc('txPackets');
            this.counters.inc('txBytes', length);
            return;
        }
        const errno = written < 0 ? this.libc.errno() : 0;
        this.lastWriteErrno = errno;
        if (errno === ERRNO.EAGAIN || errno === ERRNO.ENOBUFS) {
            this.drop('txDropFull');
            return;
        }
        this.drop(errno === ERRNO.EMSGSIZE ? 'txDropTooBig' : 'txDropError');
        if (this.logger.isLevelEnabled('debug')) {
            this.logger.debug({ link: this.describe(), length, written, errno }, 'write failed; datagram dropped');
        }
    }
    onReceive(handler) {
        this.handler = handler;
    }
    stats() {
        return { ...this.counters.snapshot(), ...(this.reader?.stats() ?? {}) };
    }
    close() {
        this.closing ??= this.shutdown();
        return this.closing;
    }
    /** Starts the reader (which unwraps `vnetHeaderBytes` of virtio_net_hdr per read); resolves once it is reading. */
    async start(errorCode, vnetHeaderBytes = 0) {
        this.reader = await FdReader.start({
            fd: this.fd,
            label: this.describe(),
            errorCode,
            logger: this.logger,
            onDatagram: (datagram) => this.receive(datagram),
            linkHeaderBytes: this.medium === 'ethernet' ? ETHERNET_HEADER_BYTES : 0,
            vnetHeaderBytes,
        });
    }
    /** A datagram the reader read: counted and handed up. A subclass may filter or fix it up first. */
    receive(datagram) {
        this.counters.inc('rxPackets');
        this.counters.inc('rxBytes', datagram.length);
        this.handler(datagram);
    }
    drop(reason) {
        this.counters.inc('txDrops');
        this.counters.inc(reason);
    }
    /** Whether the fd is still open (a subclass may then query it). */
    fdIsOpen() {
        return this.fdOpen;
    }
    /** What else the link undoes once its fd is closed (nothing by default). */
    afterClose() { }
    async shutdown() {
        this.handler = ignoreDatagram;
        await this.reader?.stop();
        if (this.fdOpen) {
            this.fdOpen = false;
            try {
                closeSync(this.fd);
            }
            catch (err) {
                this.logger.warn({ err, link: this.describe() }, 'closing the fd failed');
            }
        }
        this.afterClose();
        const counters = this.counters.nonZero();
        this.logger.info({ link: this.describe(), ...counters }, 'link closed');
    }
}
//# sourceMappingURL=fd-link.js.map