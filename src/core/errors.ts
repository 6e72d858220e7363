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
