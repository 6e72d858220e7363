/**
 * Every TCP limit and timer in one place (in the manner of lwIP's options file), with defaults that
 * match what Linux does and the reason beside each. All times are Clock milliseconds, sizes bytes.
 */
import { PilhaError } from '../../core/errors.js';
import { CONGESTION_CONTROL_NAMES, isCongestionControlName, } from '../congestion/congestion-control-by-name.js';
export const DEFAULT_TCP_CONFIG = Object.freeze({
    sendBufferSize: 4 * 1024 * 1024,
    receiveBufferSize: 256 * 1024,
    maxOutOfOrderRanges: 64,
    sendBufferMin: 4096,
    receiveBufferMin: 4096,
    memoryLow: 24 * 1024 * 1024,
    memoryPressure: 32 * 1024 * 1024,
    memoryHigh: 48 * 1024 * 1024,
    initialRtoMs: 1000,
    minRtoMs: 200,
    maxRtoMs: 60_000,
    maxRetransmits: 15,
    silenceProbes: 3,
    synRetries: 6,
    synAckRetries: 5,
    connectTimeoutMs: 0,
    delayedAckMs: 40,
    timeWaitMs: 60_000,
    finWait2TimeoutMs: 60_000,
    keepaliveIdleMs: 7_200_000,
    keepaliveIntervalMs: 75_000,
    keepaliveProbes: 9,
    timestamps: true,
    windowScaling: true,
    sack: true,
    backlog: 511,
    synBacklog: 1024,
    synCookies: true,
    synCookiePeriodMs: 60_000,
    synAckRetriesUnderPressure: 2,
    maxTimeWait: 32_768,
    invalidAckIntervalMs: 500,
    ephemeralPortMin: 32_768,
    ephemeralPortMax: 60_999,
    congestionControl: 'cubic',
    hystart: true,
});
/** The largest receive window TCP can describe: 65535 << 14 (RFC 7323 §2.3). */
export const TCP_MAX_WINDOW = 65_535 * 2 ** 14;
function check(ok, message) {
    if (!ok)
        throw new PilhaError('EBADOPTION', `tcp: ${message}`);
}
/** Defaults merged with `overrides`, checked; throws PilhaError('EBADOPTION') naming the first bad setting. */
export function resolveTcpConfig(overrides = {}) {
    const c = { ...DEFAULT_TCP_CONFIG, ...overrides };
    const positiveInts = [
        'sendBufferSize',
        'receiveBufferSize',
        'maxOutOfOrderRanges',
        'sendBufferMin',
        'receiveBufferMin',
        'memoryLow',
        'memoryPressure',
        'memoryHigh',
        'backlog',
        'synBacklog',
    ];
    for (const key of positiveInts) {
        const v = c[key];
        check(typeof v === 'number' && Number.isInteger(v) && v > 0, `${key} must be a positive integer, got ${v}`);
    }
    const counts = [
        'maxRetransmits',
        'silenceProbes',
        'synRetries',
        'synAckRetries',
        'synAckRetriesUnderPressure',
        'keepaliveProbes',
        'maxTimeWait',
    ];
    for (const key of counts) {
        const v = c[key];
        check(typeof v === 'number' && Number.isInteger(v) && v >= 0, `${key} must be a whole number, got ${v}`);
    }
    const durations = [
        'initialRtoMs',
        'minRtoMs',
        'maxRtoMs',
        'connectTimeoutMs',
        'delayedAckMs',
        'timeWaitMs',
        'finWait2TimeoutMs',
        'keepaliveIdleMs',
        'keepaliveIntervalMs',
        'invalidAckIntervalMs',
        'synCookiePeriodMs',
    ];
    for (const key of durations) {
        const v = c[key];
        check(typeof v === 'number' && Number.isFinite(v) && v >= 0, `${key} must be a duration in ms, got ${v}`);
    }
    check(c.minRtoMs > 0 && c.minRtoMs <= c.maxRtoMs, 'minRtoMs must be positive and at most maxRtoMs');
    check(c.initialRtoMs > 0, 'initialRtoMs must be positive');
    check(c.synCookiePeriodMs > 0, 'synCookiePeriodMs must be positive');
    check(c.delayedAckMs <= 500, 'delayedAckMs must be at most 500 (RFC 5681 §4.2)');
    check(c.receiveBufferSize <= TCP_MAX_WINDOW, `receiveBufferSize must be at most ${TCP_MAX_WINDOW}`);
    check(c.memoryLow <= c.memoryPressure && c.memoryPressure <= c.memoryHigh, 'the memory limits must be ordered: memoryLow ≤ memoryPressure ≤ memoryHigh');
    check(Number.isInteger(c.ephemeralPortMin) &&
        Number.isInteger(c.ephemeralPortMax) &&
        c.ephemeralPortMin >= 1 &&
        c.ephemeralPortMin <= c.ephemeralPortMax &&
        c.ephemeralPortMax <= 65_535, 'the ephemeral port range must be within 1–65535, min ≤ max');
    check(isCongestionControlName(c.congestionControl), `congestionControl must be one of ${CONGESTION_CONTROL_NAMES.join(', ')}, got '${String(c.congestionControl)}'`);
    return c;
}
/** Our window-scale shift: the smallest that lets `bufferSize` fit the 16-bit window field, at most 14. */
export function windowShiftFor(bufferSize) {
    let shift = 0;
    while (shift < 14 && bufferSize >>> shift > 65_535)
        shift++;
    return shift;
}
//# sourceMappingURL=tcp-config.js.map