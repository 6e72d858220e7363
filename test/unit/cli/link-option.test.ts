import { describe, expect, it } from 'vitest';
import { type StackOptionValues, stackConfigFrom } from '../../../src/cli/stack-options.js';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { parseMac } from '../../../src/core/mac-address.js';
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
    expect(err.message).toBe("--link must be one of tun, tap, packet, raw, got 'ether'");
  });

  it('tap creates pilhatap0 (or --device) with the TUN defaults and an optional --mac', () => {
    const config = stackConfigFrom({ ...DEFAULTS, link: 'tap' });
    expect(config.link).toEqual({
      kind: 'tap',
      name: 'pilhatap0',
      hostAddress: parseIpv4('10.77.0.1'),
      prefixLength: 24,
    });
    expect(config.mtu).toBe(1500);
    const named = stackConfigFrom({ ...DEFAULTS, link: 'tap', device: 'tap7', mac: '02:AA:bb:00:00:01' });
    expect(named.link).toMatchObject({ kind: 'tap', name: 'tap7', mac: parseMac('02:aa:bb:00:00:01') });
  });

  it('--device names the TUN device too', () => {
    expect(stackConfigFrom({ ...DEFAULTS, device: 'tun9' }).link).toMatchObject({
      kind: 'tun',
      name: 'tun9',
    });
  });

  it('packet binds to --device with the prefix of --host-address and the interface MTU (lo here)', () => {
    const config = stackConfigFrom({
      ...DEFAULTS,
      link: 'packet',
      device: 'lo',
      address: '10.9.3.4',
      hostAddress: '10.9.0.1/16',
    });
    expect(config.link).toEqual({ kind: 'packet', device: 'lo', prefixLength: 16 });
    expect(config.address).toBe(parseIpv4('10.9.3.4'));
    expect(config.mtu).toBe(Math.min(readInterfaceMtu('lo') ?? 1500, 65_535));
  });

  it('packet without --device, --mac on an IP link, bad and group MACs are usage mistakes, one line each', () => {
    const cases: [StackOptionValues, RegExp][] = [
      [{ ...DEFAULTS, link: 'packet' }, /^--link packet needs --device NAME/],
      [{ ...DEFAULTS, mac: '02:00:00:00:00:01' }, /^--mac applies to --link tap or packet .*not tun$/],
      [{ ...DEFAULTS, link: 'tap', mac: '02:00:00:00:01' }, /^--mac must be six hex octets/],
      [{ ...DEFAULTS, link: 'tap', mac: '01:00:5e:00:00:01' }, /^--mac must be a unicast address/],
      [{ ...DEFAULTS, link: 'packet', device: 'bad name' }, /^--device must be a device name/],
      [{ ...DEFAULTS, link: 'tap', device: 'x'.repeat(16) }, /^--device must be a device name/],
    ];
    for (const [values, message] of cases) {
      const err = failure(() => stackConfigFrom(values, { claimedPorts: [7000] }));
      expect(err.code).toBe('EBADOPTION');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    }
  });
});

describe('--no-offload', () => {
  it('tun has offload unless --no-offload (commander sets offload false)', () => {
    const on = stackConfigFrom({ ...DEFAULTS, offload: true });
    expect(on.link.kind === 'tun' && on.link.offload).not.toBe(false);
    const off = stackConfigFrom({ ...DEFAULTS, offload: false });
    expect(off.link).toMatchObject({ kind: 'tun', offload: false });
  });
});
