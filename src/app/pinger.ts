import type { Clock, Timer } from '../core/clock.js';
import { formatIpv4, type Ipv4Address } from '../core/ipv4-address.js';
import type { EchoReply, IcmpErrorReport, IcmpLayer } from '../layers/icmp/icmp-layer.js';
import { ICMP_ECHO_REQUEST } from '../layers/icmp/icmp-message.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { IP_PROTOCOL_ICMP, quotedPayloadOffset, readIpv4Address } from '../layers/ip/ipv4-header.js';
import type { ReassemblyInfo } from '../layers/ip/reassembler.js';

export interface PingOptions {
  readonly target: Ipv4Address;
  /** ICMP data bytes per request, as ping's -s. */
  readonly size: number;
  readonly count: number;
  readonly intervalMs: number;
  /** How long to wait for replies after the last request. */
  readonly waitMs: number;
  /** Echo identifier; random when omitted. */
  readonly id?: number;
}

export interface PingReply {
  readonly seq: number;
  readonly bytes: number;
  readonly ttl: number;
  readonly rttMs: number;
  readonly dataMatches: boolean;
  /** Present when the reply arrived in fragments. */
  readonly reassembly?: ReassemblyInfo;
  /** A second (or later) reply to a request already answered: counted in `duplicates`, not in `received`. */
  readonly duplicate?: boolean;
}

/** An ICMP error about one of the run's requests (Destination Unreachable, Time Exceeded, ...). */
export interface PingError {
  readonly seq: number;
  /** Who sent it: a router on the way, or pilha itself when ARP found no neighbour. */
  readonly from: Ipv4Address;
  readonly type: number;
  readonly code: number;
  /** The message's second word (a Fragmentation Needed's next-hop MTU in its low 16 bits). */
  readonly rest: number;
}

export interface PingSummary {
  readonly target: Ipv4Address;
  readonly transmitted: number;
  readonly received: number;
  readonly duplicates: number;
  readonly corrupted: number;
  /** ICMP errors about the run's requests (ping's "+N errors"). */
  readonly errors: number;
  readonly lossPercent: number;
  readonly elapsedMs: number;
  readonly rtt?: { readonly min: number; readonly avg: number; readonly max: number; readonly mdev: number };
  readonly replies: readonly PingReply[];
}

/** Deterministic echo data so a reply can be checked byte for byte. */
export function echoPattern(size: number, seq: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i + seq * 7) & 0xff;
  return data;
}

/**
 * The stage-3 demo: sends echo requests (large ones leave pilha in fragments), matches the replies,
 * and reports for each reply how it was reassembled.
 */
export class Pinger {
  private lastReassembly: ReassemblyInfo | undefined;
  private current: ((reply: EchoReply, reassembly: ReassemblyInfo | undefined) => void) | undefined;
  private currentError: ((report: IcmpErrorReport) => void) | undefined;
  /** Ends the run in progress, if any (ping's Ctrl-C). */
  private finishCurrent: (() => void) | undefined;

  constructor(
    private readonly icmp: IcmpLayer,
    ip: IPLayer,
    private readonly clock: Clock,
  ) {
    // IP announces a reassembled datagram just before handing it to ICMP, so the next reply is that datagram.
    ip.onReassembled((info) => {
      if (info.protocol === IP_PROTOCOL_ICMP) this.lastReassembly = info;
    });
    icmp.onEchoReply((reply) => {
      const reassembly = this.lastReassembly;
      this.lastReassembly = undefined;
      this.current?.(reply, reassembly);
    });
    icmp.onError((report) => this.currentError?.(report));
  }

  /**
   * Stops the run in progress as ping(8) does on its first SIGINT: no more requests, no waiting for replies
   * still on their way; run() resolves at once with the summary so far. Does nothing when no run is active.
   */
  stop(): void {
    this.finishCurrent?.();
  }

