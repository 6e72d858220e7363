import type { Command } from 'commander';
import type { HttpApp } from '../app/http-app.js';
import { PilhaError } from '../core/errors.js';
import { formatIpv4, parseIpv4 } from '../core/ipv4-address.js';
import { addDashboardOption, CliDashboard, type DashboardOptionValues } from './dashboard-option.js';
import { addReadyFileOption, ReadyFile, type ReadyFileValues } from './files/ready-file.js';
import { integerOption } from './number-options.js';
import { clientHint, describeLink, holdStopSignals, serveUntilSignal, withAppInfo } from './run-helpers.js';
import { capYoungGeneration } from './runtime/young-generation-cap.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

interface HttpValues extends StackOptionValues, ReadyFileValues, DashboardOptionValues {
  /** Every --port given, in order; empty means the default. */
  readonly port: readonly string[];
  readonly root?: string;
  readonly transport: string;
  readonly listenHost: string;
}

/** `pilha http`: the stage-2 demo, node:http over pilha's TCP on a TUN device (or over the kernel's TCP). */
export function registerHttpCommand(program: Command): void {
  addDashboardOption(addReadyFileOption(addStackOptions(program.command('http'))))
    .description(
      "serve HTTP (node:http) over pilha's TCP on its link (TUN, TAP, AF_PACKET or raw socket): the 12 MB page at /, N pseudo-random bytes at /bytes/N",
    )
    .option(
      '-p, --port <port>',
      'TCP port to listen on (default 7000); repeat it to serve on several, one listener each',
      (value: string, previous: readonly string[]) => [...previous, value],
      [] as readonly string[],
    )
    .option('--root <dir>', 'serve the files of this directory instead of / and /bytes/N')
    .option(
      '--transport <name>',
      "pilha (pilha's TCP on its link) or kernel (node:net, for comparison)",
      'pilha',
    )
    .option('--listen-host <ip>', 'with --transport kernel: the address to listen on', '127.0.0.1')
    .action(async (values: HttpValues) => {
      const transportName = values.transport;
      if (transportName !== 'pilha' && transportName !== 'kernel') {
        throw new PilhaError('EBADOPTION', `--transport must be 'pilha' or 'kernel', got '${transportName}'`);
      }
      const ports = portsOption(values.port, transportName === 'kernel' ? 0 : 1);
      const listenHost = formatIpv4(parseIpv4(values.listenHost));
      const config = withAppInfo(stackConfigFrom(values, { claimedPorts: ports }), values);
      const dashboard = await CliDashboard.fromOptions(values);
      const readyFile = await ReadyFile.prepare(values.readyFile);
      // Before the stack is built: what loading and starting it allocates would grow it first.
      capYoungGeneration();

      // A signal while the stack is built stops it once it is up (what it changed on the host put back).
      holdStopSignals();
      // Loaded once the options are checked: a usage mistake is answered without the stack.
      const { buildHttpStack } = await import('../di/compositions.js');
      const http = await buildHttpStack(
        config,
        {
          transport: transportName,
          app: {
            ...(values.root !== undefined ? { root: values.root } : {}),
            // One line per connection where the logs are pretty (a terminal); the full record for machines.
            connectionLog: process.stderr.isTTY ? 'line' : 'full',
          },
        },
        (await dashboard?.overrides()) ?? {},
      );
      const stack = http.tcpStack;
      const app = http.app;
      // One listener per port, as several server instances would be; all listen before the ready line.
      const servers: Awaited<ReturnType<HttpApp['listen']>>[] = [];
      try {
        for (const port of ports) {
          servers.push(
            await app.listen(http.transport, port, transportName === 'kernel' ? listenHost : undefined),
          );
        }
        await dashboard?.start(
          { title: `pilha http ${ports.join(', ')}`, network: stack, tcp: stack?.tcp, app },
          'pilha http',
        );
      } catch (err) {
        await dashboard?.close();
        await app.close();
        await http.close();
        throw err;
      }

      const address = transportName === 'kernel' ? listenHost : formatIpv4(config.address);
      const urls = servers.map((server) => `http://${address}:${server.port}/`);
      const url = urls[0]!;
      const listening = urls.join(', ');
      const what =
        values.root !== undefined
          ? `the files of ${values.root}`
          : 'the 12 MB page at /, N bytes at /bytes/N';
      const onPilha = transportName === 'pilha';
      const via = onPilha ? `pilha's TCP on ${describeLink(config)}` : "node:http on the kernel's TCP";
      process.stdout.write(`pilha http: listening on ${listening} (${via}); serving ${what}\n`);
      const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:');
      const hint = onPilha
        ? `wget -O /dev/null ${reachable}bytes/104857600`
        : `wget -O /dev/null ${reachable}bytes/104857600   (or curl ${reachable})`;
      process.stdout.write(`${clientHint(hint, onPilha ? config : undefined)}\n`);
      await serveUntilSignal({
        name: 'pilha http',
        readyLine: `pilha http: listening on ${listening}`,
        readyFile,
        app,
        tcpStack: stack,
        close: async () => {
          await dashboard?.close();
          await http.close();
        },
      });
    });
}

/** The --port values as port numbers: 7000 when none was given; a port given twice is a usage mistake. */
function portsOption(texts: readonly string[], min: number): number[] {
  const ports = (texts.length === 0 ? ['7000'] : texts).map((text) =>
    integerOption(text, '--port', min, 65_535),
  );
  const seen = new Set<number>();
  for (const port of ports) {
    if (port !== 0 && seen.has(port)) throw new PilhaError('EBADOPTION', `--port ${port} is given twice`);
    seen.add(port);
  }
  return ports;
}
