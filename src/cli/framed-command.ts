import { fstatSync } from 'node:fs';
import type { Command } from 'commander';
import type { FramedSource } from '../app/framed/framed-message-source.js';
import { PilhaError } from '../core/errors.js';
import { formatIpv4, parseIpv4 } from '../core/ipv4-address.js';
import { addDashboardOption, CliDashboard, type DashboardOptionValues } from './dashboard-option.js';
import { addReadyFileOption, ReadyFile, type ReadyFileValues } from './files/ready-file.js';
import { integerOption, secondsOption } from './number-options.js';
import { createProgressBar, formatBytes, formatRate } from './progress-bar.js';
import {
  clientHint,
  describeLink,
  holdStopSignals,
  serveUntilSignal,
  untilSignal,
  withAppInfo,
} from './run-helpers.js';
import { capYoungGeneration } from './runtime/young-generation-cap.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

interface ServeValues extends StackOptionValues, ReadyFileValues, DashboardOptionValues {
  readonly port: string;
  readonly transport: string;
  readonly listenHost: string;
  readonly maxSize: string;
}

interface SendValues extends StackOptionValues {
  readonly to: string;
  readonly message?: string;
  readonly transport: string;
  readonly timeout: string;
  readonly messageSize?: string;
}

/** The most 8 header digits can say (FRAMED_MAX_MESSAGE_BYTES), here so that usage checks load no app code. */
const MAX_MESSAGE_BYTES = 99_999_999;

/** `pilha framed serve|send`: stage 1, length-prefixed messages over the kernel's TCP or pilha's. */
export function registerFramedCommand(program: Command): void {
  const framed = program
    .command('framed')
    .description(
      'stage 1: framed messages (an 8-byte size header, the bytes, an OK line with length and SHA-256)',
    );
  addDashboardOption(addReadyFileOption(addStackOptions(framed.command('serve'))))
    .description(
      'confirm every framed message received (OK <bytes> <sha256>), on pilha TCP or the kernel TCP',
    )
    .option('-p, --port <port>', 'TCP port to listen on', '7000')
    .option('--transport <name>', "pilha (pilha's TCP on its link) or kernel (node:net)", 'pilha')
    .option('--listen-host <ip>', 'with --transport kernel: the address to listen on', '127.0.0.1')
    .option(
      '--max-size <bytes>',
      `largest message accepted (at most ${MAX_MESSAGE_BYTES})`,
      String(MAX_MESSAGE_BYTES),
    )
    .action(serve);
  addStackOptions(framed.command('send'))
    .description('send a file, standard input (-) or a text as framed messages and check the confirmations')
    .argument('[file]', "the file to send, or '-' for standard input")
    .requiredOption('--to <host:port>', 'the server, e.g. 10.77.0.2:7000')
    .option('-m, --message <text>', 'send this text instead of a file')
    .option('--transport <name>', "pilha (pilha's TCP on its link) or kernel (node:net)", 'pilha')
    .option('--timeout <seconds>', 'give up connecting, or when nothing moves for this long', '30')
    .option(
      '--message-size <bytes>',
      `cut the input into messages of at most this many bytes (default: ${MAX_MESSAGE_BYTES} for a file, 16777216 for standard input)`,
    )
    .action(send);
  // Bare `pilha framed` shows its two subcommands rather than failing.
  framed.action(() => framed.outputHelp());
  for (const command of [framed, ...framed.commands]) {
    command.exitOverride().configureOutput({ writeErr: () => {} });
  }
}

function transportOption(text: string): 'pilha' | 'kernel' {
  if (text !== 'pilha' && text !== 'kernel') {
    throw new PilhaError('EBADOPTION', `--transport must be 'pilha' or 'kernel', got '${text}'`);
  }
  return text;
}

async function serve(values: ServeValues): Promise<void> {
  const transportName = transportOption(values.transport);
  const port = integerOption(values.port, '--port', transportName === 'kernel' ? 0 : 1, 65_535);
  const maxSize = integerOption(values.maxSize, '--max-size', 0, MAX_MESSAGE_BYTES);
  const listenHost = formatIpv4(parseIpv4(values.listenHost));
  const config = withAppInfo(stackConfigFrom(values, { claimedPorts: [port] }), values);
  const dashboard = await CliDashboard.fromOptions(values);
  const readyFile = await ReadyFile.prepare(values.readyFile);
  // Before the stack is built: what loading and starting it allocates would grow it first.
  capYoungGeneration();

  // A signal while the stack is built stops it once it is up (what it changed on the host put back).
  holdStopSignals();
  // Loaded once the options are checked: a usage mistake is answered without the stack.
  const { buildFramedStack } = await import('../di/compositions.js');
  const framed = await buildFramedStack(
    config,
    { transport: transportName, app: { maxSize } },
    (await dashboard?.overrides()) ?? {},
  );
  let server: Awaited<ReturnType<typeof framed.app.listen>>;
  try {
    server = await framed.app.listen(
      framed.transport,
      port,
      transportName === 'kernel' ? listenHost : undefined,
    );
    await dashboard?.start(
      {
        title: `pilha framed serve ${port}`,
        network: framed.tcpStack,
        tcp: framed.tcpStack?.tcp,
        app: framed.app,
      },
      'pilha framed',
    );
  } catch (err) {
    await dashboard?.close();
    await framed.close();
    throw err;
  }
  const address = transportName === 'kernel' ? listenHost : formatIpv4(config.address);
  const onPilha = transportName === 'pilha';
  const via = onPilha ? `pilha's TCP on ${describeLink(config)}` : "the kernel's TCP";
  process.stdout.write(
    `pilha framed: listening on ${address}:${server.port} (${via}); messages of up to ${maxSize} bytes\n`,
  );
  const reachable = address === '0.0.0.0' ? '127.0.0.1' : address;
  const hint = `pilha framed send examples/input.txt --to ${reachable}:${server.port} --transport kernel`;
  process.stdout.write(`${clientHint(hint, onPilha ? config : undefined)}\n`);
  await serveUntilSignal({
    name: 'pilha framed',
    readyLine: `pilha framed: listening on ${address}:${server.port}`,
    readyFile,
    app: framed.app,
    tcpStack: framed.tcpStack,
    close: async () => {
      await dashboard?.close();
      await framed.close();
    },
  });
}

