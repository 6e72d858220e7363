import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';

function pilha(...args: string[]) {
  const r = spawnSync(process.execPath, [PILHA_CLI, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(PILHA_CLI))('CLI usage errors: one readable line, exit code 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['ping'], /^pilha: missing required argument 'address'\n$/],
    [['ping', '10.0.0'], /^pilha: not an IPv4 address: '10\.0\.0'\n$/],
    [['ping', '10.77.0.1', '--size', 'big'], /^pilha: --size must be a number from 0 to 65507, got 'big'\n$/],
    [['ping', '10.77.0.1', '--count', '1.5'], /^pilha: --count must be a whole number, got '1\.5'\n$/],
    [['up', '--mtu', '10'], /^pilha: --mtu must be a number from 576 to 65535, got '10'\n$/],
    [
      ['up', '--address', '10.1.0.2'],
      /^pilha: --address 10\.1\.0\.2 is not in the host's subnet 10\.77\.0\.1\/24\n$/,
    ],
    [['up', '--address', '10.77.0.1'], /^pilha: --address and --host-address must differ/],
    [['up', '--host-address', '10.77.0.1/33'], /^pilha: bad prefix length in '10\.77\.0\.1\/33'\n$/],
    [['up', '--impair', 'loss=2'], /^pilha: .*loss.*\n$/],
    [['up', '--log', 'ip=loud'], /^pilha: unknown log level 'loud'/],
    [['up', '--tun', 'a name with spaces'], /^pilha: --tun must be a device name/],
    [['up', '--bogus'], /^pilha: unknown option '--bogus'\n$/],
    [['launch'], /^pilha: unknown command 'launch'/],
  ];
  for (const [args, message] of cases) {
    it(`pilha ${args.join(' ')}`, () => {
      const r = pilha(...args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
      expect(r.status).toBe(2);
    });
  }

  it('--help exits 0 and lists the commands', () => {
    const r = pilha('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/up \[options\]/);
    expect(r.stdout).toMatch(/ping \[options\] <address>/);
  });
});
