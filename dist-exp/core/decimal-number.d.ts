/**
 * Numbers as a person types them into an option: plain decimal only. `Number()` also reads '0x5dc', '1e3',
 * '0b11', 'Infinity', ' 12 ' and '' (as 0), which turns a typo into a surprising value; these read none of
 * them, nor a sign or a leading zero (which some tools read as octal).
 */
/** The value of a plain decimal integer ('0', '1500'), or undefined for anything else. */
export declare function parseDecimalInteger(text: string): number | undefined;
/** The value of a plain decimal number ('2', '0.05', '.5'), or undefined for anything else. */
export declare function parseDecimalFraction(text: string): number | undefined;
/**
 * A finite number in the notation parseDecimalFraction reads back to the same value (String() would write
 * 1e-7 or 1e+21, which it refuses): the shortest round-trip digits, with the exponent spelled out.
 */
export declare function formatDecimal(value: number): string;
