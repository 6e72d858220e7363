import type { MacAddress } from '../../../core/mac-address.js';
import { type LinkMedium, type RawLink } from '../raw-link.js';
import type { PcapWriter } from './pcap-writer.js';
/**
 * A tap with the same interface as the link it wraps: every datagram sent and every datagram received is
 * written to a PcapWriter, then passed on unchanged (no copy beyond the writer's own).
 *
 * A capture that fails (disk full, say) never breaks the link: the error is counted in `captureErrors` and
 * capturing stops; traffic goes on. stats() follows ImpairedLink: this link's own counters unprefixed
 * (txPackets/rxPackets as seen at its upper boundary, captured, captureErrors), the inner link's under `inner.`.
 */
export declare class PcapLink implements RawLink {
    private readonly inner;
    private readonly writer;
    readonly mtu: number;
    /** The inner link's: a decorator moves whatever its link moves (datagrams or frames). */
    readonly medium: LinkMedium | undefined;
    readonly mac: MacAddress | undefined;
    private handler;
    private readonly counters;
    private capturing;
    private closed;
    constructor(inner: RawLink, writer: PcapWriter);
    send(datagram: Uint8Array): void;
    onReceive(handler: (datagram: Uint8Array) => void): void;
    private capture;
    stats(): Record<string, number>;
    /** Closes the inner link, then flushes and closes the capture file (also if the inner close fails). */
    close(): Promise<void>;
}
