/**
 * What an outside reviewer's probes found, against real peers in namespaces this file creates and deletes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Namespace, PILHA_CLI, realPeerSkipReason } from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'setpriv']);

describe.skipIf(skip !== undefined)('probe findings against real peers', () => {
  const namespaces: Namespace[] = [];
  const namespace = (label: string) => {
    const ns = Namespace.create(label);
    namespaces.push(ns);
    return ns;
  };
  afterAll(async () => {
    for (const ns of namespaces) await ns.destroy();
  });

  // The offloaded open failed, was logged as a warning with the error's whole stack, and the plain open then
  // failed the same way: a user mistake printed a JSON stack trace above its one line.
  it('a TUN device another process holds: one line, exit 1, no stack trace', async () => {
    const ns = namespace('probe-busy');
    await ns.startPilha(['up', '--tun', 'pb0']);
    const r = await ns.runAsync(process.execPath, [PILHA_CLI, 'http', '--tun', 'pb0'], 20_000);
    expect(r.stderr).toBe(
      "pilha: cannot create TUN device 'pb0': the device is already in use (another file descriptor is attached to it)\n",
    );
    expect(r.status).toBe(1);
  });

  it('without root: one line, exit 1, no stack trace', async () => {
    const ns = namespace('probe-noroot');
    const r = await ns.runAsync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        PILHA_CLI,
        'http',
        '--tun',
        'pb1',
      ],
      20_000,
    );
    expect(r.stderr).toBe('pilha: cannot open /dev/net/tun: permission denied (run as root)\n');
    expect(r.status).toBe(1);
  });
});
