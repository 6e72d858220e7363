/**
 * The memory all TCP send and receive buffers of one stack may hold together, as Linux's `tcp_mem`
 * (net/core/sock.c, __sk_mem_raise_allocated): a global count of the bytes charged to buffers, and
 * three thresholds.
 *
 * - Below `low` nothing is limited, and memory pressure ends there (the hysteresis of tcp_mem[0]).
 * - Above `pressure` the stack enters memory pressure: each buffer may grow only to its fair share of
 *   `high` (high / buffers holding data, Linux's "usage × sockets < tcp_mem[2]" rule), never below its
 *   minimum (`tcp_wmem[0]`, `tcp_rmem[0]`). Writers see backpressure earlier; receivers advertise
 *   smaller windows.
 * - Above `high` every buffer is held to its minimum: no writer may queue more, no window opens wider.
 *
 * Nothing is ever dropped or reset for memory: data already accepted stays, and the minimum that every
 * buffer keeps lets each connection go on making progress. A buffer may pass its limit by the one chunk a
 * writer hands over whole, and by data the peer sends inside a window it was already given (a window's
 * right edge never moves left, RFC 9293 §3.8.6); both are bounded per connection.
 *
 * The buffers report every change of what they hold (`update`); the counting is O(1) per call.
 */
export interface TcpMemoryLimits {
    /** Memory pressure ends when the charged bytes fall below this (Linux tcp_mem[0]). */
    readonly low: number;
    /** Memory pressure begins when the charged bytes pass this (Linux tcp_mem[1]). */
    readonly pressure: number;
    /** Past this every buffer is held to its minimum (Linux tcp_mem[2]). */
    readonly high: number;
}
/** The budget's figures, as the TCP layer's stats show them. */
export interface TcpMemoryStats {
    /** Bytes charged to send and receive buffers now. */
    readonly memoryBytes: number;
    /** The most ever charged at once. */
    readonly memoryPeakBytes: number;
    /** 1 while under memory pressure, else 0. */
    readonly memoryPressure: number;
    /** Times memory pressure began. */
    readonly memoryPressureEntered: number;
    /** Writes after which the writer had to wait because of the budget (its own buffer had room). */
    readonly memorySendHeld: number;
    /** Window advertisements the budget made smaller than the free receive buffer. */
    readonly memoryWindowClamped: number;
}
export declare class TcpMemoryBudget {
    readonly low: number;
    readonly pressure: number;
    readonly high: number;
    private allocated;
    private peak;
    /** Buffers that hold at least one byte: the "sockets" among which `high` is shared under pressure. */
    private holders;
    private underPressure;
    private pressureEntered;
    private sendHeld;
    private windowClamped;
    constructor(limits: TcpMemoryLimits);
    /** Bytes charged now. */
    get bytes(): number;
    get inPressure(): boolean;
    /** A buffer held `before` bytes and now holds `after`. */
    update(before: number, after: number): void;
    /**
     * How many bytes a buffer of `capacity` (at least `minimum`) may hold now: all of it without pressure;
     * its fair share of `high` under pressure; only `minimum` past `high`.
     */
    limit(capacity: number, minimum: number): number;
    /** A writer waits because of the budget (counted). */
    noteSendHeld(): void;
    /** A window was advertised smaller because of the budget (counted). */
    noteWindowClamped(): void;
    stats(): TcpMemoryStats;
}
