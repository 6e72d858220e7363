import { formatDecimal, parseDecimalFraction, parseDecimalInteger } from '../../../core/decimal-number.js';
import { PilhaError } from '../../../core/errors.js';
/** A link that changes nothing (seed 1). */
export const NO_IMPAIRMENT = Object.freeze({
    loss: 0,
    duplicate: 0,
    reorder: 0,
    corrupt: 0,
    delayMs: 0,
    jitterMs: 0,
    seed: 1,
});
/** Default for `reorderHoldMs`. */
export const DEFAULT_REORDER_HOLD_MS = 1;
const PROBABILITY = { integer: false, min: 0, max: 1, text: 'a probability, a number from 0 to 1' };
/**
 * Delays, jitter and the reorder hold: at most an hour. A Node timer holds at most 2^31 - 1 ms (setTimeout
 * turns more into 1 ms), and delay + jitter + hold must stay far below it.
 */
const DURATION = {
    integer: false,
    min: 0,
    max: 3_600_000,
    text: 'a number of milliseconds from 0 to 3600000',
};
/**
 * Bottleneck rate in bytes per second, 0 for none. At least 1000 (8 kbit/s): a 64 KiB datagram then takes
 * 65 s to serialize, and a slower rate lets an ordinary backlog push arrival times past what a timer holds.
 * At most 10^11 (800 Gbit/s), far beyond any link.
 */
const RATE = {
    integer: true,
    min: 1000,
    max: 100_000_000_000,
    zero: true,
    text: '0 (unlimited) or an integer from 1000 to 100000000000 bytes per second',
};
/** Bottleneck queue in bytes, 0 for unlimited; at most 1 GiB (it is memory the link may hold). */
const QUEUE = {
    integer: true,
    min: 0,
    max: 1 << 30,
    text: 'an integer from 0 (unlimited) to 1073741824 bytes',
};
const SEED = { integer: true, min: 0, max: 0xffffffff, text: 'an integer from 0 to 4294967295' };
/** CLI key → field and range, in the order formatImpairment writes them. */
const KEYS = [
    ['loss', 'loss', PROBABILITY],
    ['duplicate', 'duplicate', PROBABILITY],
    ['reorder', 'reorder', PROBABILITY],
    ['corrupt', 'corrupt', PROBABILITY],
    ['delay', 'delayMs', DURATION],
    ['jitter', 'jitterMs', DURATION],
    ['rate', 'rateBytesPerSec', RATE],
    ['queue', 'queueBytes', QUEUE],
    ['hold', 'reorderHoldMs', DURATION],
    ['seed', 'seed', SEED],
];
const KEY_NAMES = KEYS.map(([k]) => k).join(', ');
function inRange(range, v) {
    if (!Number.isFinite(v) || (range.integer && !Number.isInteger(v)))
        return false;
    return (range.zero === true && v === 0) || (v >= range.min && v <= range.max);
}
/**
 * Checks every field of an impairment built in code against the ranges the CLI states (parseImpairment
 * output always passes); throws PilhaError('EBADOPTION') naming the first bad field.
 */
export function validateImpairment(imp) {
    for (const [key, field, range] of KEYS) {
        const v = imp[field];
        const optional = field === 'rateBytesPerSec' || field === 'queueBytes' || field === 'reorderHoldMs';
        if (v === undefined && optional)
            continue;
        if (typeof v !== 'number' || !inRange(range, v)) {
            throw new PilhaError('EBADOPTION', `impairment ${key} must be ${range.text}, got ${String(v)}`);
        }
    }
    return imp;
}
/**
 * Parses the CLI form `loss=0.05,reorder=0.02,duplicate=0.01,corrupt=0.001,delay=10,jitter=2,rate=1000000,
 * queue=65536,hold=1,seed=7` (any subset, any order; missing keys take NO_IMPAIRMENT's values; an empty string
 * or `none` is no impairment). Values are plain decimal ('0.05', not '5e-2'), integers where the field counts
 * bytes or is a seed. Throws PilhaError('EBADOPTION') with one readable line naming `--impair KEY` on any mistake.
 */
export function parseImpairment(text) {
    const out = { ...NO_IMPAIRMENT };
    const trimmed = text.trim();
    if (trimmed === '' || trimmed === 'none')
        return { ...NO_IMPAIRMENT };
    const seen = new Set();
    for (const part of trimmed.split(',')) {
        const item = part.trim();
        if (item === '')
            continue;
        const eq = item.indexOf('=');
        if (eq < 0) {
            throw new PilhaError('EBADOPTION', `--impair '${item}' needs a value, as in ${item}=0.01 (keys: ${KEY_NAMES})`);
        }
        const key = item.slice(0, eq).trim().toLowerCase();
        const raw = item.slice(eq + 1).trim();
        const spec = KEYS.find(([k]) => k === key);
        if (spec === undefined) {
            throw new PilhaError('EBADOPTION', `unknown --impair key '${key}' (use ${KEY_NAMES})`);
        }
        if (seen.has(key))
            throw new PilhaError('EBADOPTION', `--impair ${key} is given more than once`);
        seen.add(key);
        const [, field, range] = spec;
        const value = (range.integer ? parseDecimalInteger(raw) : parseDecimalFraction(raw)) ?? Number.NaN;
        if (!inRange(range, value)) {
            throw new PilhaError('EBADOPTION', `--impair ${key} must be ${range.text}, got '${raw}'`);
        }
        out[field] = value;
    }
    return out;
}
/** The CLI form of an impairment; parseImpairment(formatImpairment(x)) equals x. Unset optional keys are left out. */
export function formatImpairment(imp) {
    const parts = [];
    for (const [key, field] of KEYS) {
        const v = imp[field];
        if (v !== undefined)
            parts.push(`${key}=${formatDecimal(v)}`);
    }
    return parts.join(',');
}
//# sourceMappingURL=impairment.js.map