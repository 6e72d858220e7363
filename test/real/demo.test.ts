/** The README's first command stays true: the demo script runs end to end against the kernel's programs. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, realPeerSkipReason } from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'ping', 'wget', 'sha256sum']);

describe.skipIf(skip !== undefined)('npm run demo (scripts/demo.sh)', () => {
  it('downloads with wget (SHA-256 equal) and pings both ways without loss', async () => {
    const child = spawn('bash', [join(ROOT, 'scripts/demo.sh')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code, out).toBe(0);
    expect(out.match(/every byte as served/g)?.length, out).toBe(2);
    expect(out.match(/3 packets transmitted, 3 received, 0% packet loss/g)?.length, out).toBe(2);
    expect(out.match(/reassembled id=0x[0-9a-f]{4} .* fragments=14/g)?.length, out).toBe(3);
  }, 120_000);
});
