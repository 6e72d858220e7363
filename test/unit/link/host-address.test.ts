import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import {
  conflictingListener,
  findLocalInterface,
  parseKernelListeners,
} from '../../../src/layers/link/raw-socket/host-address.js';

// Lines as a little-endian Linux prints them (addresses are in-memory words in hex).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 0100007F:1B59 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000
   2: 00000000000000000000000001000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000
`;

describe('parseKernelListeners', () => {
  it('reads listening IPv4 sockets, skipping the header and other states', () => {
    expect(parseKernelListeners(TCP, 4, true)).toEqual([
      { address: '127.0.0.1', port: 7000, family: 4 },
      { address: '0.0.0.0', port: 22, family: 4 },
    ]);
  });

  it('reads IPv6 wildcard, v4-mapped and other listeners', () => {
    expect(parseKernelListeners(TCP6, 6, true)).toEqual([
      { address: '::', port: 8080, family: 6 },
      { address: '::ffff:127.0.0.1', port: 8081, family: 6 },
      { address: '0:0:0:0:0:0:0:1', port: 8082, family: 6 },
    ]);
  });

  it('reads a big-endian host words as they are', () => {
    expect(parseKernelListeners('   0: 7F000001:1B58 00000000:0000 0A', 4, false)).toEqual([
      { address: '127.0.0.1', port: 7000, family: 4 },
    ]);
  });

  it('gives nothing for an empty or garbled table', () => {
    expect(parseKernelListeners('', 4)).toEqual([]);
    expect(parseKernelListeners('   0: zz 0A\nnonsense', 4)).toEqual([]);
  });
});

describe('conflictingListener', () => {
  const listeners = [...parseKernelListeners(TCP, 4, true), ...parseKernelListeners(TCP6, 6, true)];
  const localhost = parseIpv4('127.0.0.1');

  it('finds a listener on the address, on 0.0.0.0, on :: and on the v4-mapped address', () => {
    expect(conflictingListener(localhost, 7000, listeners)?.address).toBe('127.0.0.1');
    expect(conflictingListener(localhost, 22, listeners)?.address).toBe('0.0.0.0');
    expect(conflictingListener(localhost, 8080, listeners)?.address).toBe('::');
    expect(conflictingListener(localhost, 8081, listeners)?.address).toBe('::ffff:127.0.0.1');
  });

  it('leaves other ports, other addresses and IPv6-only addresses alone', () => {
    expect(conflictingListener(localhost, 7001, listeners)).toBeUndefined();
    expect(conflictingListener(localhost, 8082, listeners)).toBeUndefined();
    expect(conflictingListener(parseIpv4('127.0.0.2'), 7000, listeners)).toBeUndefined();
    // A connected socket on 7001 (state 01) is not a listener.
    expect(conflictingListener(localhost, 7001, listeners)).toBeUndefined();
  });
});

describe('findLocalInterface', () => {
  const v4 = (address: string) => ({
    address,
    netmask: '255.0.0.0',
    family: 'IPv4' as const,
    mac: '00:00:00:00:00:00',
    internal: true,
    cidr: `${address}/8`,
  });
  const interfaces = { lo: [v4('127.0.0.1')], veth0: [v4('10.9.0.1')] };

  it('names the interface that has the address', () => {
    expect(findLocalInterface(parseIpv4('127.0.0.1'), interfaces)).toEqual({ name: 'lo' });
    expect(findLocalInterface(parseIpv4('10.9.0.1'), interfaces)).toEqual({ name: 'veth0' });
  });

  it('finds none for an address the host does not have', () => {
    expect(findLocalInterface(parseIpv4('127.0.0.2'), interfaces)).toBeUndefined();
    expect(findLocalInterface(parseIpv4('10.9.0.2'), interfaces)).toBeUndefined();
  });
});
