import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { HttpGetResult } from '../app/http-get.js';
import { PilhaError } from '../core/errors.js';
import { parseIpv4 } from '../core/ipv4-address.js';
import { integerOption, secondsOption } from './number-options.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from './stack-options.js';

interface GetValues extends StackOptionValues {
  readonly output?: string;
  readonly timeout: string;
  readonly transport: string;
  readonly stats?: boolean;
}

/** The stack and the client, loaded once the options are checked: a usage mistake is answered without them. */
async function loadRuntime() {
  const [app, di, kernel] = await Promise.all([
    import('../app/http-get.js'),
    import('../di/compositions.js'),
    import('../transport/kernel-stream-transport.js'),
  ]);
  return {
    formatHttpGetResult: app.formatHttpGetResult,
    httpGet: app.httpGet,
    buildTcpStack: di.buildTcpStack,
    KernelStreamTransport: kernel.KernelStreamTransport,
  };
}

/** `pilha get URL`: pilha as the client — node:http's client on a connection that pilha's TCP opens. */
export function registerGetCommand(program: Command): void {
  addStackOptions(program.command('get'))
    .description("download a URL with node:http's client over pilha's TCP (pilha opens the connection)")
    .argument(
      '<url>',
      'http://ADDRESS[:PORT]/PATH, ADDRESS an IPv4 address (e.g. the kernel side of the TUN device)',
    )
    .option('-o, --output <file>', 'write the body to this file (default: standard output)')
    .option('--timeout <seconds>', 'give up when nothing arrives for this long', '30')
    .option(
      '--transport <name>',
      "pilha (pilha's TCP on the TUN device) or kernel (node:net, for comparison)",
      'pilha',
    )
    .option('--stats', "print pilha's counters as JSON lines to stderr at the end")
    .action(async (target: string, values: GetValues) => {
      const url = parseHttpUrl(target);
      const timeoutMs = secondsOption(values.timeout, '--timeout', 0.001, 86_400);
      if (values.transport !== 'pilha' && values.transport !== 'kernel') {
        throw new PilhaError(
          'EBADOPTION',
          `--transport must be 'pilha' or 'kernel', got '${values.transport}'`,
        );
      }
      const config = stackConfigFrom(values);
      const { formatHttpGetResult, httpGet, buildTcpStack, KernelStreamTransport } = await loadRuntime();
      const stack = values.transport === 'pilha' ? await buildTcpStack(config) : undefined;
      const transport = stack?.transport ?? new KernelStreamTransport();
      const output = values.output;
      try {
        let result: HttpGetResult;
        try {
          result = await httpGet(transport, url, {
            timeoutMs,
            sink: output === undefined ? () => process.stdout : () => createWriteStream(output),
            endSink: output !== undefined,
          });
        } catch (err) {
          throw new Error(`${url.href}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (!result.ok) throw new Error(`HTTP ${result.status} ${result.statusText} from ${url.href}`);
        process.stderr.write(`pilha get: ${formatHttpGetResult(result)}\n`);
      } finally {
        if (stack !== undefined) {
          if (values.stats) {
            const tcp = stack.tcp as Partial<{ stats: () => unknown }> | undefined;
            const stats = {
              link: stack.link.stats(),
              ip: stack.ip.stats(),
              icmp: stack.icmp.stats(),
              ...(typeof tcp?.stats === 'function' ? { tcp: tcp.stats() } : {}),
            };
            process.stderr.write(`stats ${JSON.stringify(stats)}\n`);
          }
          await stack.close();
        }
      }
    });
}

/**
 * An http:// URL whose host is an IPv4 address (pilha has no DNS); mistakes are usage errors. The host and
 * port are checked as typed: the URL parser would read '010.1.0.9' as octal (8.1.0.9), '167772161' as
 * 10.0.0.1 and ':080' as 80, quietly sending the download somewhere else.
 */
function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PilhaError('EBADOPTION', `not a URL: '${text}' (expected http://ADDRESS[:PORT]/PATH)`);
  }
  if (url.protocol !== 'http:') {
    throw new PilhaError('EBADOPTION', `only http:// URLs are supported, got '${url.protocol}//'`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new PilhaError('EBADOPTION', 'user names and passwords in the URL are not supported');
  }
  // The authority as typed: what follows 'http://' up to the path, query or fragment (no user info here).
  const authority = /^\s*http:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '';
  const [, host = '', port] = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority) ?? [];
  parseIpv4(host); // EBADADDR (a usage error) for a name or an odd form: pilha resolves no names
  if (port !== undefined) integerOption(port, `the port in '${text}'`, 1, 65_535);
  return url;
}
