/**
 * A source of random 32-bit words, filling `out`: keys and random starting points. node:crypto in every
 * stack; a seeded source where a test must replay a run exactly (the fuzzer).
 */
export type RandomWords = (out: Uint32Array) => void;
export declare const randomWords: RandomWords;
