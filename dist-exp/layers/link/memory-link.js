import { Counters } from '../../core/counters.js';
import { ignoreDatagram } from './raw-link.js';
const COUNTERS = ['txPackets', 'txBytes', 'rxPackets', 'rxBytes', 'dropClosed', 'dropTooBig'];
/** An Ethernet frame's bytes beyond the IP MTU: the header with room for one 802.1Q tag. */
const ETHERNET_FRAME_OVERHEAD = 18;
/**
 * One end of an in-memory link. Delivery is synchronous by default (deterministic, for tests);
 * with `deliver` set, each datagram is handed to that scheduler instead (e.g. a Clock timer or queueMicrotask).
 */
export class MemoryLink {
    mtu;
    deliver;
    medium;
    mac;
    handler = ignoreDatagram;
    peer;
    closed = false;
    counters = new Counters(COUNTERS);
    /**
     * Creates two connected ends. With `as.medium` 'ethernet' they move frames (the MTU stays the IP MTU; a
     * frame may exceed it by its header and one tag) and each end has its MAC from `as.macs`.
     */
    static pair(mtu = 1500, deliver, as) {
        const a = new MemoryLink(mtu, deliver, as?.medium, as?.macs?.[0]);
        const b = new MemoryLink(mtu, deliver, as?.medium, as?.macs?.[1]);
        a.peer = b;
        b.peer = a;
        return [a, b];
    }
    maxSend;
    constructor(mtu, deliver, medium, mac) {
        this.mtu = mtu;
        this.deliver = deliver;
        this.medium = medium;
        this.mac = mac;
        this.maxSend = medium === 'ethernet' ? mtu + ETHERNET_FRAME_OVERHEAD : mtu;
    }
    send(datagram) {
        const peer = this.peer;
        if (this.closed || peer === undefined || peer.closed) {
            this.counters.inc('dropClosed');
            return;
        }
        if (datagram.length > this.maxSend) {
            this.counters.inc('dropTooBig');
            return;
        }
        this.counters.inc('txPackets');
        this.counters.inc('txBytes', datagram.length);
        // The sender may reuse its buffer once send() returns, so the receiver gets its own copy.
        const copy = datagram.slice();
        if (this.deliver === undefined)
            peer.receive(copy);
        else
            this.deliver(() => peer.receive(copy));
    }
    onReceive(handler) {
        this.handler = handler;
    }
    /** Injects a datagram as if it had arrived from the peer (for tests). */
    receive(datagram) {
        if (this.closed)
            return;
        this.counters.inc('rxPackets');
        this.counters.inc('rxBytes', datagram.length);
        this.handler(datagram);
    }
    stats() {
        return this.counters.snapshot();
    }
    async close() {
        this.closed = true;
    }
}
//# sourceMappingURL=memory-link.js.map