import { describe, expect, it } from 'vitest';
import {
  BROADCAST_MAC,
  formatMac,
  isGroupMac,
  localMacFrom,
  macOctet,
  parseMac,
  readMac,
  writeMac,
} from '../../../src/core/mac-address.js';

describe('MacAddress', () => {
  it('parses and formats six colon-separated hex octets, and refuses anything else', () => {
    expect(parseMac('02:00:5E:10:00:01')).toBe(0x02005e100001);
    expect(formatMac(0x02005e100001)).toBe('02:00:5e:10:00:01');
    expect(formatMac(BROADCAST_MAC)).toBe('ff:ff:ff:ff:ff:ff');
    for (const bad of [
      '02:00:5e:10:00',
      '02-00-5e-10-00-01',
      '02:00:5e:10:00:01:02',
      'g2:00:5e:10:00:01',
      '',
    ])
      expect(() => parseMac(bad)).toThrow(/not a MAC address/);
  });

  it('reads and writes wire order, every octet', () => {
    const bytes = new Uint8Array(8);
    writeMac(bytes, 1, 0xfedcba987654);
    expect([...bytes]).toEqual([0, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0]);
    expect(readMac(bytes, 1)).toBe(0xfedcba987654);
    expect([0, 1, 2, 3, 4, 5].map((i) => macOctet(0xfedcba987654, i))).toEqual([
      0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
    ]);
  });

  it('tells group addresses, and makes locally administered unicast ones', () => {
    expect(isGroupMac(BROADCAST_MAC)).toBe(true);
    expect(isGroupMac(parseMac('01:00:5e:00:00:01'))).toBe(true);
    expect(isGroupMac(parseMac('02:00:00:00:00:01'))).toBe(false);
    const mac = localMacFrom(Uint8Array.from([0xff, 1, 2, 3, 4, 5, 6]));
    expect(formatMac(mac)).toBe('fe:01:02:03:04:05');
    expect(isGroupMac(mac)).toBe(false);
  });
});
