import type { Ipv4Address } from '../../core/ipv4-address.js';

const OPTION_EOL = 0;
const OPTION_NOP = 1;
const OPTION_RECORD_ROUTE = 7;
const OPTION_TIMESTAMP = 68;
/** Timestamp flags (RFC 791): timestamps only; each with the address of who stamped it; at given addresses. */
const TS_ONLY = 0;
const TS_AND_ADDRESS = 1;

/**
 * The IP options of the echo reply to a request that carried `options` (RFC 1122 §3.2.2.6): a Record Route
 * and a Timestamp option SHOULD be updated with this host and returned, so that what they record is the whole
 * round trip (`ping -R`, `ping -T`). Record Route gets our address in its next slot; Timestamp gets
 * `msSinceMidnightUt` (RFC 791's standard value), with our address in front when its flag asks for one, or in
 * the slot our address was given (prespecified) — or, full, its overflow count raised by one. A full Record
 * Route comes back as it came. Any other option is left out. Returns undefined when the request has neither.
 *
 * `options` are well formed: the IP layer drops a datagram whose options are not (ipv4-options-check.ts, the
 * one place their lengths, pointers and flags are checked), so this only updates them.
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
    const length = options[i + 1] ?? 0;
    if (length < 2) break; // cannot be, as said above; never a loop that does not advance
    if (type === OPTION_RECORD_ROUTE || type === OPTION_TIMESTAMP) {
      const option = options.slice(i, i + length);
      if (type === OPTION_RECORD_ROUTE) recordRoute(option, address);
      else stampTime(option, address, msSinceMidnightUt >>> 0);
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

/** Adds `address` to a (well-formed) Record Route option in place, unless it is full. */
function recordRoute(option: Uint8Array, address: Ipv4Address): void {
  const pointer = option[2]!;
  if (pointer + 3 > option.length) return;
  writeWord(option, pointer - 1, address);
  option[2] = pointer + 4;
}

/** Stamps a (well-formed) Timestamp option in place (RFC 791). */
function stampTime(option: Uint8Array, address: Ipv4Address, time: number): void {
  const pointer = option[2]!;
  const flag = option[3]! & 0x0f;
  const slot = flag === TS_ONLY ? 4 : 8;
  if (pointer + slot - 1 > option.length) {
    // Full: the overflow count (the high nibble) says how many hosts could not stamp (never already 15 here:
    // the IP layer refuses that one).
    option[3] = (Math.min(15, (option[3]! >>> 4) + 1) << 4) | flag;
    return;
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
    if (next !== address) return;
    writeWord(option, at + 4, time);
  }
  option[2] = pointer + slot;
}

function writeWord(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}
