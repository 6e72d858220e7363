import { Counters } from '../../../core/counters.js';
import { decoratorStats, ignoreDatagram } from '../raw-link.js';
const COUNTERS = ['txPackets', 'txBytes', 'rxPackets', 'rxBytes', 'captured', 'captureErrors'];
/**
 * A tap with the same interface as the link it wraps: every datagram sent and every datagram received is
 * written to a PcapWriter, then passed on unchanged (no copy beyond the writer's own).
 *
 * A capture that fails (disk full, say) never breaks the link: the error is counted in `captureErrors` and
 * capturing stops; traffic goes on. stats() follows ImpairedLink: this link's own counters unprefixed
 * (txPackets/rxPackets as seen at its upper boundary, captured, captureErrors), the inner link's under `inner.`.
 */
export class PcapLink {
    inner;
    writer;
    mtu;
    /** The inner link's: a decorator moves whatever its link moves (datagrams or frames). */
    medium;
    mac;
    handler = ignoreDatagram;
    counters = new Counters(COUNTERS);
    capturing = true;
    closed = false;
    constructor(inner, writer) {
        this.inner = inner;
        this.writer = writer;
        this.mtu = inner.mtu;
        this.medium = inner.medium;
        this.mac = inner.mac;
        inner.onReceive((datagram) => {
            this.counters.inc('rxPackets');
            this.counters.inc('rxBytes', datagram.length);
            this.capture(datagram);
            this.handler(datagram);
        });
    }
    send(datagram) {
        this.counters.inc('txPackets');
        this.counters.inc('txBytes', datagram.length);
        this.capture(datagram);
        this.inner.send(datagram);
    }
    onReceive(handler) {
        this.handler = handler;
    }
    capture(datagram) {
        if (!this.capturing)
            return;
        try {
            this.writer.write(datagram);
            this.counters.inc('captured');
        }
        catch {
            this.capturing = false;
            this.counters.inc('captureErrors');
        }
    }
    stats() {
        return decoratorStats(this.counters.values, this.inner);
    }
    /** Closes the inner link, then flushes and closes the capture file (also if the inner close fails). */
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        try {
            await this.inner.close();
        }
        finally {
            this.capturing = false;
            this.writer.close();
        }
    }
}
//# sourceMappingURL=pcap-link.js.map