import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';

/**
 * Runs the CLI without privileges (as nobody when the tests run as root): a check that is missing or
 * regressed then fails at opening /dev/net/tun, instead of bringing a stack up on the host's network.
 */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function pilha(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PILHA_CLI, ...args],
      { encoding: 'utf8', timeout: 10_000, ...UNPRIVILEGED },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!existsSync(PILHA_CLI))('CLI usage errors: one readable line, exit code 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['ping'], /^pilha: missing required argument 'address'\n$/],
    [['ping', '10.0.0'], /^pilha: not an IPv4 address: '10\.0\.0'\n$/],
    [['ping', '010.077.0.1'], /^pilha: not an IPv4 address: '010\.077\.0\.1' \(no leading zeros/],
    [
      ['ping', '10.77.0.1', '--size', 'big'],
      /^pilha: --size must be an integer from 0 to 65507, got 'big'\n$/,
    ],
    [
      ['ping', '10.77.0.1', '--count', '1.5'],
      /^pilha: --count must be an integer from 1 to 1000000, got '1\.5'\n$/,
    ],
    [
      ['ping', '10.77.0.1', '--interval', '1e-3'],
      /^pilha: --interval must be a number from 0\.001 to 3600, got '1e-3'\n$/,
    ],
    [
      ['ping', '10.77.0.1', '--wait', '3601'],
      /^pilha: --wait must be a number from 0\.001 to 3600, got '3601'\n$/,
    ],
    [['up', '--mtu', '10'], /^pilha: --mtu must be an integer from 576 to 65535, got '10'\n$/],
    [
      ['http', '--dashboard', 'web'],
      /^pilha: --dashboard must be \[HOST:\]PORT, e\.g\. 8080 or 127\.0\.0\.1:8080, got 'web'\n$/,
    ],
    [
      ['up', '--dashboard', 'example.org:80'],
      /^pilha: --dashboard host must be an IPv4 address or localhost, got 'example\.org'\n$/,
    ],
    [['framed', 'serve', '--dashboard', '99999'], /^pilha: --dashboard must be \[HOST:\]PORT/],
    [['up', '--mtu', '0x5dc'], /^pilha: --mtu must be an integer from 576 to 65535, got '0x5dc'\n$/],
    [['up', '--mtu', '1e3'], /^pilha: --mtu must be an integer from 576 to 65535, got '1e3'\n$/],
    [['up', '--mtu', ''], /^pilha: --mtu must be an integer from 576 to 65535, got ''\n$/],
    [
      ['up', '--reassembly-timeout', '0x10'],
      /^pilha: --reassembly-timeout must be a number from 0\.001 to 3600/,
    ],
    [['up', '--pmtu-expires', '0'], /^pilha: --pmtu-expires must be a number from 1 to 86400, got '0'\n$/],
    [['up', '--address', '010.077.0.2'], /^pilha: not an IPv4 address: '010\.077\.0\.2' \(no leading zeros/],
    [['up', '--host-address', '10.77.0.1/024'], /^pilha: bad prefix length in '10\.77\.0\.1\/024'\n$/],
    [
      ['up', '--impair', 'delay=1e12'],
      /^pilha: --impair delay must be a number of milliseconds from 0 to 3600000, got '1e12'\n$/,
    ],
    [
      ['up', '--impair', 'jitter=0x10'],
      /^pilha: --impair jitter must be a number of milliseconds from 0 to 3600000/,
    ],
    [
      ['up', '--impair', 'hold=1e9'],
      /^pilha: --impair hold must be a number of milliseconds from 0 to 3600000/,
    ],
    [
      ['up', '--impair', 'loss=5e-1'],
      /^pilha: --impair loss must be a probability, a number from 0 to 1, got '5e-1'\n$/,
    ],
    [
      ['up', '--impair', 'rate=10'],
      /^pilha: --impair rate must be 0 \(unlimited\) or an integer from 1000 to 100000000000 bytes per second/,
    ],
    [
      ['up', '--impair', 'queue=1e6'],
      /^pilha: --impair queue must be an integer from 0 \(unlimited\) to 1073741824 bytes/,
    ],
    [
      ['up', '--impair', 'seed=-1'],
      /^pilha: --impair seed must be an integer from 0 to 4294967295, got '-1'\n$/,
    ],
    [['http', '--port', '0'], /^pilha: --port must be an integer from 1 to 65535, got '0'\n$/],
    [['http', '--port', '0x1b58'], /^pilha: --port must be an integer from 1 to 65535, got '0x1b58'\n$/],
    [
      ['http', '--listen-host', '127.000.0.1', '--transport', 'kernel'],
      /^pilha: not an IPv4 address: '127\.000\.0\.1'/,
    ],
    // The subnet's own address and its broadcast are no host's.
    [
      ['up', '--address', '10.77.0.255'],
      /^pilha: --address 10\.77\.0\.255 is the broadcast address of 10\.77\.0\.0\/24: choose a host address\n$/,
    ],
    [
      ['up', '--host-address', '10.77.0.0/24'],
      /^pilha: --host-address 10\.77\.0\.0 is the network address of 10\.77\.0\.0\/24/,
    ],
    [
      ['up', '--address', '10.9.0.3', '--host-address', '10.9.0.1/30'],
      /^pilha: --address 10\.9\.0\.3 is the broadcast address of 10\.9\.0\.0\/30/,
    ],
    // A stack option beside --transport kernel (node:net) would do nothing: the capture asked for never made.
    [
      ['get', 'http://10.77.0.1/', '--transport', 'kernel', '--pcap', '/tmp/never.pcap'],
      /^pilha: --pcap configures pilha's stack, which --transport kernel does not use: leave one out\n$/,
    ],
    [
      ['http', '--transport', 'kernel', '--no-offload'],
      /^pilha: --no-offload configures pilha's stack, which --transport kernel does not use/,
    ],
    [
      ['framed', 'serve', '--transport', 'kernel', '--tun', 'p9'],
      /^pilha: --tun configures pilha's stack, which --transport kernel does not use/,
    ],
    [
      ['get', 'http://10.77.0.1/', '--timeout', '1e12'],
      /^pilha: --timeout must be a number from 0\.001 to 86400, got '1e12'\n$/,
    ],
    [['get', 'http://010.077.0.1/'], /^pilha: not an IPv4 address: '010\.077\.0\.1' \(no leading zeros/],
    [['get', 'http://167772161/'], /^pilha: not an IPv4 address: '167772161'/],
    [['get', 'http://[::1]:80/'], /^pilha: not an IPv4 address: '\[::1\]'\n$/],
    [['get', 'http://10.77.0.1:0x50/'], /^pilha: not a URL: 'http:\/\/10\.77\.0\.1:0x50\/'/],
    [
      ['get', 'http://10.77.0.1:080/'],
      /^pilha: the port in 'http:\/\/10\.77\.0\.1:080\/' must be an integer from 1 to 65535/,
    ],
    // A local file error is named before any connection is made (it read as a broken connection).
    [
      ['get', 'http://10.77.0.1/', '-o', '/nonexistent-dir/out'],
      /^pilha: cannot write \/nonexistent-dir\/out: no such file or directory \(ENOENT\)\n$/,
    ],
    [
      ['get', 'http://10.77.0.1/', '-o', '/'],
      /^pilha: cannot write \/: illegal operation on a directory \(EISDIR\)\n$/,
    ],
    // A file that opens but takes no writes (root may open it): refused by a write of nothing, before connecting.
    [
      ['get', 'http://10.77.0.1/', '-o', '/proc/version'],
      /^pilha: cannot write \/proc\/version: (i\/o error \(EIO\)|permission denied \(EACCES\))\n$/,
    ],
    // Two options naming one file: each would overwrite the other's bytes, success reported over a corrupt file.
    [
      ['get', 'http://10.77.0.1/', '-o', '/nonexistent-dir/same', '--pcap', '/nonexistent-dir/same'],
      /^pilha: -o and --pcap name the same file \('\/nonexistent-dir\/same'\): each needs its own\n$/,
    ],
    [
      ['up', '--pcap', 'pilha-nonexistent.out', '--trace', './pilha-nonexistent.out'],
      /^pilha: --pcap and --trace name the same file \('pilha-nonexistent\.out' and '\.\/pilha-nonexistent\.out'\): each needs its own\n$/,
    ],
    [
      ['plot', 'pilha-nonexistent.jsonl', '-o', 'pilha-nonexistent.jsonl'],
      /^pilha: the trace and -o name the same file \('pilha-nonexistent\.jsonl'\): each needs its own\n$/,
    ],
    [
      ['up', '--ready-file', '/nonexistent-dir/ready'],
      /^pilha: --ready-file \/nonexistent-dir\/ready: cannot write in its directory \(ENOENT\)\n$/,
    ],
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
    // Concurrent: each case is a process start, mostly waiting.
    it.concurrent(`pilha ${args.join(' ')}`, async () => {
      const r = await pilha(...args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
      expect(r.status).toBe(2);
    });
  }

  it('bare pilha prints the help on stdout and exits 0 (it printed "pilha: (outputHelp)")', async () => {
    const r = await pilha();
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: pilha /);
    expect(r.stdout).toMatch(/ping \[options\] <address>/);
    expect(r.status).toBe(0);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await pilha('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/up \[options\]/);
    expect(r.stdout).toMatch(/ping \[options\] <address>/);
  });
});
