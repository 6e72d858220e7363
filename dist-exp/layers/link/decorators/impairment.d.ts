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
export declare const NO_IMPAIRMENT: Impairment;
/** Default for `reorderHoldMs`. */
export declare const DEFAULT_REORDER_HOLD_MS = 1;
/**
 * Checks every field of an impairment built in code against the ranges the CLI states (parseImpairment
 * output always passes); throws PilhaError('EBADOPTION') naming the first bad field.
 */
export declare function validateImpairment(imp: Impairment): Impairment;
/**
 * Parses the CLI form `loss=0.05,reorder=0.02,duplicate=0.01,corrupt=0.001,delay=10,jitter=2,rate=1000000,
 * queue=65536,hold=1,seed=7` (any subset, any order; missing keys take NO_IMPAIRMENT's values; an empty string
 * or `none` is no impairment). Values are plain decimal ('0.05', not '5e-2'), integers where the field counts
 * bytes or is a seed. Throws PilhaError('EBADOPTION') with one readable line naming `--impair KEY` on any mistake.
 */
export declare function parseImpairment(text: string): Impairment;
/** The CLI form of an impairment; parseImpairment(formatImpairment(x)) equals x. Unset optional keys are left out. */
export declare function formatImpairment(imp: Impairment): string;
