/**
 * Numbers as a person types them into an option: plain decimal only. `Number()` also reads '0x5dc', '1e3',
 * '0b11', 'Infinity', ' 12 ' and '' (as 0), which turns a typo into a surprising value; these read none of
 * them, nor a sign or a leading zero (which some tools read as octal).
 */
const INTEGER = /^(?:0|[1-9]\d*)$/;
const FRACTION = /^(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)$/;
/** The value of a plain decimal integer ('0', '1500'), or undefined for anything else. */
export function parseDecimalInteger(text) {
    return INTEGER.test(text) ? Number(text) : undefined;
}
/** The value of a plain decimal number ('2', '0.05', '.5'), or undefined for anything else. */
export function parseDecimalFraction(text) {
    return FRACTION.test(text) ? Number(text) : undefined;
}
/**
 * A finite number in the notation parseDecimalFraction reads back to the same value (String() would write
 * 1e-7 or 1e+21, which it refuses): the shortest round-trip digits, with the exponent spelled out.
 */
export function formatDecimal(value) {
    if (!Number.isFinite(value))
        throw new RangeError(`not a finite number: ${value}`);
    const text = String(value);
    const e = text.indexOf('e');
    if (e < 0)
        return text;
    const negative = text.startsWith('-');
    const mantissa = text.slice(negative ? 1 : 0, e);
    const dot = mantissa.indexOf('.');
    const digits = mantissa.replace('.', '');
    // Where the decimal point falls within `digits` once the exponent is applied.
    const point = (dot < 0 ? mantissa.length : dot) + Number(text.slice(e + 1));
    let out;
    if (point <= 0)
        out = `0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length)
        out = digits + '0'.repeat(point - digits.length);
    else
        out = `${digits.slice(0, point)}.${digits.slice(point)}`;
    return negative ? `-${out}` : out;
}
//# sourceMappingURL=decimal-number.js.map