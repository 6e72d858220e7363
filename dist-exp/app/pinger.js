import { formatIpv4 } from '../core/ipv4-address.js';
import { IP_PROTOCOL_ICMP } from '../layers/ip/ipv4-header.js';
/** Deterministic echo data so a reply can be checked byte for byte. */
export function echoPattern(size, seq) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++)
        data[i] = (i + seq * 7) & 0xff;
    return data;
}
/**
 * The stage-3 demo: sends echo requests (large ones leave pilha in fragments), matches the replies,
 * and reports for each reply how it was reassembled.
 */
export class Pinger {
    icmp;
    clock;
    lastReassembly;
    current;
    /** Ends the run in progress, if any (ping's Ctrl-C). */
    finishCurrent;
    constructor(icmp, ip, clock) {
        this.icmp = icmp;
        this.clock = clock;
        // IP announces a reassembled datagram just before handing it to ICMP, so the next reply is that datagram.
        ip.onReassembled((info) => {
            if (info.protocol === IP_PROTOCOL_ICMP)
                this.lastReassembly = info;
        });
        icmp.onEchoReply((reply) => {
            const reassembly = this.lastReassembly;
            this.lastReassembly = undefined;
            this.current?.(reply, reassembly);
        });
    }
    /**
     * Stops the run in progress as ping(8) does on its first SIGINT: no more requests, no waiting for replies
     * still on their way; run() resolves at once with the summary so far. Does nothing when no run is active.
     */
    stop() {
        this.finishCurrent?.();
    }
    run(options, onReply = () => { }) {
        const id = (options.id ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
        const sentAt = new Map();
        const answered = new Set();
        const replies = [];
        let duplicates = 0;
        let corrupted = 0;
        let transmitted = 0;
        const start = this.clock.now();
        return new Promise((resolve) => {
            let timer;
            let finished = false;
            const finish = () => {
                if (finished)
                    return;
                finished = true;
                timer?.cancel();
                this.current = undefined;
                this.finishCurrent = undefined;
                resolve(summarize(options.target, transmitted, replies, duplicates, corrupted, this.clock.now() - start));
            };
            this.current = (reply, reassembly) => {
                if (finished || reply.id !== id || reply.src !== options.target)
                    return;
                const sent = sentAt.get(reply.seq);
                if (sent === undefined)
                    return;
                if (answered.has(reply.seq)) {
                    duplicates++;
                    return;
                }
                answered.add(reply.seq);
                const dataMatches = equalBytes(reply.data, echoPattern(options.size, reply.seq));
                if (!dataMatches)
                    corrupted++;
                const entry = {
                    seq: reply.seq,
                    bytes: reply.icmpBytes,
                    ttl: reply.ttl,
                    rttMs: this.clock.now() - sent,
                    dataMatches,
                    ...(reassembly !== undefined ? { reassembly } : {}),
                };
                replies.push(entry);
                onReply(entry);
                if (answered.size === options.count && transmitted === options.count)
                    finish();
            };
            this.finishCurrent = finish;
            const sendNext = () => {
                const seq = transmitted + 1;
                transmitted++;
                sentAt.set(seq, this.clock.now());
                this.icmp.sendEchoRequest(options.target, id, seq, echoPattern(options.size, seq));
                if (transmitted < options.count)
                    timer = this.clock.setTimer(options.intervalMs, sendNext);
                else
                    timer = this.clock.setTimer(options.waitMs, finish);
            };
            sendNext();
        });
    }
}
function equalBytes(a, b) {
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
}
function summarize(target, transmitted, replies, duplicates, corrupted, elapsedMs) {
    const received = replies.length;
    const base = {
        target,
        transmitted,
        received,
        duplicates,
        corrupted,
        lossPercent: transmitted === 0 ? 0 : ((transmitted - received) / transmitted) * 100,
        elapsedMs,
        replies,
    };
    if (received === 0)
        return base;
    const rtts = replies.map((r) => r.rttMs);
    const avg = rtts.reduce((a, b) => a + b, 0) / received;
    const mdev = Math.sqrt(rtts.reduce((a, b) => a + (b - avg) ** 2, 0) / received);
    return { ...base, rtt: { min: Math.min(...rtts), avg, max: Math.max(...rtts), mdev } };
}
/** One line per reply, as ping prints it, plus how the reply was reassembled. */
export function formatPingReply(target, reply) {
    let line = `${reply.bytes} bytes from ${formatIpv4(target)}: icmp_seq=${reply.seq} ttl=${reply.ttl} time=${reply.rttMs.toFixed(2)} ms`;
    if (!reply.dataMatches)
        line += ' (DATA MISMATCH)';
    const r = reply.reassembly;
    if (r !== undefined) {
        line +=
            ` | reassembled id=0x${r.id.toString(16).padStart(4, '0')} ${formatIpv4(r.src)} > ${formatIpv4(r.dst)}` +
                ` proto=${r.protocol} fragments=${r.fragments} length=${r.totalLength}` +
                ` order=[${r.arrivalOrder.join(',')}] in ${r.elapsedMs.toFixed(2)} ms`;
    }
    return line;
}
/** The closing lines, as ping prints them. */
export function formatPingSummary(s) {
    const lines = [
        `--- ${formatIpv4(s.target)} ping statistics ---`,
        `${s.transmitted} packets transmitted, ${s.received} received` +
            (s.duplicates > 0 ? `, +${s.duplicates} duplicates` : '') +
            (s.corrupted > 0 ? `, ${s.corrupted} corrupted` : '') +
            `, ${Number(s.lossPercent.toFixed(1))}% packet loss, time ${Math.round(s.elapsedMs)}ms`,
    ];
    if (s.rtt !== undefined) {
        const f = (n) => n.toFixed(3);
        lines.push(`rtt min/avg/max/mdev = ${f(s.rtt.min)}/${f(s.rtt.avg)}/${f(s.rtt.max)}/${f(s.rtt.mdev)} ms`);
    }
    return lines.join('\n');
}
//# sourceMappingURL=pinger.js.map