async function send(file: string | undefined, values: SendValues): Promise<void> {
  const transportName = transportOption(values.transport);
  const { host, port } = parseTarget(values.to, transportName);
  const timeoutMs = secondsOption(values.timeout, '--timeout', 0.001, 86_400);
  const messageSize =
    values.messageSize === undefined
      ? undefined
      : integerOption(values.messageSize, '--message-size', 1, MAX_MESSAGE_BYTES);
  if ((file === undefined) === (values.message === undefined)) {
    throw new PilhaError('EBADOPTION', "give one of FILE, '-' (standard input) or --message TEXT");
  }
  const config = transportName === 'pilha' ? stackConfigFrom(values) : undefined;

  const [sources, client, di, kernel] = await Promise.all([
    import('../app/framed/framed-message-source.js'),
    import('../app/framed/framed-client.js'),
    import('../di/compositions.js'),
    import('../transport/socket/kernel-stream-transport.js'),
  ]);
  let source: FramedSource;
  if (values.message !== undefined) {
    source = sources.bytesSource(Buffer.from(values.message, 'utf8'), '--message', messageSize);
  } else if (file === '-') {
    // A directory as standard input reads as empty through node's stream: it would be sent as 0 bytes.
    if (fstatSync(0).isDirectory()) {
      throw new PilhaError('EBADOPTION', 'cannot read standard input: it is a directory');
    }
    source = sources.streamSource(process.stdin, 'standard input', messageSize);
  } else {
    try {
      source = await sources.fileSource(file!, messageSize);
    } catch (err) {
      throw new PilhaError('EBADOPTION', `cannot read ${file}: ${(err as Error).message}`);
    }
  }

  holdStopSignals();
  const stack = config !== undefined ? await di.buildTcpStack(config) : undefined;
  const transport = stack?.transport ?? new kernel.KernelStreamTransport();
  const bar = createProgressBar(source.totalBytes, 'framed send');
  // The first stopping signal (Ctrl-C, SIGTERM, SIGHUP) ends the send as interrupted; once it is over, a
  // signal is Node's again.
  const abort = new AbortController();
  const done = new AbortController();
  const signalled = untilSignal(done.signal).then((signal) => {
    if (signal !== undefined) abort.abort();
  });
  try {
    const result = await new client.FramedClient(transport, {
      timeoutMs,
      signal: abort.signal,
      onProgress: (bytes) => bar.update(bytes),
    }).send(host, port, source);
    bar.stop();
    const messages = result.messages === 1 ? '1 message' : `${result.messages} messages`;
    process.stdout.write(
      `pilha framed send: confirmed ${result.bytes} bytes (${formatBytes(result.bytes)}, ${messages}) by ` +
        `${host}:${port} in ${(result.durationMs / 1000).toFixed(3)} s, ${formatRate(result.bytes, result.durationMs)}, ` +
        `sha256 ${result.sha256}\n`,
    );
  } catch (err) {
    bar.stop();
    if (err instanceof client.FramedClientError) throw new Error(err.message);
    throw err;
  } finally {
    done.abort();
    await signalled;
    await stack?.close();
  }
}

/** HOST:PORT; the host an IPv4 address (pilha resolves no names; the kernel's transport may take a name). */
function parseTarget(text: string, transport: 'pilha' | 'kernel'): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new PilhaError('EBADOPTION', `--to must be HOST:PORT, got '${text}'`);
  const hostText = text.slice(0, colon);
  const port = integerOption(text.slice(colon + 1), `the port in --to '${text}'`, 1, 65_535);
  if (transport === 'kernel' && /^[A-Za-z][A-Za-z0-9.-]*$/.test(hostText)) return { host: hostText, port };
  return { host: formatIpv4(parseIpv4(hostText)), port };
}
