import { openSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/core/errors.js';

describe('describeError', () => {
  it("reads a node system error as its errno's description and code, without node's syscall and address", async () => {
    const refused = await new Promise<Error>((resolve) => net.connect(1, '127.0.0.1').on('error', resolve));
    expect(refused.message).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(describeError(refused)).toBe('connection refused (ECONNREFUSED)');
    const missing = (() => {
      try {
        openSync('/nonexistent-dir/x', 'r');
      } catch (err) {
        return err;
      }
    })();
    expect(describeError(missing)).toBe('no such file or directory (ENOENT)');
  });

  it('takes any other error as it is, its code added when the message does not name it', () => {
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(Object.assign(new Error('a reset'), { code: 'ECONNRESET' }))).toBe(
      'a reset (ECONNRESET)',
    );
    expect(describeError(Object.assign(new Error('ECONNRESET here'), { code: 'ECONNRESET' }))).toBe(
      'ECONNRESET here',
    );
    expect(describeError('text')).toBe('text');
  });
});
