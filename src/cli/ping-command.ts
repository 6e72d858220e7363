import type { Command } from 'commander';
import type { PilhaError } from '../core/errors.js';
import { formatIpv4, parseIpv4 } from '../core/ipv4-address.js';
import { integerOption, secondsOption } from './number-options.js';
import {
  countersOnSignal,
  exitCodeFor,
  holdStopSignals,
  layerStats,
  linkFailure,
  printStats,
  untilSignal,
} from './run-helpers.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

interface PingValues extends StackOptionValues {
  readonly size: string;
  readonly count: string;
  readonly interval: string;
  readonly wait: string;
  readonly stats?: boolean;
}

/** `pilha ping ADDRESS`: the stage-3 demo, large echo requests from pilha's own IP layer. */
export function registerPingCommand(program: Command): void {
  addStackOptions(program.command('ping'))
    .description("send echo requests from pilha's IP layer and show how each reply was reassembled")
    .argument('<address>', 'address to ping (e.g. the kernel side of the TUN or TAP device)')
    .option('-s, --size <bytes>', 'ICMP data bytes per request', '56')
    .option('-c, --count <n>', 'number of requests', '4')
    .option('-i, --interval <seconds>', 'time between requests', '1')
    .option('-W, --wait <seconds>', 'how long to wait for replies after the last request', '2')
    .option('--stats', "print pilha's counters as a JSON line at the end")
    .action(async (target: string, values: PingValues) => {
      const address = parseIpv4(target);
      const size = integerOption(values.size, '--size', 0, 65_507);
      const count = integerOption(values.count, '--count', 1, 1_000_000);
      const intervalMs = secondsOption(values.interval, '--interval', 0.001, 3600);
      const waitMs = secondsOption(values.wait, '--wait', 0.001, 3600);
      const config = stackConfigFrom(values);
      // Loaded once the options are checked: a usage mistake is answered without the stack.
      const [{ formatPingError, formatPingReply, formatPingSummary }, { buildPingStack }] = await Promise.all(
        [import('../app/pinger.js'), import('../di/compositions.js')],
      );
      // A signal while the stack is built stops it once it is up (what it changed on the host put back).
      holdStopSignals();
      const stack = await buildPingStack(config);
      process.stdout.write(
        `PING ${formatIpv4(address)} from ${formatIpv4(config.address)}: ${size} data bytes (${size + 28} bytes IP, MTU ${config.mtu})\n`,
      );
      // The first stopping signal (Ctrl-C, SIGTERM, SIGHUP) ends the run with its summary, as ping(8) does (a
      // second one, with the listeners gone, ends the process at once); so does a link that fails for good
      // (its interface deleted), said in one line, with exit code 1.
      let failure: PilhaError | undefined;
      const failed = linkFailure(stack.link).then((error) => {
        failure = error;
        stack.pinger.stop();
      });
      let finish = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      void untilSignal(Promise.race([finished, failed])).then((signal) => {
        if (signal !== undefined) stack.pinger.stop();
      });
      const stopReports = countersOnSignal(process.stdout, () => ({ stats: layerStats(stack) }));
      const summary = await stack.pinger.run(
        { target: address, size, count, intervalMs, waitMs },
        (reply) => {
          process.stdout.write(`${formatPingReply(address, reply)}\n`);
        },
        (error) => {
          process.stdout.write(`${formatPingError(error)}\n`);
        },
      );
      finish();
      stopReports();
      const failedCode = failure === undefined ? 0 : exitCodeFor('pilha ping', failure);
      process.stdout.write(`\n${formatPingSummary(summary)}\n`);
      if (values.stats) printStats(stack);
      await stack.close();
      // iputils ping: 1 when no reply arrived at all, else 0 (interrupted or not).
      process.exitCode = failedCode || (summary.received === 0 ? 1 : 0);
    });
}
