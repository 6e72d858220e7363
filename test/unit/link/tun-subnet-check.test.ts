import { describe, expect, it } from 'vitest';
import type { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { parseIpAddrShow } from '../../../src/layers/link/packet/packet-interface.js';
import { checkSubnetFree } from '../../../src/layers/link/tun/tun-device.js';

// A probe started a second `pilha http --tun pilha1` in a namespace where pilha0 already had 10.77.0.1/24: it
// said it was listening, but the kernel sent 10.77.0.2's traffic to pilha0 (the first route of two equal
// ones), so the second server was unreachable without a word.
const IP_ADDR_SHOW = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '3: pilha0    inet 10.77.0.1/24 scope global pilha0\\       valid_lft forever preferred_lft forever',
  '4: eth0    inet 10.0.0.5/8 scope global eth0\\       valid_lft forever preferred_lft forever',
  '5: veth-h@if4    inet 10.88.0.1/30 scope global veth-h\\       valid_lft forever preferred_lft forever',
].join('\n');
const addresses = parseIpAddrShow(IP_ADDR_SHOW);

describe("a TUN device's subnet must be its own", () => {
  it('refuses the subnet of another interface (another pilha with the same addresses), naming it', () => {
    let error: unknown;
    try {
      checkSubnetFree('pilha1', parseIpv4('10.77.0.1'), 24, addresses);
    } catch (err) {
      error = err;
    }
    expect((error as PilhaError).code).toBe('ETUN');
    expect((error as PilhaError).message).toBe(
      "cannot use 10.77.0.1/24 on TUN device 'pilha1': pilha0 already has 10.77.0.1/24, so the kernel would send pilha's traffic there (is another pilha running?): choose another --address and --host-address",
    );
    expect(() => checkSubnetFree('pilha1', parseIpv4('10.77.0.9'), 16, addresses)).toThrowError(/pilha0/);
  });

  it('refuses a subnet inside a more specific route of another interface', () => {
    expect(() => checkSubnetFree('t1', parseIpv4('10.88.0.2'), 24, addresses)).toThrowError(
      /veth-h already has 10\.88\.0\.1\/30/,
    );
  });

  it('accepts a subnet more specific than another interface (longest prefix wins) or apart from all', () => {
    expect(() => checkSubnetFree('t1', parseIpv4('10.99.0.1'), 24, addresses)).not.toThrow(); // inside eth0's /8
    expect(() => checkSubnetFree('t1', parseIpv4('192.168.7.1'), 24, addresses)).not.toThrow();
    expect(() => checkSubnetFree('pilha0', parseIpv4('10.77.0.1'), 24, addresses)).not.toThrow(); // its own
  });
});
