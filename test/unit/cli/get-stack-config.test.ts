/**
 * `pilha get`'s stack: the shared stack options, with a receive buffer of 4 MiB (sixteen times TcpConfig's default)
 * so that a kernel sender's window is never what holds it back.
 */
import { describe, expect, it } from 'vitest';
import { getStackConfig, keepsOptimizingCompiler } from '../../../src/cli/get/get-command.js';
import { type StackOptionValues, stackConfigFrom } from '../../../src/cli/stack-options.js';
import { receivesGsoReads } from '../../../src/di/stack-config.js';
import { DEFAULT_TCP_CONFIG } from '../../../src/transport/tcp/tcp-config.js';

const OPTIONS: StackOptionValues = { tun: 'pilha0', hostAddress: '10.77.0.1/24', reassemblyTimeout: '30' };

describe('pilha get stack config', () => {
  it('takes a 4 MiB receive buffer, sixteen times the default', () => {
    expect(getStackConfig(OPTIONS).tcp).toEqual({ receiveBufferSize: 4 * 1024 * 1024 });
    expect(DEFAULT_TCP_CONFIG.receiveBufferSize).toBe(256 * 1024);
  });

  it("reads a TUN or TAP device on the main thread when its reads are GSO packets; otherwise its reader thread runs at the main thread's priority", () => {
    expect(getStackConfig(OPTIONS).link).toMatchObject({
      kind: 'tun',
      name: 'pilha0',
      readerNice: 0,
      readOnMainThread: true,
    });
    expect(getStackConfig({ ...OPTIONS, link: 'tap' }).link).toMatchObject({
      kind: 'tap',
      readerNice: 0,
      readOnMainThread: true,
    });
    for (const wireSized of [
      { ...OPTIONS, offload: false },
      { ...OPTIONS, impair: 'loss=0.01' },
      { ...OPTIONS, link: 'tap', pcap: '/tmp/x.pcap' },
    ]) {
      expect(getStackConfig(wireSized).link).toMatchObject({ readerNice: 0, readOnMainThread: false });
    }
    // A server's stack keeps the reader thread, at its default priority.
    expect(stackConfigFrom(OPTIONS).link).not.toHaveProperty('readerNice');
    expect(stackConfigFrom(OPTIONS).link).not.toHaveProperty('readOnMainThread');
  });

  it('--pmtu-expires sets how long a learned path MTU lasts; ten minutes without it', () => {
    expect(getStackConfig({ ...OPTIONS, pmtuExpires: '2.5' }).pathMtuExpiryMs).toBe(2500);
    expect(stackConfigFrom({ ...OPTIONS, pmtuExpires: '60' }).pathMtuExpiryMs).toBe(60_000);
    expect(stackConfigFrom(OPTIONS)).not.toHaveProperty('pathMtuExpiryMs');
  });

  it('keeps TurboFan only where the link may read wire-sized segments (GSO reads not assured)', () => {
    for (const gsoReads of [OPTIONS, { ...OPTIONS, link: 'tap' }]) {
      const gso = getStackConfig(gsoReads);
      expect(receivesGsoReads(gso)).toBe(true);
      expect(keepsOptimizingCompiler('pilha', gso)).toBe(false);
      // The kernel's transport compares with the default pilha path, so it runs alike.
      expect(keepsOptimizingCompiler('kernel', gso)).toBe(false);
    }
    for (const wireSized of [
      { ...OPTIONS, offload: false },
      { ...OPTIONS, impair: 'loss=0.01' },
      { ...OPTIONS, pcap: '/tmp/x.pcap' },
      { ...OPTIONS, link: 'tap', offload: false },
      { ...OPTIONS, link: 'tap', pcap: '/tmp/x.pcap' },
    ]) {
      const config = getStackConfig(wireSized);
      expect(receivesGsoReads(config)).toBe(false);
      expect(keepsOptimizingCompiler('pilha', config)).toBe(true);
      expect(keepsOptimizingCompiler('kernel', config)).toBe(false);
    }
    // A packet socket asks for GSO frames (PACKET_VNET_HDR) but reads them only while the far end sends them.
    const packet = getStackConfig({ ...OPTIONS, link: 'packet', device: 'pilha-no-such0' });
    expect(receivesGsoReads(packet)).toBe(true);
    expect(keepsOptimizingCompiler('pilha', packet)).toBe(true);
    const packetOff = getStackConfig({
      ...OPTIONS,
      link: 'packet',
      device: 'pilha-no-such0',
      offload: false,
    });
    expect(receivesGsoReads(packetOff)).toBe(false);
    expect(keepsOptimizingCompiler('pilha', packetOff)).toBe(true);
  });

  it('keeps the TCP options given', () => {
    expect(getStackConfig({ ...OPTIONS, cc: 'reno', minRto: '5' }).tcp).toEqual({
      receiveBufferSize: 4 * 1024 * 1024,
      congestionControl: 'reno',
      minRtoMs: 5,
    });
  });
});
