import type { Ipv4Address } from '../../core/ipv4-address.js';

const OPTION_EOL = 0;
const OPTION_NOP = 1;
const OPTION_RECORD_ROUTE = 7;
/** The pointer's least value: the first slot, one-based, after type, length and pointer. */
const FIRST_SLOT = 4;

/**
 * The IP options of the echo reply to a request that carried `options` (RFC 1122 §3.2.2.6): a Record Route
 * option SHOULD be updated with this host's address and returned, so that the route recorded is the whole
 * round trip (`ping -R`). A full one is returned as it came. Returns undefined when the request has no Record
 * Route or its options are malformed (the reply then goes without options, as before). Timestamp and source
 * route options are not returned.
 */
export function echoReplyOptions(options: Uint8Array, address: Ipv4Address): Uint8Array | undefined {
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === OPTION_EOL) return undefined;
    if (type === OPTION_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= options.length) return undefined;
    const length = options[i + 1]!;
    if (length < 2 || i + length > options.length) return undefined;
    if (type === OPTION_RECORD_ROUTE) {
      if (length < 3 || options[i + 2]! < FIRST_SLOT) return undefined;
      // Padded to a multiple of 4 with EOL (zeros).
      const out = new Uint8Array((length + 3) & ~3);
      out.set(options.subarray(i, i + length));
      const pointer = out[2]!;
      if (pointer + 3 <= length) {
        const at = pointer - 1;
        out[at] = address >>> 24;
        out[at + 1] = (address >>> 16) & 0xff;
        out[at + 2] = (address >>> 8) & 0xff;
        out[at + 3] = address & 0xff;
        out[2] = pointer + 4;
      }
      return out;
    }
    i += length;
  }
  return undefined;
}
