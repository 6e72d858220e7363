/** A handler that drops everything: what a link delivers to before the layer above registers. */
export function ignoreDatagram(_datagram) { }
/** A decorator's stats: its own counters unprefixed, then the wrapped link's under `inner.`. */
export function decoratorStats(own, inner) {
    const out = { ...own };
    const innerStats = inner.stats();
    for (const k of Object.keys(innerStats))
        out[`inner.${k}`] = innerStats[k];
    return out;
}
//# sourceMappingURL=raw-link.js.map