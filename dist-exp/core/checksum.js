/**
 * The Internet checksum (RFC 1071), summed over 32-bit words where the buffer allows,
 * because per-byte work is what limits a userspace stack.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Adds the bytes of `data[start, end)` as big-endian 16-bit words to `initial`; returns the unfolded sum. */
export function sumWords(data, start, end, initial = 0) {
    let sum = initial;
    let i = start;
    const at = data.byteOffset + start;
    if (end - start >= 64 && (at & 1) === 0) {
        // Wide path: add whole native 32-bit words from an aligned Uint32Array view. One's complement addition
        // is independent of byte order (RFC 1071 §2(B)): fold the native sum to 16 bits, then swap its bytes.
        if ((at & 3) === 2) {
            sum += (data[i] << 8) | data[i + 1];
            i += 2;
        }
        const words = (end - i) >>> 2;
        const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
        // Up to 2^21 words fit a double exactly; a 64 KiB datagram has 2^14.
        let wide = 0;
        for (let k = 0; k < words; k++)
            wide += view[k];
        i += words * 4;
        const folded = foldSum(wide);
        sum += LITTLE_ENDIAN ? ((folded & 0xff) << 8) | (folded >>> 8) : folded;
    }
    else if (end - start >= 64) {
        // Odd alignment: big-endian 32-bit reads through a DataView.
        const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
        const stop = start + ((end - start) & ~3);
        while (i < stop) {
            const w = dv.getUint32(i);
            sum += (w >>> 16) + (w & 0xffff);
            i += 4;
        }
    }
    for (; i + 1 < end; i += 2)
        sum += (data[i] << 8) | data[i + 1];
    if (i < end)
        sum += data[i] << 8;
    return sum;
}
/** Folds a sum to 16 bits, with end-around carry. */
export function foldSum(sum) {
    let s = sum;
    // `& 0xffff` keeps the low 16 bits exactly for any integer below 2^53.
    while (s > 0xffff)
        s = (s & 0xffff) + Math.floor(s / 0x10000);
    return s;
}
/** The checksum field value for `data[start, end)` plus an optional partial sum (e.g. a pseudo-header). */
export function internetChecksum(data, start = 0, end = data.length, initial = 0) {
    return ~foldSum(sumWords(data, start, end, initial)) & 0xffff;
}
//# sourceMappingURL=checksum.js.map