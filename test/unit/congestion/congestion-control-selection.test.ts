import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StackOptionValues, stackConfigFrom } from '../../../src/cli/stack-options.js';
import { PilhaError } from '../../../src/core/errors.js';
import { formatIpv4 } from '../../../src/core/ipv4-address.js';
import {
  CONGESTION_CONTROL_NAMES,
  congestionControllerFactoryFor,
} from '../../../src/transport/congestion/congestion-control-by-name.js';
import { NewRenoCongestionControllerFactory } from '../../../src/transport/congestion/newreno-congestion-controller.js';
import { RenoCongestionController } from '../../../src/transport/congestion/reno-congestion-controller.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { DEFAULT_TCP_CONFIG, resolveTcpConfig } from '../../../src/transport/tcp/tcp-config.js';
import { PILHA_CLI } from '../../helpers/netns.js';
import { runProgram } from '../../helpers/run-node.js';
import { ADDRESS_B, drive, type TwoTcpStacksOptions, twoTcpStacks } from '../../helpers/tcp-stacks.js';

const MSS = 1000;

describe('Reno and NewReno', () => {
  it('differ only in how recovery ends: plain Reno ignores partial ACKs (its connection exits on them)', () => {
    const reno = new RenoCongestionController(MSS, 'reno');
    const newReno = new NewRenoCongestionControllerFactory().create(MSS);
    expect([reno.name, reno.exitsRecoveryOnPartialAck]).toEqual(['reno', true]);
    expect([newReno.name, newReno.exitsRecoveryOnPartialAck]).toEqual(['newreno', false]);
    for (const cc of [reno, newReno]) {
      cc.onFastRetransmit(20 * MSS);
      expect(cc.cwnd).toBe(13 * MSS); // ssthresh 10·SMSS + 3
    }
    reno.onPartialAck(4 * MSS);
    newReno.onPartialAck(4 * MSS);
    expect(reno.cwnd).toBe(13 * MSS);
    expect(newReno.cwnd).toBe(10 * MSS); // RFC 6582: −4 + 1
    for (const cc of [reno, newReno]) {
      cc.onRecoveryExit();
      expect(cc.cwnd).toBe(10 * MSS);
    }
  });
});

describe('choosing the algorithm', () => {
  it('has a factory for every name', () => {
    expect(CONGESTION_CONTROL_NAMES).toEqual(['cubic', 'newreno', 'reno']);
    for (const name of CONGESTION_CONTROL_NAMES) {
      expect(congestionControllerFactoryFor(name).create(1460).name).toBe(name);
    }
  });

  it('TcpConfig: CUBIC by default, like Linux; an unknown name is a readable EBADOPTION', () => {
    expect(DEFAULT_TCP_CONFIG.congestionControl).toBe('cubic');
    expect(resolveTcpConfig({ congestionControl: 'reno' }).congestionControl).toBe('reno');
    const bad = { congestionControl: 'bbr' } as unknown as Parameters<typeof resolveTcpConfig>[0];
    expect(() => resolveTcpConfig(bad)).toThrow(
      /congestionControl must be one of cubic, newreno, reno, got 'bbr'/,
    );
  });

  const OPTIONS: StackOptionValues = { tun: 'pilha0', hostAddress: '10.77.0.1/24', reassemblyTimeout: '30' };

  it('--cc sets StackConfig.tcp.congestionControl; absent, the TCP default stands', () => {
    expect(stackConfigFrom(OPTIONS).tcp).toBeUndefined();
    expect(stackConfigFrom({ ...OPTIONS, cc: 'newreno' }).tcp).toEqual({ congestionControl: 'newreno' });
    expect(stackConfigFrom({ ...OPTIONS, sack: false }).tcp).toEqual({ sack: false });
    expect(stackConfigFrom({ ...OPTIONS, sack: true }).tcp).toBeUndefined();
    expect(stackConfigFrom({ ...OPTIONS, cc: 'reno', sack: false }).tcp).toEqual({
      congestionControl: 'reno',
      sack: false,
    });
    let error: unknown;
    try {
      stackConfigFrom({ ...OPTIONS, cc: 'Cubic' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PilhaError);
    expect((error as PilhaError).code).toBe('EBADOPTION');
    expect((error as PilhaError).message).toBe("--cc must be one of cubic, newreno, reno, got 'Cubic'");
  });

  async function connectionCc(options: TwoTcpStacksOptions): Promise<[string, string]> {
    const { clock, a, b, close } = await twoTcpStacks(options);
    let accepted: TcpSocket | undefined;
    const server = b.transport.createServer((socket) => {
      accepted = socket;
    });
    await server.listen(7100);
    const socket = a.transport.createConnection(7100, formatIpv4(ADDRESS_B));
    await drive(clock, () => accepted !== undefined && socket.stats().state === 'ESTABLISHED');
    const names: [string, string] = [socket.stats().congestionControl, accepted!.stats().congestionControl];
    socket.destroy();
    accepted!.destroy();
    await close();
    return names;
  }

  it('the container builds connections with the configured algorithm; stats name it', async () => {
    expect(await connectionCc({})).toEqual(['cubic', 'cubic']);
    expect(await connectionCc({ tcp: { congestionControl: 'reno' } })).toEqual(['reno', 'reno']);
  });

  it("StackOverrides' congestionControllerFactory wins over the configuration", async () => {
    const names = await connectionCc({
      tcp: { congestionControl: 'reno' },
      congestionA: congestionControllerFactoryFor('newreno'),
    });
    expect(names).toEqual(['newreno', 'reno']);
  });
});

describe.skipIf(!existsSync(PILHA_CLI))('--cc on the command line', () => {
  it.each([
    ['http', '--cc', 'bbr'],
    ['get', 'http://10.77.0.1/', '--cc', 'vegas'],
    ['framed', 'serve', '--cc', ''],
    ['framed', 'send', '--to', '10.77.0.2:7000', '-m', 'hi', '--cc', 'RENO'],
  ])('pilha %s ... is a usage error: one line, exit code 2', async (...args) => {
    const r = await runProgram(process.execPath, [PILHA_CLI, ...args], {
      cwd: process.cwd(),
      timeoutMs: 10_000,
    });
    expect(r.stderr).toMatch(/^pilha: --cc must be one of cubic, newreno, reno, got '.*'\n$/);
    expect(r.code).toBe(2);
  });

  it('is listed in the help of every command that runs TCP', async () => {
    for (const args of [['http'], ['get'], ['framed', 'serve'], ['framed', 'send']]) {
      const r = await runProgram(process.execPath, [PILHA_CLI, ...args, '--help'], { cwd: process.cwd() });
      expect(r.stdout).toMatch(/--cc <name>\s+TCP congestion control: cubic, newreno, reno/);
    }
  });
});
