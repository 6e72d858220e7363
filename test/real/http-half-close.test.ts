/**
 * Issue 6, finding 1, against a real client: a Python client that sends its request, calls
 * shutdown(SHUT_WR) and reads to EOF, 20 times per HTTP version, against `pilha http` on pilha's TCP (TUN)
 * and, for comparison, on the kernel's TCP, inside a namespace this file creates and deletes.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, type PilhaProcess, realPeerSkipReason, SYSTEM_PYTHON } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip']);
const CLIENT = fileURLToPath(new URL('./clients/half_close_get.py', import.meta.url));
const N = 1_048_576;

describe.skipIf(skip !== undefined)('half-closing clients get whole responses', () => {
  let ns: Namespace;
  let pilha: PilhaProcess;
  let kernel: PilhaProcess;
  const expected = `${N} ${sha256OfServedBytes(N)}`;

  beforeAll(async () => {
    ns = Namespace.create('halfclose');
    pilha = await ns.startPilha(['http', '--tun', 'hc0', '--port', '7000']);
    kernel = await ns.startPilha([
      'http',
      '--transport',
      'kernel',
      '--port',
      '7001',
      '--listen-host',
      '127.0.0.1',
    ]);
  });
  afterAll(async () => {
    await ns?.destroy();
  });

  const cases: Array<[string, string, number, string]> = [
    ["pilha's TCP", '10.77.0.2', 7000, '1.0'],
    ["pilha's TCP", '10.77.0.2', 7000, '1.1'],
    ["the kernel's TCP", '127.0.0.1', 7001, '1.0'],
    ["the kernel's TCP", '127.0.0.1', 7001, '1.1'],
  ];
  for (const [via, host, port, version] of cases) {
    it(`HTTP/${version} on ${via}: 20 of 20 whole bodies`, async () => {
      const r = await ns.runAsync(
        SYSTEM_PYTHON,
        [CLIENT, host, String(port), `/bytes/${N}`, version, '20'],
        120_000,
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(20);
      expect(lines.filter((l) => l === expected)).toHaveLength(20);
    });
  }

  it('pilha reset no connection and counted no internal error', async () => {
    expect(await pilha.stop()).toBe(0);
    const tcp = JSON.parse(pilha.stdout.match(/^tcp (.*)$/m)![1]!) as Record<string, number>;
    // A reset may only answer a segment for no connection (RFC 9293 §3.10.7.1), as the kernel's would: on a
    // loaded machine a late ACK can draw a tail loss probe of pilha's FIN after the client has gone to
    // TIME_WAIT; its ACK of the probe then finds pilha's side closed and gets a RST. None may abort one.
    expect(
      tcp.txResets,
      `resets beyond segments for no connection; tcp counters: ${JSON.stringify(tcp)}`,
    ).toBeLessThanOrEqual(tcp.noConnection! + tcp.dropListenNotSyn!);
    expect(tcp.internalErrors).toBe(0);
    expect(await kernel.stop()).toBe(0);
  });
});
