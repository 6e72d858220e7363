/** Error codes for API misuse and configuration mistakes; the CLI prints the message alone. */
export type PilhaErrorCode = 'EBADADDR' | 'EBADOPTION' | 'ETUN' | 'ERAWLINK' | 'EADDRINUSE' | 'ECONNREFUSED' | 'ECONNRESET' | 'EHOSTUNREACH' | 'ETIMEDOUT' | 'EPIPE' | 'EMSGSIZE' | 'ECLOSED';
export declare class PilhaError extends Error {
    readonly code: PilhaErrorCode;
    constructor(code: PilhaErrorCode, message: string);
}
