/**
 * `--no-hystart` and `--min-rto MS`: stack options of every command that runs TCP. Parsed into
 * StackConfig.tcp (hystart, minRtoMs); a bad --min-rto is one readable line and exit code 2; the RTO floor
 * they set holds in a connection's stats.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StackOptionValues, stackConfigFrom } from '../../../src/cli/stack-options.js';
import { PilhaError } from '../../../src/core/errors.js';
import { formatIpv4 } from '../../../src/core/ipv4-address.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { DEFAULT_TCP_CONFIG } from '../../../src/transport/tcp/tcp-config.js';
import { PILHA_CLI } from '../../helpers/netns.js';
import { runProgram } from '../../helpers/run-node.js';
import { ADDRESS_B, drive, twoTcpStacks, writeAll } from '../../helpers/tcp-stacks.js';

const OPTIONS: StackOptionValues = { tun: 'pilha0', hostAddress: '10.77.0.1/24', reassemblyTimeout: '30' };

function usageError(values: StackOptionValues): string {
  try {
    stackConfigFrom(values);
  } catch (err) {
    expect(err).toBeInstanceOf(PilhaError);
    expect((err as PilhaError).code).toBe('EBADOPTION');
    return (err as PilhaError).message;
  }
  throw new Error('no error');
}

describe('--no-hystart and --min-rto as stack options', () => {
  it('defaults: HyStart++ on, RTO floor 200 ms (Linux TCP_RTO_MIN); absent options leave TcpConfig alone', () => {
    expect(DEFAULT_TCP_CONFIG.hystart).toBe(true);
    expect(DEFAULT_TCP_CONFIG.minRtoMs).toBe(200);
    expect(stackConfigFrom(OPTIONS).tcp).toBeUndefined();
    expect(stackConfigFrom({ ...OPTIONS, hystart: true }).tcp).toBeUndefined();
  });

  it('--no-hystart sets tcp.hystart false; --min-rto sets tcp.minRtoMs', () => {
    expect(stackConfigFrom({ ...OPTIONS, hystart: false }).tcp).toEqual({ hystart: false });
    expect(stackConfigFrom({ ...OPTIONS, minRto: '5' }).tcp).toEqual({ minRtoMs: 5 });
    expect(stackConfigFrom({ ...OPTIONS, minRto: '60000' }).tcp).toEqual({ minRtoMs: 60_000 });
    expect(stackConfigFrom({ ...OPTIONS, cc: 'reno', hystart: false, minRto: '1' }).tcp).toEqual({
      congestionControl: 'reno',
      hystart: false,
      minRtoMs: 1,
    });
  });

  it.each(['0', '-5', '60001', '1.5', '1e3', '0x10', 'fast', ''])('--min-rto %j is a usage error', (text) => {
    expect(usageError({ ...OPTIONS, minRto: text })).toBe(
      `--min-rto must be an integer from 1 to 60000, got '${text}'`,
    );
  });
});

describe('--silence-probes', () => {
  it('sets tcp.silenceProbes (default 3; 0 leaves an ACK silence to the RTO, as RFC 8985)', () => {
    expect(DEFAULT_TCP_CONFIG.silenceProbes).toBe(3);
    expect(stackConfigFrom({ ...OPTIONS, silenceProbes: '0' }).tcp).toEqual({ silenceProbes: 0 });
    expect(stackConfigFrom({ ...OPTIONS, silenceProbes: '10' }).tcp).toEqual({ silenceProbes: 10 });
  });

  it.each(['-1', '11', '1.5', 'many', ''])('--silence-probes %j is a usage error', (text) => {
    expect(usageError({ ...OPTIONS, silenceProbes: text })).toBe(
      `--silence-probes must be an integer from 0 to 10, got '${text}'`,
    );
  });
});

describe('the RTO floor takes effect', () => {
  /** RTO after 256 KiB over a zero-delay link (RTT samples near 0 ms: RFC 6298's RTO falls to the floor). */
  async function rtoAfterTransfer(minRtoMs: number | undefined): Promise<number> {
    const stacks = await twoTcpStacks(minRtoMs === undefined ? {} : { tcp: { minRtoMs } });
    const { clock, a, b } = stacks;
    let received = 0;
    const server = b.transport.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
    });
    await server.listen(7200);
    const socket: TcpSocket = a.transport.createConnection(7200, formatIpv4(ADDRESS_B));
    writeAll(socket, new Uint8Array(256 * 1024), 16 * 1024);
    await drive(clock, () => received === 256 * 1024 && socket.stats().bytesInFlight === 0);
    const { rto, srtt } = socket.stats();
    expect(srtt).toBeLessThan(1);
    socket.destroy();
    await stacks.close();
    return rto;
  }

  it('stats().rto is the floor set (5 ms, 37 ms), and 200 ms by default', async () => {
    expect(await rtoAfterTransfer(5)).toBe(5);
    expect(await rtoAfterTransfer(37)).toBe(37);
    expect(await rtoAfterTransfer(undefined)).toBe(200);
  });
});

describe.skipIf(!existsSync(PILHA_CLI))('--no-hystart and --min-rto on the command line', () => {
  it.each([
    ['http', '--min-rto', '0'],
    ['get', 'http://10.77.0.1/', '--min-rto', '70000'],
    ['framed', 'serve', '--min-rto', '2.5'],
    ['framed', 'send', '--to', '10.77.0.2:7000', '-m', 'hi', '--min-rto', 'x'],
  ])('pilha %s ... with a bad --min-rto is a usage error: one line, exit code 2', async (...args) => {
    const r = await runProgram(process.execPath, [PILHA_CLI, ...args], {
      cwd: process.cwd(),
      timeoutMs: 10_000,
    });
    expect(r.stderr).toMatch(/^pilha: --min-rto must be an integer from 1 to 60000, got '.*'\n$/);
    expect(r.code).toBe(2);
  });

  it('both are listed in the help of every command that runs TCP', async () => {
    for (const args of [['http'], ['get'], ['framed', 'serve'], ['framed', 'send']]) {
      const r = await runProgram(process.execPath, [PILHA_CLI, ...args, '--help'], { cwd: process.cwd() });
      expect(r.stdout).toMatch(/--no-hystart\s+TCP slow start without HyStart\+\+/);
      expect(r.stdout).toMatch(/--min-rto <ms>\s+TCP's least retransmission timeout, in ms/);
    }
  });
});
