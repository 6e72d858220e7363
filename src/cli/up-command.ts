import type { Command } from 'commander';
import { formatIpv4 } from '../core/ipv4-address.js';
import { addDashboardOption, CliDashboard, type DashboardOptionValues } from './dashboard-option.js';
import { addReadyFileOption, ReadyFile, type ReadyFileValues } from './files/ready-file.js';
import {
  countersOnSignal,
  describeLink,
  exitCodeFor,
  holdStopSignals,
  layerStats,
  printStats,
  untilStopped,
} from './run-helpers.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

/** `pilha up`: the stack on a TUN device, answering pings until interrupted. */
export function registerUpCommand(program: Command): void {
  addDashboardOption(addReadyFileOption(addStackOptions(program.command('up'))))
    .description('bring the stack up (TUN, TAP or AF_PACKET link) and answer pings until interrupted')
    .action(async (values: StackOptionValues & ReadyFileValues & DashboardOptionValues) => {
      const config = stackConfigFrom(values);
      const dashboard = await CliDashboard.fromOptions(values);
      const readyFile = await ReadyFile.prepare(values.readyFile);
      // Loaded once the options are checked: a usage mistake is answered without the stack.
      const [{ buildNetworkStack }, { describeReassembly }] = await Promise.all([
        import('../di/compositions.js'),
        import('../layers/ip/reassembler.js'),
      ]);
      // A signal while the stack is built stops it once it is up (what it changed on the host put back).
      holdStopSignals();
      const stack = await buildNetworkStack(config);
      try {
        await dashboard?.start(
          { title: `pilha up ${formatIpv4(config.address)}`, network: stack },
          'pilha up',
        );
      } catch (err) {
        await dashboard?.close();
        await stack.close();
        throw err;
      }
      stack.ip.onReassembled((info) => {
        process.stdout.write(`reassembled ${JSON.stringify(describeReassembly(info))}\n`);
      });
      const tun = config.link.kind === 'tun' ? config.link : undefined;
      const where =
        tun !== undefined
          ? `${tun.name} (kernel side ${formatIpv4(tun.hostAddress)}/${tun.prefixLength}, MTU ${config.mtu})`
          : describeLink(config);
      process.stdout.write(
        `pilha up: ${formatIpv4(config.address)} on ${where}; try: ping -s 20000 ${formatIpv4(config.address)}\n`,
      );
      // Before saying ready, so that an immediate SIGINT still prints stats.
      const stopped = untilStopped(stack.link);
      const stopReports = countersOnSignal(process.stdout, () => ({ stats: layerStats(stack) }));
      await readyFile.ready(`pilha up: ${formatIpv4(config.address)}`);
      const why = await stopped;
      stopReports();
      await readyFile.remove();
      const exitCode = exitCodeFor('pilha up', why);
      printStats(stack);
      await dashboard?.close();
      await stack.close();
      process.exitCode = exitCode;
    });
}
