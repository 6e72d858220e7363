import { formatDecimal, parseDecimalFraction, parseDecimalInteger } from '../../../core/decimal-number.js';
import { PilhaError } from '../../../core/errors.js';

/**
 * What an ImpairedLink does to the datagrams passing through it, in one direction. Probabilities are per
 * datagram and independent; times are milliseconds of the injected Clock.
 */
export interface Impairment {
  /** Probability that a datagram is dropped. */
  readonly loss: number;
  /** Probability that a datagram is delivered twice (the copy goes through corruption, queue and delay too). */
  readonly duplicate: number;
  /** Probability that a datagram is held back and overtaken by the next one. */
  readonly reorder: number;
  /** Probability that one random bit of a datagram is flipped. */
  readonly corrupt: number;
  /** Fixed one-way propagation delay. */
  readonly delayMs: number;
  /** The delay varies uniformly in [delay - jitter, delay + jitter] (never below 0); jitter alone never reorders. */
  readonly jitterMs: number;
  /** Bottleneck rate in bytes (of IPv4 datagram) per second; 0 or undefined is unlimited. */
  readonly rateBytesPerSec?: number;
  /**
   * Bytes the bottleneck may hold (waiting or being serialized); a datagram that would exceed it is tail-dropped.
   * 0 or undefined is unlimited. Only meaningful with a rate: without one, nothing ever queues.
   */
  readonly queueBytes?: number;
  /** How long a datagram picked for reordering waits for a successor before it is released anyway; default 1 ms. */
  readonly reorderHoldMs?: number;
  /** Seed of the pseudo-random decisions: the same seed and the same traffic give the same impairments. */
  readonly seed: number;
}

/** A link that changes nothing (seed 1). */
export const NO_IMPAIRMENT: Impairment = Object.freeze({
  loss: 0,
  duplicate: 0,
  reorder: 0,
  corrupt: 0,
  delayMs: 0,
  jitterMs: 0,
  seed: 1,
});

/** Default for `reorderHoldMs`. */
export const DEFAULT_REORDER_HOLD_MS = 1;

type Field = keyof Impairment;

/** How a value is written and what it may be; `min`/`max` bound it, `zero` is also allowed (unlimited). */
interface Range {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  /** A value that means "off" and sits outside [min, max] (a rate of 0 is unlimited). */
  readonly zero?: true;
  /** The range as the error message states it. */
  readonly text: string;
}

const PROBABILITY: Range = { integer: false, min: 0, max: 1, text: 'a probability, a number from 0 to 1' };

/**
 * Delays, jitter and the reorder hold: at most an hour. A Node timer holds at most 2^31 - 1 ms (setTimeout
 * turns more into 1 ms), and delay + jitter + hold must stay far below it.
 */
const DURATION: Range = {
  integer: false,
  min: 0,
  max: 3_600_000,
  text: 'a number of milliseconds from 0 to 3600000',
};

/**
 * Bottleneck rate in bytes per second, 0 for none. At least 1000 (8 kbit/s): a 64 KiB datagram then takes
 * 65 s to serialize, and a slower rate lets an ordinary backlog push arrival times past what a timer holds.
 * At most 10^11 (800 Gbit/s), far beyond any link.
 */
const RATE: Range = {
  integer: true,
  min: 1000,
  max: 100_000_000_000,
  zero: true,
  text: '0 (unlimited) or an integer from 1000 to 100000000000 bytes per second',
};

/** Bottleneck queue in bytes, 0 for unlimited; at most 1 GiB (it is memory the link may hold). */
const QUEUE: Range = {
  integer: true,
  min: 0,
  max: 1 << 30,
  text: 'an integer from 0 (unlimited) to 1073741824 bytes',
};

const SEED: Range = { integer: true, min: 0, max: 0xffffffff, text: 'an integer from 0 to 4294967295' };

/** CLI key → field and range, in the order formatImpairment writes them. */
const KEYS: readonly (readonly [key: string, field: Field, range: Range])[] = [
  ['loss', 'loss', PROBABILITY],
  ['duplicate', 'duplicate', PROBABILITY],
  ['reorder', 'reorder', PROBABILITY],
  ['corrupt', 'corrupt', PROBABILITY],
  ['delay', 'delayMs', DURATION],
  ['jitter', 'jitterMs', DURATION],
  ['rate', 'rateBytesPerSec', RATE],
  ['queue', 'queueBytes', QUEUE],
  ['hold', 'reorderHoldMs', DURATION],
  ['seed', 'seed', SEED],
];

const KEY_NAMES = KEYS.map(([k]) => k).join(', ');

function inRange(range: Range, v: number): boolean {
  if (!Number.isFinite(v) || (range.integer && !Number.isInteger(v))) return false;
  return (range.zero === true && v === 0) || (v >= range.min && v <= range.max);
}

/**
 * Checks every field of an impairment built in code against the ranges the CLI states (parseImpairment
 * output always passes); throws PilhaError('EBADOPTION') naming the first bad field.
 */
export function validateImpairment(imp: Impairment): Impairment {
  for (const [key, field, range] of KEYS) {
    const v = imp[field];
    const optional = field === 'rateBytesPerSec' || field === 'queueBytes' || field === 'reorderHoldMs';
    if (v === undefined && optional) continue;
    if (typeof v !== 'number' || !inRange(range, v)) {
      throw new PilhaError('EBADOPTION', `impairment ${key} must be ${range.text}, got ${String(v)}`);
    }
  }
  return imp;
}

/**
 * Parses the CLI form `loss=0.05,reorder=0.02,duplicate=0.01,corrupt=0.001,delay=10,jitter=2,rate=1000000,
 * queue=65536,hold=1,seed=7` (any subset, any order; missing keys take NO_IMPAIRMENT's values; an empty string
 * or `none` is no impairment). Values are plain decimal ('0.05', not '5e-2'), integers where the field counts
 * bytes or is a seed. Throws PilhaError('EBADOPTION') with one readable line naming `--impair KEY` on any mistake.
 */
export function parseImpairment(text: string): Impairment {
  const out: Record<string, number> = { ...NO_IMPAIRMENT };
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return { ...NO_IMPAIRMENT };
  const seen = new Set<string>();
  for (const part of trimmed.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      throw new PilhaError(
        'EBADOPTION',
        `--impair '${item}' needs a value, as in ${item}=0.01 (keys: ${KEY_NAMES})`,
      );
    }
    const key = item.slice(0, eq).trim().toLowerCase();
    const raw = item.slice(eq + 1).trim();
    const spec = KEYS.find(([k]) => k === key);
    if (spec === undefined) {
      throw new PilhaError('EBADOPTION', `unknown --impair key '${key}' (use ${KEY_NAMES})`);
    }
    if (seen.has(key)) throw new PilhaError('EBADOPTION', `--impair ${key} is given more than once`);
    seen.add(key);
    const [, field, range] = spec;
    const value = (range.integer ? parseDecimalInteger(raw) : parseDecimalFraction(raw)) ?? Number.NaN;
    if (!inRange(range, value)) {
      throw new PilhaError('EBADOPTION', `--impair ${key} must be ${range.text}, got '${raw}'`);
    }
    out[field] = value;
  }
  return out as unknown as Impairment;
}

/** The CLI form of an impairment; parseImpairment(formatImpairment(x)) equals x. Unset optional keys are left out. */
export function formatImpairment(imp: Impairment): string {
  const parts: string[] = [];
  for (const [key, field] of KEYS) {
    const v = imp[field];
    if (v !== undefined) parts.push(`${key}=${formatDecimal(v)}`);
  }
  return parts.join(',');
}
