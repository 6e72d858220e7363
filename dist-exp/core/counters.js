/**
 * Named counters for one layer: packets in and out, drops per reason. Plain object fields,
 * so an increment on the hot path is a property add and a snapshot is a spread.
 */
export class Counters {
    values;
    constructor(names) {
        const values = {};
        for (const n of names)
            values[n] = 0;
        this.values = values;
    }
    inc(name, by = 1) {
        this.values[name] += by;
    }
    get(name) {
        return this.values[name];
    }
    snapshot() {
        return { ...this.values };
    }
    /** Only the non-zero counters, for compact summaries. */
    nonZero() {
        const out = {};
        for (const k of Object.keys(this.values))
            if (this.values[k] !== 0)
                out[k] = this.values[k];
        return out;
    }
}
//# sourceMappingURL=counters.js.map