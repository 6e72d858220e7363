/** Link type for Ethernet frames (without FCS): TAP devices and AF_PACKET sockets. */
export declare const LINKTYPE_ETHERNET = 1;
/** Link type for raw IP packets (version from the first nibble); what Wireshark and tshark decode everywhere. */
export declare const LINKTYPE_RAW = 101;
/** Link type for raw IPv4 packets only. */
export declare const LINKTYPE_IPV4 = 228;
/** The classic libpcap magic, written in little-endian order: readers detect the byte order from it. */
export declare const PCAP_MAGIC = 2712847316;
export declare const PCAP_GLOBAL_HEADER_BYTES = 24;
export declare const PCAP_RECORD_HEADER_BYTES = 16;
export interface PcapWriterOptions {
    /** LINKTYPE_RAW (101, default), LINKTYPE_IPV4 (228) or LINKTYPE_ETHERNET (1). */
    readonly linkType?: number;
    /** Bytes kept of each packet (default 65535); longer packets are truncated, with their original length recorded. */
    readonly snaplen?: number;
    /**
     * Wall-clock time in epoch milliseconds (fractions give microseconds), for record timestamps. The default is
     * `performance.timeOrigin + performance.now()`: wall-clock time like Date.now(), but with sub-millisecond
     * resolution so that packets at 100k/s do not share timestamps.
     */
    readonly now?: () => number;
    /** Size of the write buffer (default 1 MiB): records accumulate here and go to the file in one write. */
    readonly bufferBytes?: number;
    /** A write at least this long (by record timestamps) after the last flush flushes too; default 1000 ms. */
    readonly flushIntervalMs?: number;
}
/**
 * Writes a capture file in the classic libpcap format (version 2.4, little-endian, microsecond timestamps) that
 * Wireshark, tshark and tcpdump open. Records accumulate in one buffer, flushed with a synchronous write when it
 * fills, periodically (by record time) and on flush()/close(), so a hot path costs a header and a copy per packet.
 */
export declare class PcapWriter {
    readonly path: string;
    readonly linkType: number;
    readonly snaplen: number;
    private fd;
    private readonly now;
    private readonly buf;
    private readonly view;
    private off;
    private readonly flushIntervalMs;
    private lastFlushAt;
    private recordCount;
    /** Creates (or truncates) `path` and writes the global header; a path that cannot be opened throws EBADOPTION. */
    constructor(path: string, options?: PcapWriterOptions);
    /** Records written so far. */
    get packets(): number;
    get closed(): boolean;
    /**
     * Appends one record (the first `snaplen` bytes of `packet`), stamped `timestampMs` (epoch milliseconds,
     * default now()). The packet is copied at once. Throws ECLOSED after close(), and the file system's error if
     * a flush fails.
     */
    write(packet: Uint8Array, timestampMs?: number): void;
    private putHeader;
    /** Writes the buffered records to the file. */
    flush(): void;
    private writeAll;
    /** Flushes and closes the file; later calls do nothing. */
    close(): void;
}
