import { describe, expect, it } from 'vitest';
import {
  type HttpResponseHead,
  HttpResponseReader,
  MAX_HEAD_BYTES,
} from '../../../src/app/http-response-reader.js';

interface Outcome {
  heads: HttpResponseHead[];
  body: Buffer;
  chunks: Buffer[];
  ended: number;
}

function reader(): { r: HttpResponseReader; out: Outcome } {
  const out: Outcome = { heads: [], body: Buffer.alloc(0), chunks: [], ended: 0 };
  const r = new HttpResponseReader({
    onHead: (h) => out.heads.push(h),
    onBody: (c) => {
      out.chunks.push(c);
      out.body = Buffer.concat([out.body, c]);
    },
    onEnd: () => out.ended++,
  });
  return { r, out };
}

/** Feeds `text` cut at every position in `cuts` (so heads, sizes and CRLFs straddle chunks). */
function feedCut(r: HttpResponseReader, bytes: Buffer, cuts: number[]): void {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    r.feed(bytes.subarray(at, cut));
    at = cut;
  }
}

const body = Buffer.from('0123456789abcdefghij'.repeat(5));

describe('HttpResponseReader', () => {
  it('reads a Content-Length response fed in two pieces cut anywhere, CRLF or bare LF', () => {
    for (const eol of ['\r\n', '\n']) {
      const bytes = Buffer.concat([
        Buffer.from(
          `HTTP/1.1 200 OK${eol}Content-Length: ${body.length}${eol}X-A: 1${eol}x-a: 2${eol}Set-Cookie: a${eol}Set-Cookie: b${eol}${eol}`,
        ),
        body,
        Buffer.from('trailing garbage after the body is ignored'),
      ]);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const { r, out } = reader();
        feedCut(r, bytes, [cut]);
        expect(out.heads).toHaveLength(1);
        expect(out.heads[0]!.status).toBe(200);
        expect(out.heads[0]!.statusText).toBe('OK');
        expect(out.heads[0]!.headers).toEqual({
          'content-length': String(body.length),
          'x-a': '1, 2',
          'set-cookie': ['a', 'b'],
        });
        expect(out.body.equals(body)).toBe(true);
        expect(out.ended).toBe(1);
        expect(r.done).toBe(true);
      }
    }
  });

  it('hands the body on as views of the chunks it was fed, not copies', () => {
    const { r, out } = reader();
    r.feed(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${3 * 1000}\r\n\r\n`));
    const fed = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)];
    for (const c of fed) r.feed(c);
    expect(out.chunks).toHaveLength(3);
    for (const [i, c] of out.chunks.entries()) expect(c.buffer).toBe(fed[i]!.buffer);
  });

  it('decodes a chunked body cut at every byte, with extensions and trailers', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity, Chunked\r\n\r\n' +
        '5\r\nhello\r\n1;ext=1\r\n \r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n',
    );
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { r, out } = reader();
      feedCut(r, bytes, [cut, Math.min(bytes.length, cut + 3)]);
      expect(out.body.toString()).toBe('hello 0123456789');
      expect(out.ended).toBe(1);
    }
    const { r, out } = reader();
    for (let i = 0; i < bytes.length; i++) r.feed(bytes.subarray(i, i + 1));
    expect(out.body.toString()).toBe('hello 0123456789');
    expect(out.ended).toBe(1);
  });

  it('skips interim 1xx responses and reads none of a 204 or 304 body', () => {
    const { r, out } = reader();
    r.feed(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n'));
    r.feed(Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n'));
    expect(out.heads.map((h) => h.status)).toEqual([204]);
    expect(out.ended).toBe(1);
    expect(out.body.length).toBe(0);
  });

  it('reads a body without length or chunking until the stream ends', () => {
    const { r, out } = reader();
    r.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\nabc'));
    r.feed(Buffer.from('def'));
    expect(out.ended).toBe(0);
    r.finish();
    expect(out.body.toString()).toBe('abcdef');
    expect(out.ended).toBe(1);
  });

  it('says when the stream ends before the head or mid-body', () => {
    const early = reader();
    early.r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-'));
    expect(() => early.r.finish()).toThrow('the connection closed before a response');
    const short = reader();
    short.r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..'));
    expect(() => short.r.finish()).toThrow('the connection closed mid-body');
    expect(short.out.ended).toBe(0);
    const chunked = reader();
    chunked.r.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'));
    expect(() => chunked.r.finish()).toThrow('mid-body');
  });

  it('rejects malformed responses, and delivers nothing after one', () => {
    const cases: Array<[string, RegExp]> = [
      ['SSH-2.0-OpenSSH\r\n\r\n', /not an HTTP\/1.x status line/],
      ['HTTP/1.1 200 OK\r\nBad Field: x\r\n\r\n', /malformed header field/],
      ['HTTP/1.1 200 OK\r\n folded: x\r\n\r\n', /malformed header field/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', /invalid Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n', /no CRLF after a chunk/],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /unexpected 101/],
      // A coding left on the body would be written as if it were the body: refused, not passed on.
      [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n',
        /unsupported transfer coding 'gzip'/,
      ],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: deflate\r\n\r\nxx', /unsupported transfer coding 'deflate'/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n', /chunked more than once/],
    ];
    for (const [text, error] of cases) {
      const { r, out } = reader();
      expect(() => r.feed(Buffer.from(text))).toThrow(error);
      const before = out.body.length;
      r.feed(Buffer.from('more'));
      r.finish();
      expect(out.body.length).toBe(before);
      expect(out.ended).toBe(0);
    }
    const huge = reader();
    huge.r.feed(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => huge.r.feed(Buffer.alloc(MAX_HEAD_BYTES, 0x61))).toThrow(/response head over/);
  });

  it('takes the same Content-Length repeated as one', () => {
    const { r, out } = reader();
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc'));
    expect(out.body.toString()).toBe('abc');
    expect(out.ended).toBe(1);
  });
});
