/**
 * The longest delay a Node timer holds: setTimeout turns anything above 2^31 - 1 ms (about 24.8 days) into
 * 1 ms, so a time option past it would fire at once instead of late. Every time option's range stays below.
 */
export declare const MAX_TIMER_MS: number;
/**
 * An integer option within [min, max], written as a plain decimal integer ('0x5dc', '1e3', '1500.0' and
 * '01500' are refused); anything else is a usage mistake (EBADOPTION) naming the option and its range.
 */
export declare function integerOption(text: string, what: string, min: number, max: number): number;
/**
 * A number option that is really fractional (seconds, probabilities) within [min, max], written in plain
 * decimal ('0.5', '.5'; not '5e-1'); anything else is a usage mistake (EBADOPTION).
 */
export declare function numberOption(text: string, what: string, min: number, max: number): number;
/** A time option in seconds within [min, max]; max must fit a Node timer (MAX_TIMER_MS). Returns milliseconds. */
export declare function secondsOption(text: string, what: string, min: number, max: number): number;
