/**
 * Every TCP limit and timer in one place (in the manner of lwIP's options file), with defaults that
 * match what Linux does and the reason beside each. All times are Clock milliseconds, sizes bytes.
 */
import type { CongestionControlName } from '../congestion/congestion-controller.js';
export interface TcpConfig {
    /**
     * Bytes the send queue accepts before write() pushes back: Linux's tcp_wmem maximum (4 MiB), which its
     * autotuning reaches on a fast path. It bounds bytes in flight, so a small one caps throughput; memory is
     * taken only for data actually queued.
     */
    readonly sendBufferSize: number;
    /**
     * Receive buffer: the most in-order data held for the application, and the window advertised
     * when it is empty. Our window-scale shift is the smallest that lets this fit in 16 bits.
     */
    readonly receiveBufferSize: number;
    /** Out-of-order ranges held at most (each range is one contiguous run of bytes past a hole). */
    readonly maxOutOfOrderRanges: number;
    /**
     * The send queue a connection keeps under any memory pressure, so that it always makes progress
     * (Linux tcp_wmem[0] = 4 KiB).
     */
    readonly sendBufferMin: number;
    /** The receive window a connection keeps under any memory pressure (Linux tcp_rmem[0] = 4 KiB). */
    readonly receiveBufferMin: number;
    /**
     * The stack-wide memory budget of all send and receive buffers (Linux tcp_mem, tcp-memory-budget.ts):
     * memory pressure ends below `memoryLow`, begins above `memoryPressure` (buffers shrink to a fair share
     * of `memoryHigh`), and above `memoryHigh` every buffer is held to its minimum. Linux sizes tcp_mem
     * from RAM in the proportions 3 : 4 : 6 (about 4.7 %, 6.25 % and 9.4 % of it); we keep the proportions
     * with 24 / 32 / 48 MiB, what Linux picks on a host with about 512 MiB of RAM: six connections with full
     * 4 MiB send queues fit below `memoryLow`, so a single fast connection is never limited.
     */
    readonly memoryLow: number;
    readonly memoryPressure: number;
    readonly memoryHigh: number;
    /** RFC 6298 (2.1): RTO before the first RTT sample. */
    readonly initialRtoMs: number;
    /** RTO floor: Linux's TCP_RTO_MIN, 200 ms (RFC 6298 (2.4) suggests 1 s). */
    readonly minRtoMs: number;
    /** RTO ceiling, also for backoff: 60 s (RFC 6298 (2.5): at least 60 s). */
    readonly maxRtoMs: number;
    /** Retransmissions of one segment before the connection gives up with ETIMEDOUT (Linux tcp_retries2 = 15). */
    readonly maxRetransmits: number;
    /**
     * Silence probes per ACK silence on a SACK connection (tcp-sack-output.ts): with data in flight and no
     * ACK for a PTO where RFC 8985's tail loss probe may not run (in recovery, after a timeout, after an
     * unanswered probe), the first unacknowledged segment again, at 1, 3, 7… PTOs. Linux has none (it leaves
     * such a silence to the RTO); 3 by default because Linux 6.18 receivers at times hold their ACK until a
     * duplicate arrives. 0: none, as RFC 8985.
     */
    readonly silenceProbes: number;
    /** SYN retransmissions before connect fails with ETIMEDOUT (Linux tcp_syn_retries = 6: 127 s). */
    readonly synRetries: number;
    /** SYN-ACK retransmissions before a half-open connection is dropped (Linux tcp_synack_retries = 5). */
    readonly synAckRetries: number;
    /** An overall limit on connect, on top of synRetries; 0 means none (Linux has none). */
    readonly connectTimeoutMs: number;
    /** Delayed ACK timeout (RFC 9293 §3.8.6.3: under 0.5 s; RFC 5681 §4.2: at most 500 ms; Linux's minimum 40 ms). */
    readonly delayedAckMs: number;
    /** TIME_WAIT duration, 2·MSL (Linux TCP_TIMEWAIT_LEN = 60 s). */
    readonly timeWaitMs: number;
    /** How long an orphaned connection (socket gone) may sit in FIN_WAIT_2 (Linux tcp_fin_timeout = 60 s). */
    readonly finWait2TimeoutMs: number;
    /** Keepalive: idle time before the first probe (Linux tcp_keepalive_time = 7200 s). */
    readonly keepaliveIdleMs: number;
    /** Keepalive: interval between unanswered probes (Linux tcp_keepalive_intvl = 75 s). */
    readonly keepaliveIntervalMs: number;
    /** Keepalive: unanswered probes before ETIMEDOUT (Linux tcp_keepalive_probes = 9). */
    readonly keepaliveProbes: number;
    /** Offer RFC 7323 timestamps (Linux tcp_timestamps = 1). */
    readonly timestamps: boolean;
    /** Offer RFC 7323 window scaling (Linux tcp_window_scaling = 1). */
    readonly windowScaling: boolean;
    /**
     * Offer selective acknowledgments (RFC 2018, with RFC 2883 D-SACK; Linux tcp_sack = 1, tcp_dsack = 1):
     * SACK-permitted in SYN and SYN-ACK, and SACK blocks in ACKs while data is held past a hole.
     */
    readonly sack: boolean;
    /** Accept queue per listener when listen() gives none (Node's default backlog, 511). */
    readonly backlog: number;
    /** Half-open (SYN_RECEIVED) connections per listener (Linux tcp_max_syn_backlog, 1024 on most hosts). */
    readonly synBacklog: number;
    /**
     * Answer SYNs with SYN cookies (RFC 4987 §3.6) when a listener's SYN queue is full, instead of dropping
     * them (Linux tcp_syncookies = 1): a SYN flood then fills the queue but locks nobody out.
     */
    readonly synCookies: boolean;
    /** How long a SYN cookie key lasts; a cookie is accepted for one to two periods (Linux TCP_SYNCOOKIE_PERIOD, 60 s). */
    readonly synCookiePeriodMs: number;
    /**
     * SYN-ACK retransmissions a half-open connection gets while the SYN queue is more than half full (Linux's
     * reqsk_timer_handler lowers tcp_synack_retries down to 2 then): flood entries give their slot back
     * after 7 s instead of 63 s (tcp-listener.ts says where we differ from Linux, and why).
     */
    readonly synAckRetriesUnderPressure: number;
    /** Connections held in TIME_WAIT at most; past it a closing connection skips TIME_WAIT (tcp_max_tw_buckets). */
    readonly maxTimeWait: number;
    /**
     * Least time between two ACKs a connection sends in answer to segments it drops without data in them
     * (out of window, PAWS) and between two challenge ACKs (RFC 5961 §7): Linux's tcp_invalid_ratelimit,
     * 500 ms. Such ACKs could otherwise be one side of an ACK loop, or be drawn out by a flood of forged RSTs.
     */
    readonly invalidAckIntervalMs: number;
    /** Ephemeral port range for active opens (Linux ip_local_port_range 32768–60999). */
    readonly ephemeralPortMin: number;
    readonly ephemeralPortMax: number;
    /**
     * The congestion control algorithm of new connections (Linux net.ipv4.tcp_congestion_control, 'cubic' by
     * default): 'cubic' (RFC 9438), 'newreno' (RFC 5681 with RFC 6582 recovery) or 'reno' (RFC 5681 as written).
     */
    readonly congestionControl: CongestionControlName;
    /**
     * HyStart++ (RFC 9406) in the initial slow start of every algorithm: leave slow start when the RTT rises
     * (a queue building), before the loss that ends standard slow start. On, as Linux's HyStart is with CUBIC
     * (tcp_cubic hystart = 1); `--no-hystart` turns it off.
     */
    readonly hystart: boolean;
}
export declare const DEFAULT_TCP_CONFIG: TcpConfig;
/** The largest receive window TCP can describe: 65535 << 14 (RFC 7323 §2.3). */
export declare const TCP_MAX_WINDOW: number;
/** Defaults merged with `overrides`, checked; throws PilhaError('EBADOPTION') naming the first bad setting. */
export declare function resolveTcpConfig(overrides?: Partial<TcpConfig>): TcpConfig;
/** Our window-scale shift: the smallest that lets `bufferSize` fit the 16-bit window field, at most 14. */
export declare function windowShiftFor(bufferSize: number): number;
