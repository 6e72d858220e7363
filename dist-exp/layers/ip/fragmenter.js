import { copiedOptions, emitIpv4Header } from './ipv4-header.js';
/**
 * Splits a payload into fragments that each fit `mtu` (RFC 791 §3.2): every fragment but the last
 * carries a multiple of 8 bytes, offsets are in 8-byte units, MF is set on all but the last,
 * and only options with the copied flag go past the first fragment.
 * `fields.fragmentOffset`/`moreFragments` describe the datagram being split (it may itself be a fragment).
 */
export function fragmentIpv4(fields, payload, mtu) {
    const firstOptions = fields.options ?? new Uint8Array(0);
    const laterOptions = firstOptions.length > 0 ? copiedOptions(firstOptions) : firstOptions;
    const baseOffset = fields.fragmentOffset ?? 0;
    const lastHasMore = fields.moreFragments ?? false;
    const out = [];
    let at = 0;
    do {
        const options = at === 0 ? firstOptions : laterOptions;
        const headerLength = 20 + options.length;
        const room = (mtu - headerLength) & ~7;
        if (room <= 0)
            throw new RangeError(`MTU ${mtu} is too small to carry a fragment`);
        const take = Math.min(room, payload.length - at);
        const last = at + take >= payload.length;
        const fragment = new Uint8Array(headerLength + take);
        emitIpv4Header(fragment, 0, {
            ...fields,
            options,
            totalLength: fragment.length,
            dontFragment: false,
            moreFragments: last ? lastHasMore : true,
            fragmentOffset: baseOffset + at,
        });
        fragment.set(payload.subarray(at, at + take), headerLength);
        out.push(fragment);
        at += take;
    } while (at < payload.length);
    return out;
}
//# sourceMappingURL=fragmenter.js.map