  run(
    options: PingOptions,
    onReply: (reply: PingReply) => void = () => {},
    onError: (error: PingError) => void = () => {},
  ): Promise<PingSummary> {
    const id = (options.id ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
    const sentAt = new Map<number, number>();
    const answered = new Set<number>();
    const replies: PingReply[] = [];
    let duplicates = 0;
    let corrupted = 0;
    let errors = 0;
    let transmitted = 0;
    const start = this.clock.now();

    return new Promise((resolve) => {
      let timer: Timer | undefined;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        timer?.cancel();
        this.current = undefined;
        this.currentError = undefined;
        this.finishCurrent = undefined;
        resolve(
          summarize(
            options.target,
            transmitted,
            replies,
            { duplicates, corrupted, errors },
            this.clock.now() - start,
          ),
        );
      };

      this.current = (reply, reassembly) => {
        if (finished || reply.id !== id || reply.src !== options.target) return;
        const sent = sentAt.get(reply.seq);
        if (sent === undefined) return;
        const duplicate = answered.has(reply.seq);
        const dataMatches = equalBytes(reply.data, echoPattern(options.size, reply.seq));
        const entry: PingReply = {
          seq: reply.seq,
          bytes: reply.icmpBytes,
          ttl: reply.ttl,
          rttMs: this.clock.now() - sent,
          dataMatches,
          ...(reassembly !== undefined ? { reassembly } : {}),
          ...(duplicate ? { duplicate } : {}),
        };
        if (duplicate) {
          // Shown (DUP!), as ping(8) does, and counted apart.
          duplicates++;
          onReply(entry);
          return;
        }
        answered.add(reply.seq);
        if (!dataMatches) corrupted++;
        replies.push(entry);
        onReply(entry);
        if (answered.size === options.count && transmitted === options.count) finish();
      };

      this.currentError = (report) => {
        const seq = quotedEchoSeq(report.quoted, options.target, id);
        if (finished || seq === undefined || !sentAt.has(seq)) return;
        errors++;
        onError({ seq, from: report.src, type: report.type, code: report.code, rest: report.rest });
      };

      this.finishCurrent = finish;

      const sendNext = () => {
        const seq = transmitted + 1;
        transmitted++;
        sentAt.set(seq, this.clock.now());
        this.icmp.sendEchoRequest(options.target, id, seq, echoPattern(options.size, seq));
        if (transmitted < options.count) timer = this.clock.setTimer(options.intervalMs, sendNext);
        else timer = this.clock.setTimer(options.waitMs, finish);
      };
      sendNext();
    });
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The sequence number of the echo request an ICMP error quotes (its IP header, then at least 8 bytes of the
 * ICMP message: RFC 792), when that request is one of ours: to `target`, an echo request with our `id`.
 */
function quotedEchoSeq(quoted: Uint8Array, target: Ipv4Address, id: number): number | undefined {
  const at = quotedPayloadOffset(quoted, IP_PROTOCOL_ICMP);
  if (at < 0 || quoted[0]! >> 4 !== 4 || readIpv4Address(quoted, 16) !== target) return undefined;
  if (quoted[at] !== ICMP_ECHO_REQUEST || ((quoted[at + 4]! << 8) | quoted[at + 5]!) !== id) return undefined;
  return (quoted[at + 6]! << 8) | quoted[at + 7]!;
}

function summarize(
  target: Ipv4Address,
  transmitted: number,
  replies: readonly PingReply[],
  counts: { readonly duplicates: number; readonly corrupted: number; readonly errors: number },
  elapsedMs: number,
): PingSummary {
  const received = replies.length;
  const base = {
    target,
    transmitted,
    received,
    ...counts,
    lossPercent: transmitted === 0 ? 0 : ((transmitted - received) / transmitted) * 100,
    elapsedMs,
    replies,
  };
  if (received === 0) return base;
  const rtts = replies.map((r) => r.rttMs);
  const avg = rtts.reduce((a, b) => a + b, 0) / received;
  const mdev = Math.sqrt(rtts.reduce((a, b) => a + (b - avg) ** 2, 0) / received);
  return { ...base, rtt: { min: Math.min(...rtts), avg, max: Math.max(...rtts), mdev } };
}

/** One line per reply, as ping prints it, plus how the reply was reassembled. */
export function formatPingReply(target: Ipv4Address, reply: PingReply): string {
  let line = `${reply.bytes} bytes from ${formatIpv4(target)}: icmp_seq=${reply.seq} ttl=${reply.ttl} time=${reply.rttMs.toFixed(2)} ms`;
  if (reply.duplicate === true) line += ' (DUP!)';
  if (!reply.dataMatches) line += ' (DATA MISMATCH)';
  const r = reply.reassembly;
  if (r !== undefined) {
    line +=
      ` | reassembled id=0x${r.id.toString(16).padStart(4, '0')} ${formatIpv4(r.src)} > ${formatIpv4(r.dst)}` +
      ` proto=${r.protocol} fragments=${r.fragments} length=${r.totalLength}` +
      ` order=[${r.arrivalOrder.join(',')}] in ${r.elapsedMs.toFixed(2)} ms`;
  }
  return line;
}

/** Destination Unreachable's codes in ping(8)'s words (RFC 792, RFC 1122, RFC 1812). */
const UNREACHABLE = [
  'Destination Net Unreachable',
  'Destination Host Unreachable',
  'Destination Protocol Unreachable',
  'Destination Port Unreachable',
  'Frag needed and DF set',
  'Source Route Failed',
  'Destination Net Unknown',
  'Destination Host Unknown',
  'Source Host Isolated',
  'Destination Net Prohibited',
  'Destination Host Prohibited',
  'Destination Net Unreachable for Type of Service',
  'Destination Host Unreachable for Type of Service',
  'Packet filtered',
  'Precedence Violation',
  'Precedence Cutoff',
];

/** One line per ICMP error about a request, as ping(8) prints it: `From 10.77.0.1 icmp_seq=1 Destination Net Unreachable`. */
export function formatPingError(error: PingError): string {
  let what: string;
  if (error.type === 3) {
    what = UNREACHABLE[error.code] ?? `Dest Unreachable, Bad Code: ${error.code}`;
    if (error.code === 4) what += ` (mtu = ${error.rest & 0xffff})`;
  } else if (error.type === 11) {
    what = error.code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded';
  } else if (error.type === 12) {
    what = 'Parameter problem';
  } else {
    what = `Bad ICMP type: ${error.type}`;
  }
  return `From ${formatIpv4(error.from)} icmp_seq=${error.seq} ${what}`;
}

/** The closing lines, as ping prints them. */
export function formatPingSummary(s: PingSummary): string {
  const lines = [
    `--- ${formatIpv4(s.target)} ping statistics ---`,
    `${s.transmitted} packets transmitted, ${s.received} received` +
      (s.duplicates > 0 ? `, +${s.duplicates} duplicates` : '') +
      (s.corrupted > 0 ? `, ${s.corrupted} corrupted` : '') +
      (s.errors > 0 ? `, +${s.errors} errors` : '') +
      `, ${Number(s.lossPercent.toFixed(1))}% packet loss, time ${Math.round(s.elapsedMs)}ms`,
  ];
  if (s.rtt !== undefined) {
    const f = (n: number) => n.toFixed(3);
    lines.push(`rtt min/avg/max/mdev = ${f(s.rtt.min)}/${f(s.rtt.avg)}/${f(s.rtt.max)}/${f(s.rtt.mdev)} ms`);
  }
  return lines.join('\n');
}
