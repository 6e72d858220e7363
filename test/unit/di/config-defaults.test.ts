import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { stackConfig } from '../../../src/di/config-defaults.js';
import {
  DEFAULT_MTU,
  DEFAULT_REASSEMBLY_MAX_BYTES,
  DEFAULT_REASSEMBLY_TIMEOUT_MS,
} from '../../../src/di/stack-config.js';

describe('stackConfig', () => {
  it('fills in every default around an address in dotted form', () => {
    expect(stackConfig({ address: '10.9.0.1' })).toEqual({
      link: { kind: 'provided' },
      mtu: DEFAULT_MTU,
      address: parseIpv4('10.9.0.1'),
      reassemblyTimeoutMs: DEFAULT_REASSEMBLY_TIMEOUT_MS,
      reassemblyMaxBytes: DEFAULT_REASSEMBLY_MAX_BYTES,
      log: { defaultLevel: 'silent', layers: {} },
    });
  });

  it('keeps what the caller gives: a numeric address, a log spec in text, an MTU, TCP settings', () => {
    const config = stackConfig({
      address: 0x0a090002,
      log: 'warn,tcp=debug',
      mtu: 9000,
      tcp: { timeWaitMs: 0 },
    });
    expect(config.address).toBe(0x0a090002);
    expect(config.log).toEqual({ defaultLevel: 'warn', layers: { tcp: 'debug' } });
    expect(config.mtu).toBe(9000);
    expect(config.tcp).toEqual({ timeWaitMs: 0 });
  });

  it('refuses a malformed address or log level as pilha does everywhere', () => {
    expect(() => stackConfig({ address: '10.9.0' })).toThrow(PilhaError);
    expect(() => stackConfig({ address: '10.9.0.1', log: 'loud' })).toThrow(/unknown log level 'loud'/);
  });
});
