/**
 * Thins one series of a trace for drawing, keeping its shape: first only the points where the value
 * changes (a trace series is a step function), then, if that is still more than the budget, M4
 * aggregation (the first, last, lowest and highest point of each time bucket), so every peak and every
 * collapse of cwnd survives however long the transfer was.
 */
/**
 * `t` ascending (file order; a tie or a step back is kept as it is). `ignore(v)` drops points without
 * a value to draw (ssthresh before the first loss). At most about 4 · `buckets` points come out.
 */
export function downsampleSeries(t, value, buckets, ignore = Number.isNaN) {
    const ct = [];
    const cv = [];
    let lastIndex = -1;
    for (let i = 0; i < t.length; i++) {
        const v = value[i];
        if (ignore(v))
            continue;
        lastIndex = i;
        if (cv.length > 0 && cv[cv.length - 1] === v)
            continue;
        ct.push(t[i]);
        cv.push(v);
    }
    // The step holds to the last record: draw it that far.
    if (lastIndex >= 0 && ct[ct.length - 1] !== t[lastIndex]) {
        ct.push(t[lastIndex]);
        cv.push(value[lastIndex]);
    }
    if (ct.length <= 4 * buckets)
        return { t: ct, value: cv };
    const start = ct[0];
    const span = ct[ct.length - 1] - start || 1;
    const out = { t: [], value: [] };
    let i = 0;
    while (i < ct.length) {
        const bucket = Math.min(buckets - 1, Math.floor(((ct[i] - start) / span) * buckets));
        const first = i;
        let min = i;
        let max = i;
        let j = i + 1;
        while (j < ct.length &&
            Math.min(buckets - 1, Math.floor(((ct[j] - start) / span) * buckets)) === bucket) {
            if (cv[j] < cv[min])
                min = j;
            if (cv[j] > cv[max])
                max = j;
            j++;
        }
        const last = j - 1;
        // In time order, without repeats.
        const keep = [first, min, max, last].sort((a, b) => a - b);
        let previous = -1;
        for (const k of keep) {
            if (k === previous)
                continue;
            previous = k;
            out.t.push(ct[k]);
            out.value.push(cv[k]);
        }
        i = j;
    }
    return out;
}
//# sourceMappingURL=series-downsampler.js.map