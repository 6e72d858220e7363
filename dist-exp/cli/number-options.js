import { parseDecimalFraction, parseDecimalInteger } from '../core/decimal-number.js';
import { PilhaError } from '../core/errors.js';
/**
 * The longest delay a Node timer holds: setTimeout turns anything above 2^31 - 1 ms (about 24.8 days) into
 * 1 ms, so a time option past it would fire at once instead of late. Every time option's range stays below.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * An integer option within [min, max], written as a plain decimal integer ('0x5dc', '1e3', '1500.0' and
 * '01500' are refused); anything else is a usage mistake (EBADOPTION) naming the option and its range.
 */
export function integerOption(text, what, min, max) {
    const n = parseDecimalInteger(text);
    if (n === undefined || n < min || n > max) {
        throw new PilhaError('EBADOPTION', `${what} must be an integer from ${min} to ${max}, got '${text}'`);
    }
    return n;
}
/**
 * A number option that is really fractional (seconds, probabilities) within [min, max], written in plain
 * decimal ('0.5', '.5'; not '5e-1'); anything else is a usage mistake (EBADOPTION).
 */
export function numberOption(text, what, min, max) {
    const n = parseDecimalFraction(text);
    if (n === undefined || n < min || n > max) {
        throw new PilhaError('EBADOPTION', `${what} must be a number from ${min} to ${max}, got '${text}'`);
    }
    return n;
}
/** A time option in seconds within [min, max]; max must fit a Node timer (MAX_TIMER_MS). Returns milliseconds. */
export function secondsOption(text, what, min, max) {
    if (max * 1000 > MAX_TIMER_MS)
        throw new RangeError(`${what}: ${max} s does not fit a timer`);
    return numberOption(text, what, min, max) * 1000;
}
//# sourceMappingURL=number-options.js.map