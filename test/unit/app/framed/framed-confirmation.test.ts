import { describe, expect, it } from 'vitest';
import {
  confirmationProblem,
  formatConfirmation,
  formatRefusal,
  parseFramedReply,
} from '../../../../src/app/framed/framed-confirmation.js';

const SHA_A = 'e9b0015594030c029f167a30522c7dd2ec90379b6026ef7c7dd74b07d0bc63dd';
const SHA_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('framed confirmation lines', () => {
  it('formats OK <bytes> <sha256>\\n and parses it back', () => {
    const line = formatConfirmation(16385, SHA_A);
    expect(line).toBe(`OK 16385 ${SHA_A}\n`);
    expect(parseFramedReply(line.slice(0, -1))).toEqual({ kind: 'ok', bytes: 16385, sha256: SHA_A });
    expect(parseFramedReply(`OK 0 ${SHA_EMPTY}\r`)).toEqual({ kind: 'ok', bytes: 0, sha256: SHA_EMPTY });
  });

  it('accepts a confirmation of what was sent and nothing else', () => {
    const good = parseFramedReply(`OK 16385 ${SHA_A}`);
    expect(confirmationProblem(good, 16385, SHA_A)).toBeUndefined();
    expect(confirmationProblem(parseFramedReply(`OK 16384 ${SHA_A}`), 16385, SHA_A)).toBe(
      'server confirmed 16384 bytes, 16385 were sent',
    );
    expect(confirmationProblem(parseFramedReply(`OK 16385 ${SHA_EMPTY}`), 16385, SHA_A)).toMatch(
      /^server's SHA-256 e3b0c442\S+ differs from the sent e9b00155/,
    );
  });

  it('calls anything else garbage: wrong case, short hash, extra fields, leading zeros, no space', () => {
    for (const line of [
      '',
      'ok',
      `ok 16385 ${SHA_A}`,
      `OK 16385 ${SHA_A.toUpperCase()}`,
      `OK 16385 ${SHA_A.slice(1)}`,
      `OK 16385 ${SHA_A} extra`,
      `OK 016385 ${SHA_A}`,
      `OK -1 ${SHA_A}`,
      `OK  16385 ${SHA_A}`,
      'OK 16385',
      'HTTP/1.1 200 OK',
      'ERROR something',
    ]) {
      const reply = parseFramedReply(line);
      expect(reply.kind, line).toBe('garbage');
      expect(confirmationProblem(reply, 16385, SHA_A)).toMatch(/^not a confirmation: /);
    }
  });

  it('reads an ERR line as a refusal with its reason', () => {
    const reply = parseFramedReply('ERR message of 123 bytes is over the maximum of 100');
    expect(reply).toEqual({ kind: 'err', reason: 'message of 123 bytes is over the maximum of 100' });
    expect(confirmationProblem(reply, 123, SHA_A)).toBe(
      'server refused the message: message of 123 bytes is over the maximum of 100',
    );
    expect(parseFramedReply('ERR')).toEqual({ kind: 'err', reason: 'no reason' });
  });

  it('keeps a refusal to one printable line', () => {
    expect(formatRefusal('bad\nheader\x00')).toBe('ERR bad?header?\n');
  });
});
