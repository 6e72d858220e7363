/** The course's stage-2 page: "hello pombo\n" one million times, 12,000,000 bytes of text/plain. */
export declare const HELLO_POMBO_LINE = "hello pombo\n";
export declare const HELLO_POMBO_REPEAT = 1000000;
export declare const HELLO_POMBO_BYTES: number;
/** The page as one Buffer, filled natively (Buffer.alloc repeats the pattern; no 12 MB string is built). */
export declare function helloPomboPage(): Buffer;
