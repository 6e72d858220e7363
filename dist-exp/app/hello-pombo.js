/** The course's stage-2 page: "hello pombo\n" one million times, 12,000,000 bytes of text/plain. */
export const HELLO_POMBO_LINE = 'hello pombo\n';
export const HELLO_POMBO_REPEAT = 1_000_000;
export const HELLO_POMBO_BYTES = HELLO_POMBO_LINE.length * HELLO_POMBO_REPEAT;
/** The page as one Buffer, filled natively (Buffer.alloc repeats the pattern; no 12 MB string is built). */
export function helloPomboPage() {
    return Buffer.alloc(HELLO_POMBO_BYTES, HELLO_POMBO_LINE, 'latin1');
}
//# sourceMappingURL=hello-pombo.js.map