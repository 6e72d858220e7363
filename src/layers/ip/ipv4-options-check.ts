/**
 * The received datagram's IP options checked as Linux's ip_options_compile checks them (RFC 791 §3.1): an
 * option whose length, pointer or flag cannot be right makes the datagram bad, answered with an ICMP
 * Parameter Problem pointing at the byte (RFC 1122 §3.2.1.8 and §3.2.2.5) and dropped. Unknown options
 * are skipped by their length; EOL ends the list. A well-formed source route is then refused apart
 * (hasSourceRoute).
 */

const EOL = 0;
const NOP = 1;
const RECORD_ROUTE = 7;
const TIMESTAMP = 68;
const LOOSE_SOURCE_ROUTE = 131;
const STRICT_SOURCE_ROUTE = 137;

/** The offset within `options` of the first byte in error, or −1 when they are well formed. */
export function ipv4OptionsProblem(options: Uint8Array): number {
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === EOL) return -1;
    if (type === NOP) {
      i++;
      continue;
    }
    if (i + 1 >= options.length) return i;
    const length = options[i + 1]!;
    if (length < 2 || i + length > options.length) return i;
    const pointer = length > 2 ? options[i + 2]! : 0;
    switch (type) {
      case RECORD_ROUTE:
      case LOOSE_SOURCE_ROUTE:
      case STRICT_SOURCE_ROUTE:
        if (length < 3) return i + 1;
        // The pointer (one-based) starts at 4 and, unless past the end (full), marks a whole 4-byte slot.
        if (pointer < 4 || (pointer <= length && pointer + 3 > length)) return i + 2;
        break;
      case TIMESTAMP: {
        if (length < 4) return i + 1;
        if (pointer < 5) return i + 2;
        const flag = options[i + 3]! & 0x0f;
        if (flag !== 0 && flag !== 1 && flag !== 3) return i + 3;
        const slot = flag === 0 ? 4 : 8;
        if (pointer <= length && pointer + slot - 1 > length) return i + 2;
        // Full, and its overflow count already at its limit: nobody else may count.
        if (pointer > length && options[i + 3]! >>> 4 === 15) return i + 3;
        break;
      }
      default:
        break;
    }
    i += length;
  }
  return -1;
}

/** Whether well-formed `options` carry a loose or strict source route (RFC 791 LSRR 131, SSRR 137). */
export function hasSourceRoute(options: Uint8Array): boolean {
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === EOL) return false;
    if (type === NOP) {
      i++;
      continue;
    }
    if (type === LOOSE_SOURCE_ROUTE || type === STRICT_SOURCE_ROUTE) return true;
    i += options[i + 1]!;
  }
  return false;
}
