import type { Ipv4Address } from '../../core/ipv4-address.js';

const OPTION_EOL = 0;
const OPTION_NOP = 1;
const OPTION_RECORD_ROUTE = 7;
const OPTION_TIMESTAMP = 68;
/** Record Route's least pointer: the first slot, one-based, after type, length and pointer. */
const ROUTE_FIRST_SLOT = 4;
/** Timestamp's least pointer: after type, length, pointer and the overflow/flag byte. */
const TIMESTAMP_FIRST_SLOT = 5;
/** Timestamp flags (RFC 791): timestamps only; each with the address of who stamped it; at given addresses. */
const TS_ONLY = 0;
const TS_AND_ADDRESS = 1;
const TS_PRESPECIFIED = 3;

/**
 * The IP options of the echo reply to a request that carried `options` (RFC 1122 §3.2.2.6): a Record Route
 * and a Timestamp option SHOULD be updated with this host and returned, so that what they record is the whole
 * round trip (`ping -R`, `ping -T`). Record Route gets our address in its next slot; Timestamp gets
 * `msSinceMidnightUt` (RFC 791's standard value), with our address in front when its flag asks for one, or in
 * the slot our address was given (prespecified) — or, full, its overflow count raised by one. A full Record
 * Route comes back as it came. Any other option is left out. Returns undefined when the request has neither
 * or its options are malformed (the reply then goes without options).
 */
export function echoReplyOptions(
  options: Uint8Array,
  address: Ipv4Address,
  msSinceMidnightUt: number,
): Uint8Array | undefined {
  const kept: Uint8Array[] = [];
  let keptLength = 0;
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === OPTION_EOL) break;
    if (type === OPTION_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= options.length) return undefined;
    const length = options[i + 1]!;
    if (length < 2 || i + length > options.length) return undefined;
    if (type === OPTION_RECORD_ROUTE || type === OPTION_TIMESTAMP) {
      const option = options.slice(i, i + length);
      const ok =
        type === OPTION_RECORD_ROUTE
          ? recordRoute(option, address)
          : stampTime(option, address, msSinceMidnightUt >>> 0);
      if (!ok) return undefined;
      kept.push(option);
      keptLength += length;
    }
    i += length;
  }
  if (kept.length === 0) return undefined;
  // Padded to a multiple of 4 with EOL (zeros).
  const out = new Uint8Array((keptLength + 3) & ~3);
  let at = 0;
  for (const option of kept) {
    out.set(option, at);
    at += option.length;
  }
  return out;
}

/** Adds `address` to a Record Route option in place; false when it is malformed. */
function recordRoute(option: Uint8Array, address: Ipv4Address): boolean {
  const length = option.length;
  if (length < 3 || option[2]! < ROUTE_FIRST_SLOT) return false;
  const pointer = option[2]!;
  if (pointer + 3 <= length) {
    writeWord(option, pointer - 1, address);
    option[2] = pointer + 4;
  }
  return true;
}

/** Stamps a Timestamp option in place (RFC 791); false when it is malformed. */
function stampTime(option: Uint8Array, address: Ipv4Address, time: number): boolean {
  const length = option.length;
  if (length < 4 || option[2]! < TIMESTAMP_FIRST_SLOT) return false;
  const pointer = option[2]!;
  const flag = option[3]! & 0x0f;
  const slot = flag === TS_ONLY ? 4 : 8;
  if (flag !== TS_ONLY && flag !== TS_AND_ADDRESS && flag !== TS_PRESPECIFIED) return false;
  if (pointer + slot - 1 > length) {
    // Full: the overflow count (the high nibble) says how many hosts could not stamp; it stops at 15.
    const overflow = option[3]! >>> 4;
    if (overflow < 15) option[3] = ((overflow + 1) << 4) | flag;
    return true;
  }
  const at = pointer - 1;
  if (flag === TS_ONLY) {
    writeWord(option, at, time);
  } else if (flag === TS_AND_ADDRESS) {
    writeWord(option, at, address);
    writeWord(option, at + 4, time);
  } else {
    // Prespecified: only when the next address given is ours.
    const next =
      ((option[at]! << 24) | (option[at + 1]! << 16) | (option[at + 2]! << 8) | option[at + 3]!) >>> 0;
    if (next !== address) return true;
    writeWord(option, at + 4, time);
  }
  option[2] = pointer + slot;
  return true;
}

function writeWord(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}
