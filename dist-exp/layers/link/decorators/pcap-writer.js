import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PilhaError } from '../../../core/errors.js';
/** Link type for Ethernet frames (without FCS): TAP devices and AF_PACKET sockets. */
export const LINKTYPE_ETHERNET = 1;
/** Link type for raw IP packets (version from the first nibble); what Wireshark and tshark decode everywhere. */
export const LINKTYPE_RAW = 101;
/** Link type for raw IPv4 packets only. */
export const LINKTYPE_IPV4 = 228;
/** The classic libpcap magic, written in little-endian order: readers detect the byte order from it. */
export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_GLOBAL_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
const DEFAULT_BUFFER_BYTES = 1 << 20;
function wallClockMs() {
    return performance.timeOrigin + performance.now();
}
/**
 * Writes a capture file in the classic libpcap format (version 2.4, little-endian, microsecond timestamps) that
 * Wireshark, tshark and tcpdump open. Records accumulate in one buffer, flushed with a synchronous write when it
 * fills, periodically (by record time) and on flush()/close(), so a hot path costs a header and a copy per packet.
 */
export class PcapWriter {
    path;
    linkType;
    snaplen;
    fd;
    now;
    buf;
    view;
    off = 0;
    flushIntervalMs;
    lastFlushAt;
    recordCount = 0;
    /** Creates (or truncates) `path` and writes the global header; a path that cannot be opened throws EBADOPTION. */
    constructor(path, options = {}) {
        const linkType = options.linkType ?? LINKTYPE_RAW;
        const snaplen = options.snaplen ?? 65535;
        const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
        if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
            throw new PilhaError('EBADOPTION', `pcap link type must be an integer between 0 and 65535, got ${linkType}`);
        }
        if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x3ffff) {
            throw new PilhaError('EBADOPTION', `pcap snaplen must be an integer between 1 and 262143, got ${snaplen}`);
        }
        if (!Number.isInteger(bufferBytes) || bufferBytes < PCAP_GLOBAL_HEADER_BYTES) {
            throw new PilhaError('EBADOPTION', `pcap buffer must be at least ${PCAP_GLOBAL_HEADER_BYTES} bytes`);
        }
        this.path = path;
        this.linkType = linkType;
        this.snaplen = snaplen;
        this.now = options.now ?? wallClockMs;
        this.flushIntervalMs = options.flushIntervalMs ?? 1000;
        this.buf = Buffer.allocUnsafe(bufferBytes);
        this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
        try {
            this.fd = openSync(path, 'w');
        }
        catch (err) {
            throw new PilhaError('EBADOPTION', `cannot create capture file '${path}': ${err.message}`);
        }
        const v = this.view;
        v.setUint32(0, PCAP_MAGIC, true);
        v.setUint16(4, 2, true); // version 2.4
        v.setUint16(6, 4, true);
        v.setInt32(8, 0, true); // thiszone: timestamps are UTC
        v.setUint32(12, 0, true); // sigfigs
        v.setUint32(16, snaplen, true);
        v.setUint32(20, linkType, true);
        this.off = PCAP_GLOBAL_HEADER_BYTES;
        this.lastFlushAt = this.now();
        this.flush();
    }
    /** Records written so far. */
    get packets() {
        return this.recordCount;
    }
    get closed() {
        return this.fd === undefined;
    }
    /**
     * Appends one record (the first `snaplen` bytes of `packet`), stamped `timestampMs` (epoch milliseconds,
     * default now()). The packet is copied at once. Throws ECLOSED after close(), and the file system's error if
     * a flush fails.
     */
    write(packet, timestampMs = this.now()) {
        if (this.fd === undefined)
            throw new PilhaError('ECLOSED', `capture file '${this.path}' is closed`);
        const incl = Math.min(packet.length, this.snaplen);
        const size = PCAP_RECORD_HEADER_BYTES + incl;
        if (this.off + size > this.buf.length)
            this.flush();
        let sec = Math.floor(timestampMs / 1000);
        let usec = Math.round((timestampMs - sec * 1000) * 1000);
        if (usec >= 1_000_000) {
            sec += 1;
            usec -= 1_000_000;
        }
        if (size > this.buf.length) {
            // Larger than the whole buffer (a tiny buffer): header through the buffer, body straight to the file.
            this.putHeader(sec, usec, incl, packet.length);
            this.flush();
            this.writeAll(packet.subarray(0, incl));
        }
        else {
            this.putHeader(sec, usec, incl, packet.length);
            this.buf.set(incl === packet.length ? packet : packet.subarray(0, incl), this.off);
            this.off += incl;
        }
        this.recordCount++;
        if (timestampMs - this.lastFlushAt >= this.flushIntervalMs) {
            this.flush();
            this.lastFlushAt = timestampMs;
        }
    }
    putHeader(sec, usec, incl, orig) {
        const v = this.view;
        const o = this.off;
        v.setUint32(o, sec >>> 0, true);
        v.setUint32(o + 4, usec, true);
        v.setUint32(o + 8, incl, true);
        v.setUint32(o + 12, orig, true);
        this.off = o + PCAP_RECORD_HEADER_BYTES;
    }
    /** Writes the buffered records to the file. */
    flush() {
        if (this.off === 0 || this.fd === undefined)
            return;
        const n = this.off;
        this.off = 0;
        this.writeAll(this.buf.subarray(0, n));
    }
    writeAll(bytes) {
        let done = 0;
        while (done < bytes.length)
            done += writeSync(this.fd, bytes, done, bytes.length - done);
    }
    /** Flushes and closes the file; later calls do nothing. */
    close() {
        const fd = this.fd;
        if (fd === undefined)
            return;
        try {
            this.flush();
        }
        finally {
            this.fd = undefined;
            closeSync(fd);
        }
    }
}
//# sourceMappingURL=pcap-writer.js.map