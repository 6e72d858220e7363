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
export class TcpMemoryBudget {
    low;
    pressure;
    high;
    allocated = 0;
    peak = 0;
    /** Buffers that hold at least one byte: the "sockets" among which `high` is shared under pressure. */
    holders = 0;
    underPressure = false;
    pressureEntered = 0;
    sendHeld = 0;
    windowClamped = 0;
    constructor(limits) {
        const { low, pressure, high } = limits;
        if (!(Number.isInteger(low) && low > 0 && low <= pressure && pressure <= high && Number.isInteger(high))) {
            throw new RangeError(`bad TCP memory limits: low ${low}, pressure ${pressure}, high ${high}`);
        }
        this.low = low;
        this.pressure = pressure;
        this.high = high;
    }
    /** Bytes charged now. */
    get bytes() {
        return this.allocated;
    }
    get inPressure() {
        return this.underPressure;
    }
    /** A buffer held `before` bytes and now holds `after`. */
    update(before, after) {
        if (before === after)
            return;
        const allocated = this.allocated + after - before;
        this.allocated = allocated;
        if (before === 0)
            this.holders++;
        else if (after === 0)
            this.holders--;
        if (after > before) {
            if (allocated > this.peak)
                this.peak = allocated;
            if (!this.underPressure && allocated > this.pressure) {
                this.underPressure = true;
                this.pressureEntered++;
            }
        }
        else if (this.underPressure && allocated < this.low) {
            this.underPressure = false;
        }
    }
    /**
     * How many bytes a buffer of `capacity` (at least `minimum`) may hold now: all of it without pressure;
     * its fair share of `high` under pressure; only `minimum` past `high`.
     */
    limit(capacity, minimum) {
        if (!this.underPressure)
            return capacity;
        const floor = Math.min(minimum, capacity);
        if (this.allocated >= this.high)
            return floor;
        const share = Math.floor(this.high / Math.max(this.holders, 1));
        return Math.max(Math.min(share, capacity), floor);
    }
    /** A writer waits because of the budget (counted). */
    noteSendHeld() {
        this.sendHeld++;
    }
    /** A window was advertised smaller because of the budget (counted). */
    noteWindowClamped() {
        this.windowClamped++;
    }
    stats() {
        return {
            memoryBytes: this.allocated,
            memoryPeakBytes: this.peak,
            memoryPressure: this.underPressure ? 1 : 0,
            memoryPressureEntered: this.pressureEntered,
            memorySendHeld: this.sendHeld,
            memoryWindowClamped: this.windowClamped,
        };
    }
}
//# sourceMappingURL=tcp-memory-budget.js.map