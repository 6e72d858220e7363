import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import type { HttpApp } from '../app/http-app.js';
import { PilhaError } from '../core/errors.js';
import { formatIpv4, parseIpv4 } from '../core/ipv4-address.js';
import type { StackConfig } from '../di/stack-config.js';
import { integerOption } from './number-options.js';
import { addReadyFileOption, ReadyFile, type ReadyFileValues } from './ready-file.js';
import { printStats, untilSignal } from './run-helpers.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

interface HttpValues extends StackOptionValues, ReadyFileValues {
  readonly port: string;
  readonly root?: string;
  readonly transport: string;
  readonly listenHost: string;
}

/** How long the shutdown may take before the process leaves anyway. */
const SHUTDOWN_GRACE_MS = 3000;

/** `pilha http`: the stage-2 demo, node:http over pilha's TCP on a TUN device (or over the kernel's TCP). */
export function registerHttpCommand(program: Command): void {
  addReadyFileOption(addStackOptions(program.command('http')))
    .description(
      "serve HTTP (node:http) over pilha's TCP on a TUN device: the 12 MB page at /, N pseudo-random bytes at /bytes/N",
    )
    .option('-p, --port <port>', 'TCP port to listen on', '7000')
    .option('--root <dir>', 'serve the files of this directory instead of / and /bytes/N')
    .option(
      '--transport <name>',
      "pilha (pilha's TCP on the TUN device) or kernel (node:net, for comparison)",
      'pilha',
    )
    .option('--listen-host <ip>', 'with --transport kernel: the address to listen on', '127.0.0.1')
    .action(async (values: HttpValues) => {
      const transportName = values.transport;
      if (transportName !== 'pilha' && transportName !== 'kernel') {
        throw new PilhaError('EBADOPTION', `--transport must be 'pilha' or 'kernel', got '${transportName}'`);
      }
      const port = integerOption(values.port, '--port', transportName === 'kernel' ? 0 : 1, 65_535);
      const listenHost = formatIpv4(parseIpv4(values.listenHost));
      const config = withAppInfo(stackConfigFrom(values, { claimedPorts: [port] }), values);
      const readyFile = await ReadyFile.prepare(values.readyFile);

      // Loaded once the options are checked: a usage mistake is answered without the stack.
      const { buildHttpStack } = await import('../di/compositions.js');
      const http = await buildHttpStack(config, {
        transport: transportName,
        app: {
          ...(values.root !== undefined ? { root: values.root } : {}),
          // One line per connection where the logs are pretty (a terminal); the full record for machines.
          connectionLog: process.stderr.isTTY ? 'line' : 'full',
        },
      });
      const stack = http.tcpStack;
      const app = http.app;
      let server: Awaited<ReturnType<HttpApp['listen']>>;
      try {
        server = await app.listen(http.transport, port, transportName === 'kernel' ? listenHost : undefined);
      } catch (err) {
        await http.close();
        throw err;
      }

      const address = transportName === 'kernel' ? listenHost : formatIpv4(config.address);
      const url = `http://${address}:${server.port}/`;
      const what =
        values.root !== undefined
          ? `the files of ${values.root}`
          : 'the 12 MB page at /, N bytes at /bytes/N';
      const via =
        transportName === 'kernel'
          ? "node:http on the kernel's TCP"
          : `pilha's TCP on ${describeTun(config)}`;
      process.stdout.write(`pilha http: listening on ${url} (${via}); serving ${what}\n`);
      process.stdout.write(`${wgetHint(url, transportName === 'pilha')}\n`);
      // Listening for the signal before saying ready: a script that stops pilha as soon as it is ready
      // still gets the totals.
      const stopped = untilSignal();
      await readyFile.ready(`pilha http: listening on ${url}`);

      const signal = await stopped;
      await readyFile.remove();
      const exitAnyway = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
      exitAnyway.unref();
      process.stdout.write(`\npilha http: ${signal}, stopping\n`);
      // Every connection closed and logged first: the totals then add up the connection log exactly.
      await app.close();
      process.stdout.write(`totals ${JSON.stringify(app.totals())}\n`);
      if (stack !== undefined) {
        printStats(stack);
        process.stdout.write(`tcp ${JSON.stringify(stack.tcp.stats())}\n`);
      }
      await http.close();
      process.exitCode = 0;
    });
}

/** Connection summaries are logged at info on the 'app' layer: on by default unless --log/PILHA_LOG says. */
function withAppInfo(config: StackConfig, values: StackOptionValues): StackConfig {
  if ((values.log ?? process.env.PILHA_LOG) !== undefined) return config;
  return { ...config, log: { ...config.log, layers: { app: 'info', ...config.log.layers } } };
}

function describeTun(config: StackConfig): string {
  if (config.link.kind !== 'tun') return 'the configured link';
  const { name, hostAddress, prefixLength } = config.link;
  return `${name}, kernel side ${formatIpv4(hostAddress)}/${prefixLength}, MTU ${config.mtu}`;
}

/** Where to point wget; for pilha, in the network namespace that holds the TUN device. */
function wgetHint(url: string, onTun: boolean): string {
  if (!onTun) {
    const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:');
    return `try: wget -O /dev/null ${reachable}bytes/104857600   (or curl ${reachable})`;
  }
  const namespace = currentNamespace();
  if (namespace !== undefined) {
    return `try: ip netns exec ${namespace} wget -O /dev/null ${url}   (the TUN device is in namespace ${namespace})`;
  }
  return (
    `try: wget -O /dev/null ${url}   (from this network namespace, which holds the TUN device)\n` +
    'hint: to keep the demo off your real network, run both in a namespace of their own: ' +
    'ip netns add pilha-demo; ip netns exec pilha-demo pilha http; ip netns exec pilha-demo wget ...'
  );
}

/** The name `ip netns` knows this process's network namespace by, if any. */
function currentNamespace(): string | undefined {
  try {
    const name = execFileSync('ip', ['netns', 'identify', String(process.pid)], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}
