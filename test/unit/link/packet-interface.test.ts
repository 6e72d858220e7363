import { describe, expect, it } from 'vitest';
import type { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { htons, SOCKADDR_LL_SIZE, sockaddrLl } from '../../../src/layers/link/fd/libc.js';
import {
  checkAddressNotLocal,
  packetSocketSegments,
  parseEthtoolFeatures,
  parseIpAddrShow,
  parseRemotePeer,
  parseVethPeer,
  segmentsWith,
} from '../../../src/layers/link/packet/packet-interface.js';

const IP_ADDR_SHOW = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '5: veth-host@if4    inet 10.78.0.1/24 scope global veth-host\\       valid_lft forever preferred_lft forever',
  '7: pw0    inet 10.205.0.2/24 scope global pw0\\       valid_lft forever preferred_lft forever',
].join('\n');

describe('PacketLink start checks', () => {
  it('reads every IPv4 address of `ip -o -4 addr show`, peer suffix stripped', () => {
    expect(parseIpAddrShow(IP_ADDR_SHOW)).toEqual([
      { name: 'lo', address: '127.0.0.1', prefixLength: 8 },
      { name: 'veth-host', address: '10.78.0.1', prefixLength: 24 },
      { name: 'pw0', address: '10.205.0.2', prefixLength: 24 },
    ]);
  });

  it("refuses pilha's address on the device itself or on another interface, naming where", () => {
    const addresses = parseIpAddrShow(IP_ADDR_SHOW);
    expect(() => checkAddressNotLocal(parseIpv4('10.205.0.2'), 'pw0', addresses)).toThrowError(
      /^pilha's address 10\.205\.0\.2 is configured on the device pw0 itself/,
    );
    expect(() => checkAddressNotLocal(parseIpv4('10.78.0.1'), 'veth-pilha', addresses)).toThrowError(
      /on interface veth-host, so the kernel would answer for it too/,
    );
    expect(() => checkAddressNotLocal(parseIpv4('10.78.0.2'), 'veth-pilha', addresses)).not.toThrow();
    try {
      checkAddressNotLocal(parseIpv4('127.0.0.1'), 'x', addresses);
    } catch (err) {
      expect((err as PilhaError).code).toBe('ERAWLINK');
    }
  });

  it('builds sockaddr_ll with the protocol in network byte order and the index in host order', () => {
    const addr = sockaddrLl(7, 0x0003);
    expect(addr.length).toBe(SOCKADDR_LL_SIZE);
    const view = new DataView(addr.buffer);
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    expect(view.getUint16(0, le)).toBe(17); // AF_PACKET
    expect([addr[2], addr[3]]).toEqual([0x00, 0x03]); // ETH_P_ALL, big-endian on the wire
    expect(view.getInt32(4, le)).toBe(7);
    expect(htons(0x0003)).toBe(le ? 0x0300 : 0x0003);
  });
});

describe('localVethPeer', () => {
  it('names the peer in this namespace, not one elsewhere (@ifN) nor a plain interface', () => {
    expect(parseVethPeer('4: veth-pilha@veth-host: <BROADCAST,MULTICAST,UP> mtu 1500', 'veth-pilha')).toBe(
      'veth-host',
    );
    expect(parseVethPeer('4: veth-pilha@if5: <BROADCAST> mtu 1500 ... link-netns x', 'veth-pilha')).toBe(
      undefined,
    );
    expect(parseVethPeer('2: eth0: <BROADCAST> mtu 1500', 'eth0')).toBe(undefined);
    expect(parseRemotePeer('4: veth-pilha@if5: <BROADCAST> mtu 1500', 'veth-pilha')).toBe(true);
    expect(parseRemotePeer('4: veth-pilha@veth-host: <BROADCAST> mtu 1500', 'veth-pilha')).toBe(false);
    expect(parseRemotePeer('2: eth0: <BROADCAST> mtu 1500', 'eth0')).toBe(false);
  });
});

describe('parseEthtoolFeatures', () => {
  it('reads each top-level feature, on or off, fixed or not, and no sub-feature', () => {
    const text = [
      'Features for veth-host:',
      'rx-checksumming: on',
      'tx-checksumming: on',
      '\ttx-checksum-ipv4: off [fixed]',
      '\ttx-checksum-ip-generic: on',
      'tcp-segmentation-offload: on',
      '\ttx-tcp-segmentation: on',
      'generic-segmentation-offload: on',
      'generic-receive-offload: off',
      'large-receive-offload: off [fixed]',
      'scatter-gather: on [fixed]',
      'rx-vlan-offload: on [requested off]',
      '',
    ].join('\n');
    const features = parseEthtoolFeatures(text);
    expect(Object.fromEntries(features)).toEqual({
      'rx-checksumming': { on: true, fixed: false },
      'tx-checksumming': { on: true, fixed: false },
      'tcp-segmentation-offload': { on: true, fixed: false },
      'generic-segmentation-offload': { on: true, fixed: false },
      'generic-receive-offload': { on: false, fixed: false },
      'large-receive-offload': { on: false, fixed: true },
      'scatter-gather': { on: true, fixed: true },
      'rx-vlan-offload': { on: true, fixed: false },
    });
  });
});

describe('segmentsWith', () => {
  it('sends super-frames only with TSO, transmit checksumming and scatter-gather all on (fixed or not)', () => {
    const features = (tso: string, tx: string, sg: string) =>
      parseEthtoolFeatures(
        [
          'Features for veth-host:',
          `tx-checksumming: ${tx}`,
          `scatter-gather: ${sg}`,
          `tcp-segmentation-offload: ${tso}`,
          'generic-segmentation-offload: on',
          '',
        ].join('\n'),
      );
    expect(segmentsWith(features('on', 'on', 'on [fixed]'))).toBe(true);
    // Either of these off and the kernel cuts in software, whatever TSO says.
    expect(segmentsWith(features('on', 'off', 'on'))).toBe(false);
    expect(segmentsWith(features('on', 'on', 'off'))).toBe(false);
    expect(segmentsWith(features('off', 'on', 'on'))).toBe(false);
    // What ethtool does not list is not held against it.
    expect(segmentsWith(new Map())).toBe(true);
  });
});

describe('packetSocketSegments', () => {
  it('takes super-frames on a packet socket from Linux 5.10 on', () => {
    for (const r of ['6.18.44-fc-v1272', '6.1.0-18-amd64', '5.10.0-28-amd64', '5.15.0'])
      expect(packetSocketSegments(r)).toBe(true);
    for (const r of ['5.4.0-150-generic', '4.19.0-26-amd64', '3.10.0', 'not-a-release'])
      expect(packetSocketSegments(r)).toBe(false);
  });
});
