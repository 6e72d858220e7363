import { describe, expect, it } from 'vitest';
import { type StackOptionValues, stackConfigFrom } from '../../../src/cli/stack-options.js';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { readInterfaceMtu } from '../../../src/layers/link/raw-socket/host-address.js';

const DEFAULTS: StackOptionValues = {
  link: 'tun',
  tun: 'pilha0',
  hostAddress: '10.77.0.1/24',
  reassemblyTimeout: '30',
};

function failure(run: () => unknown): PilhaError {
  try {
    run();
  } catch (err) {
    if (err instanceof PilhaError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('--link', () => {
  it('tun stays the default, with its own address and MTU defaults', () => {
    const config = stackConfigFrom({ ...DEFAULTS, link: undefined }, { claimedPorts: [7000] });
    expect(config.link.kind).toBe('tun');
    expect(config.address).toBe(parseIpv4('10.77.0.2'));
    expect(config.mtu).toBe(1500);
  });

  it("raw claims the command's ports on 127.0.0.1, with the MTU of its interface (at most 65535)", () => {
    const config = stackConfigFrom({ ...DEFAULTS, link: 'raw' }, { claimedPorts: [7000] });
    expect(config.link).toEqual({ kind: 'raw', ports: [7000] });
    expect(config.address).toBe(parseIpv4('127.0.0.1'));
    expect(config.mtu).toBe(Math.min(readInterfaceMtu('lo') ?? 1500, 65_535));
  });

  it('raw takes an explicit --mtu', () => {
    const config = stackConfigFrom({ ...DEFAULTS, link: 'raw', mtu: '1500' }, { claimedPorts: [7000] });
    expect(config.mtu).toBe(1500);
  });

  it('raw refuses an address the host does not have (a usage mistake)', () => {
    const err = failure(() =>
      stackConfigFrom({ ...DEFAULTS, link: 'raw', address: '192.0.2.1' }, { claimedPorts: [7000] }),
    );
    expect(err.code).toBe('EBADADDR');
    expect(err.message).toMatch(/^--address 192\.0\.2\.1 is not an address of this host/);
  });

  it('raw refuses a command that serves no port', () => {
    expect(failure(() => stackConfigFrom({ ...DEFAULTS, link: 'raw' })).message).toMatch(
      /use it with pilha http/,
    );
  });

  it('refuses an unknown kind', () => {
    const err = failure(() => stackConfigFrom({ ...DEFAULTS, link: 'ether' }));
    expect(err.code).toBe('EBADOPTION');
    expect(err.message).toBe("--link must be 'tun' or 'raw', got 'ether'");
  });
});
