import { PilhaError } from '../../core/errors.js';

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
type Kind = 'probability' | 'duration' | 'count' | 'seed';

/** CLI key → field and value kind, in the order formatImpairment writes them. */
const KEYS: readonly (readonly [key: string, field: Field, kind: Kind])[] = [
  ['loss', 'loss', 'probability'],
  ['duplicate', 'duplicate', 'probability'],
  ['reorder', 'reorder', 'probability'],
  ['corrupt', 'corrupt', 'probability'],
  ['delay', 'delayMs', 'duration'],
  ['jitter', 'jitterMs', 'duration'],
  ['rate', 'rateBytesPerSec', 'count'],
  ['queue', 'queueBytes', 'count'],
  ['hold', 'reorderHoldMs', 'duration'],
  ['seed', 'seed', 'seed'],
];

const KEY_NAMES = KEYS.map(([k]) => k).join(', ');
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function describeKind(kind: Kind): string {
  switch (kind) {
    case 'probability':
      return 'a probability between 0 and 1';
    case 'duration':
      return 'a non-negative number of milliseconds';
    case 'count':
      return 'a non-negative number (0 = unlimited)';
    case 'seed':
      return 'an integer between 0 and 4294967295';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function valid(kind: Kind, v: number): boolean {
  if (!Number.isFinite(v) || v < 0) return false;
  switch (kind) {
    case 'probability':
      return v <= 1;
    case 'duration':
    case 'count':
      return true;
    case 'seed':
      return Number.isInteger(v) && v <= 0xffffffff;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * Checks every field of an impairment built in code (parseImpairment output always passes);
 * throws PilhaError('EBADOPTION') naming the first bad field.
 */
export function validateImpairment(imp: Impairment): Impairment {
  for (const [key, field, kind] of KEYS) {
    const v = imp[field];
    const optional = field === 'rateBytesPerSec' || field === 'queueBytes' || field === 'reorderHoldMs';
    if (v === undefined && optional) continue;
    if (typeof v !== 'number' || !valid(kind, v)) {
      throw new PilhaError('EBADOPTION', `impairment ${key} must be ${describeKind(kind)}, got ${String(v)}`);
    }
  }
  return imp;
}

/**
 * Parses the CLI form `loss=0.05,reorder=0.02,duplicate=0.01,corrupt=0.001,delay=10,jitter=2,rate=1000000,
 * queue=65536,hold=1,seed=7` (any subset, any order; missing keys take NO_IMPAIRMENT's values; an empty string
 * or `none` is no impairment). Throws PilhaError('EBADOPTION') with one readable line on any mistake.
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
        `impairment '${item}' needs a value, as in ${item}=0.01 (keys: ${KEY_NAMES})`,
      );
    }
    const key = item.slice(0, eq).trim().toLowerCase();
    const raw = item.slice(eq + 1).trim();
    const spec = KEYS.find(([k]) => k === key);
    if (spec === undefined) {
      throw new PilhaError('EBADOPTION', `unknown impairment '${key}' (use ${KEY_NAMES})`);
    }
    if (seen.has(key)) throw new PilhaError('EBADOPTION', `impairment '${key}' is given more than once`);
    seen.add(key);
    const [, field, kind] = spec;
    const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    if (!valid(kind, value)) {
      throw new PilhaError('EBADOPTION', `impairment ${key} must be ${describeKind(kind)}, got '${raw}'`);
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
    if (v !== undefined) parts.push(`${key}=${String(v)}`);
  }
  return parts.join(',');
}
