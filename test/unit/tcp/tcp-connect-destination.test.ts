import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { TcpHarness } from './tcp-harness.js';

// RFC 1122 §4.2.3.10: an OPEN for an invalid remote address (broadcast, multicast) MUST be rejected as an
// error. A probe found `pilha get http://224.0.0.1/` (and 0.0.0.0, the subnet's broadcast) sending SYNs to it
// until the connect timeout.
describe('active open to an address that is not a unicast peer', () => {
  const refused: Array<[string, string]> = [
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['10.0.0.255', 'broadcast'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.2', 'own address'],
  ];
  for (const [address, what] of refused) {
    it(`${address} (${what}): throws EBADADDR and sends nothing`, () => {
      const h = new TcpHarness({ prefixLength: 24 });
      let error: unknown;
      try {
        h.tcp.connect(parseIpv4(address), 80);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PilhaError);
      expect((error as PilhaError).code).toBe('EBADADDR');
      expect((error as PilhaError).message).toContain(address);
      h.recvNothing();
      expect(h.tcp.connections().length).toBe(0);
      expect(h.tcp.stats().activeOpens).toBe(0);
    });
  }

  it('a unicast peer on the subnet, or beyond it, is connected to', () => {
    const h = new TcpHarness({ prefixLength: 24 });
    h.tcp.connect(parseIpv4('10.0.0.1'), 80);
    h.tcp.connect(parseIpv4('192.0.2.7'), 80);
    expect(h.recvAll().length).toBe(2);
  });

  it('without a known prefix, the last address of what would be a /24 is an ordinary peer', () => {
    const h = new TcpHarness();
    h.tcp.connect(parseIpv4('10.0.0.255'), 80);
    expect(h.recvAll().length).toBe(1);
  });
});
