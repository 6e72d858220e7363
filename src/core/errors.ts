import { getSystemErrorMap } from 'node:util';

/** Error codes for API misuse and configuration mistakes; the CLI prints the message alone. */
export type PilhaErrorCode =
  | 'EBADADDR'
  | 'EBADOPTION'
  | 'ETUN'
  | 'ERAWLINK'
  | 'EADDRINUSE'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EHOSTUNREACH'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EMSGSIZE'
  | 'ECLOSED';

export class PilhaError extends Error {
  constructor(
    readonly code: PilhaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PilhaError';
  }
}

/**
 * An error's text for a person. A system error from node ('connect ECONNREFUSED 127.0.0.1:9', 'ENOENT: no such
 * file or directory, open ...') reads as its errno's description and code ('connection refused (ECONNREFUSED)'):
 * the caller says what it was connecting to or opening. Any other error's message is taken as it is, with its
 * code added when it has one the message does not name.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { errno, code, syscall } = err as NodeJS.ErrnoException;
  if (typeof errno === 'number' && typeof code === 'string' && typeof syscall === 'string') {
    const text = getSystemErrorMap().get(errno)?.[1];
    if (text !== undefined) return `${text} (${code})`;
  }
  return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
