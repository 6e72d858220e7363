import { silentLoggers } from '../../../core/logger.js';
import { formatMac } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { ERRNO, loadLibc } from '../fd/libc.js';
import { splitSuperSegment, TCP_CHECKSUM_OFFSET } from '../offload/tcp-super-segment.js';
import { putLe16, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_HDR_SIZE, } from '../offload/virtio-net-header.js';
import { checkTunConfig, configureTunDevice, DEFAULT_TUN_TX_QUEUE_LENGTH, enableTunOffload, openTunDevice, readDeviceCounter, } from './tun-device.js';
const NO_OFFLOAD = { vnetHeader: false, offload: false };
/** The largest super-segment: what an IPv4 total length can say. */
const MAX_SUPER_SEGMENT = 65535;
const TUN_COUNTERS = ['txGsoPackets', 'txGsoSegments', 'txGsoBadSegments', 'txGsoFallbacks'];
/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in an FdReader's worker thread
 * that blocks in poll()/read() and posts datagrams in batches; each datagram reaches the handler as a view
 * into its batch's buffer, without a copy. Sending is one synchronous non-blocking write() per datagram on
 * the main thread.
 *
 * With offload (options.offload, which pilha's stacks ask for), the device is opened with IFF_VNET_HDR: every
 * write is a virtio_net_hdr and a datagram in one writev() (no copy), and `segmentation` takes TCP
 * super-segments, which the kernel delivers as one GSO packet (one write instead of one per segment); the
 * kernel, told by TUNSETOFFLOAD that pilha takes GSO packets and partial checksums, hands over up to 64 KB per
 * read, which the reader unwraps (offload/virtio-net-receive.ts) into one large TCP segment with a finished
 * checksum. When the kernel refuses offload, the link works without it (stats: offload 0).
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export class TunLink extends FdLink {
    name;
    txQueueLength;
    offloadState;
    /** TCP super-segments, when offload is on. */
    segmentation;
    /** The header of the next write: zeros (a plain datagram) unless sendSegmented filled it. */
    plainHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
    gsoHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
    txHeader = this.plainHeader;
    /** Creates and configures the device, starts the reader, and resolves once it is reading. */
    static async open(options) {
        return TunLink.openDevice(options, 'tun', undefined, (fd, name, txQueueLength, libc, logger, offload) => new TunLink(fd, name, options.mtu, txQueueLength, libc, logger, undefined, offload));
    }
    /**
     * What opening a TUN or TAP device (TapLink) takes: the device created (a TUN device with offload when
     * options.offload is true, falling back to none when the kernel refuses), the link made by `make` around
     * it, the device configured, the reader started; on any failure the link is closed again.
     */
    static async openDevice(options, kind, mac, make) {
        const logger = options.logger ?? silentLoggers().for('link');
        checkTunConfig(options);
        const libc = loadLibc();
        const { device, offload } = openWithOffload(options, kind, libc, logger);
        const txQueueLength = options.txQueueLength ?? DEFAULT_TUN_TX_QUEUE_LENGTH;
        const link = make(device.fd, device.name, txQueueLength, libc, logger, offload);
        try {
            configureTunDevice({ ...options, name: device.name, txQueueLength });
            await link.start('ETUN', offload.vnetHeader ? VIRTIO_NET_HDR_SIZE : 0);
        }
        catch (err) {
            await link.close();
            throw err;
        }
        logger.info({
            device: device.name,
            mtu: options.mtu,
            ...(mac !== undefined ? { mac: formatMac(mac) } : {}),
            txQueueLength,
            ...(kind === 'tun' ? { offload: offload.offload } : {}),
        }, `${kind.toUpperCase()} link open`);
        return link;
    }
    constructor(fd, 
    /** The device name the kernel gave. */
    name, mtu, 
    /** The device's txqueuelen as configured. */
    txQueueLength, libc, logger, 
    /** pilha's MAC on a TAP device, whose medium is Ethernet. */
    mac, 
    /** How the device was opened (a TUN device may have offload). */
    offloadState = NO_OFFLOAD) {
        super(fd, mtu, libc, logger, TUN_COUNTERS, mac);
        this.name = name;
        this.txQueueLength = txQueueLength;
        this.offloadState = offloadState;
        this.segmentation = offloadState.offload
            ? {
                maxDatagramBytes: MAX_SUPER_SEGMENT,
                sendSegmented: (datagram, segmentSize) => this.sendSegmented(datagram, segmentSize),
            }
            : undefined;
    }
    /**
     * The counters, the device's txqueuelen, the packets the kernel dropped at that queue (tx_dropped), and
     * whether offload is on (1) or off (0).
     */
    stats() {
        const deviceTxDropped = readDeviceCounter(this.name, 'tx_dropped');
        return {
            ...super.stats(),
            txQueueLength: this.txQueueLength,
            ...(deviceTxDropped !== undefined ? { deviceTxDropped } : {}),
            ...(this.medium === 'ip' ? { offload: this.offloadState.offload ? 1 : 0 } : {}),
        };
    }
    /**
     * One super-segment behind a GSO header (NEEDS_CSUM, TCPV4, gso_size, hdr_len, csum_start at the TCP header,
     * csum_offset 16): the kernel cuts it. Should the kernel refuse it, the link cuts it itself and sends the
     * segments (txGsoFallbacks).
     */
    sendSegmented(datagram, segmentSize) {
        const length = datagram.length;
        const ipHeaderLength = length >= 20 ? (datagram[0] & 0x0f) * 4 : 0;
        const headersLength = ipHeaderLength + (length >= ipHeaderLength + 13 ? (datagram[ipHeaderLength + 12] >> 4) * 4 : 0);
        if (ipHeaderLength < 20 ||
            headersLength < ipHeaderLength + 20 ||
            headersLength >= length ||
            segmentSize <= 0) {
            this.counters.inc('txGsoBadSegments');
            return;
        }
        const segments = Math.ceil((length - headersLength) / segmentSize);
        // One segment is no GSO packet, but its checksum is as unfinished: the kernel finishes it (NEEDS_CSUM).
        const h = this.gsoHeader;
        h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h[1] = segments > 1 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE;
        putLe16(h, 2, headersLength);
        putLe16(h, 4, segments > 1 ? segmentSize : 0);
        putLe16(h, 6, ipHeaderLength);
        putLe16(h, 8, TCP_CHECKSUM_OFFSET);
        this.txHeader = this.gsoHeader;
        const before = this.counters.values.txPackets;
        try {
            this.transmit(datagram, MAX_SUPER_SEGMENT);
        }
        finally {
            this.txHeader = this.plainHeader;
        }
        if (this.counters.values.txPackets !== before) {
            if (segments > 1) {
                this.counters.inc('txGsoPackets');
                this.counters.inc('txGsoSegments', segments);
            }
            return;
        }
        if (this.lastWriteErrno === ERRNO.EINVAL) {
            // Refused (EINVAL on a kernel that disagrees with the header): cut here, as the kernel would have.
            this.counters.inc('txGsoFallbacks');
            const split = splitSuperSegment(datagram, segmentSize);
            if (split !== undefined)
                for (const segment of split)
                    this.send(segment);
        }
    }
    write(datagram, length) {
        if (!this.offloadState.vnetHeader)
            return this.libc.write(this.fd, datagram, length);
        const written = this.libc.writeWithHead(this.fd, this.txHeader, VIRTIO_NET_HDR_SIZE, datagram, length);
        return written < 0 ? written : written - VIRTIO_NET_HDR_SIZE;
    }
    describe() {
        return `${this.medium === 'ethernet' ? 'TAP' : 'TUN'} device ${this.name}`;
    }
}
/** Opens the device with IFF_VNET_HDR and TUNSETOFFLOAD when asked and possible, else without. */
function openWithOffload(options, kind, libc, logger) {
    if (kind !== 'tun' || options.offload !== true) {
        return { device: openTunDevice(options.name, kind), offload: NO_OFFLOAD };
    }
    let device;
    try {
        device = openTunDevice(options.name, kind, true);
    }
    catch (err) {
        logger.warn({ err }, 'TUN device with IFF_VNET_HDR refused; opening it without offload');
        return { device: openTunDevice(options.name, kind), offload: NO_OFFLOAD };
    }
    const errno = enableTunOffload(device.fd, libc);
    if (errno !== 0) {
        logger.warn({ errno }, 'TUNSETOFFLOAD refused: no segmentation offload');
        return { device, offload: { vnetHeader: true, offload: false } };
    }
    return { device, offload: { vnetHeader: true, offload: true } };
}
//# sourceMappingURL=tun-link.js.map