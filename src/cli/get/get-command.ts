import { existsSync, writeSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import type { Command } from 'commander';
import type { HttpGetResult } from '../../app/http-get.js';
import { describeError, PilhaError } from '../../core/errors.js';
import { parseIpv4 } from '../../core/ipv4-address.js';
import { receivesGsoReads, type StackConfig } from '../../di/stack-config.js';
import { lingerWhileClosing } from '../close-linger.js';
import { checkDistinctFiles } from '../files/distinct-files.js';
import { integerOption, secondsOption } from '../number-options.js';
import { createProgressBar, type ProgressBar } from '../progress-bar.js';
import { countersOnSignal, holdStopSignals, layerStats, linkFailure, untilSignal } from '../run-helpers.js';
import { codeCacheStatus } from '../runtime/bundle-runner.js';
import { setMallocTrimThreshold } from '../runtime/malloc-trim-threshold.js';
import { addStackOptions, type StackOptionValues, stackConfigFrom } from '../stack-options.js';
import { skipOptimizingCompiler } from './optimizing-compiler.js';
import { SyncFileSink } from './sync-file-sink.js';

/**
 * The receive buffer (and so the largest window) of pilha get's connection: sixteen times the stack's default.
 * The window decides how much the sender may have in flight while pilha's main thread, the reader and the
 * ACKs' round trip through them take their time, and how many read batches (one ACK each) the bytes come in.
 * With 256 KiB the sender ran out of window while the main thread hashed (idle a quarter of a 1 GiB
 * download). Once the body no longer waited in node:http's streams (it reaches the hash as it arrives, so the
 * receive buffer holds a segment at most), 1 MiB beat 512 KiB (8 interleaved pairs of 256 MiB: median 288
 * against 229 MB/s, and less CPU), and 4 MiB now beats 1 MiB: a kernel sender's BBR keeps about twice the
 * bandwidth times its smallest round trip in flight, and pilha's ACKs come later under load than at its best
 * (AMD EPYC, 2 CPUs, 100 MiB from a warm kernel server, six interleaved rounds: a median 755 MB/s against
 * 659 at 1 MiB, 716 at 2 MiB, 740 at 8 MiB; hashing, five rounds, 510 against 463; 1 GiB 1,040-1,050
 * against 900-910, with no more CPU). The memory is the window's, not allocated up front.
 */
const GET_RECEIVE_BUFFER = 4 * 1024 * 1024;
/** pilha get's reader thread runs at the main thread's priority (getStackConfig). */
const CLIENT_READER_NICE = 0;
/**
 * Freed heap malloc may keep (setMallocTrimThreshold): far above what a download has in flight at once (the
 * window, the reader's ring, what the garbage collector has yet to free), so that none of it is faulted in
 * twice; the process is short-lived. pilha get copies every segment it receives into a fresh 64 KB Buffer and
 * the garbage collector frees them in bulk: with glibc's own threshold, malloc gave the freed memory back and
 * the next Buffers faulted it in again, page by page (512 MiB downloaded: 38,000-117,000 minor page faults
 * against 28,000 with this one, the difference all in the copy).
 */
const GET_MALLOC_TRIM_THRESHOLD = 256 * 1024 * 1024;
/** Redirects -L follows at most (curl's default is 50, wget's 20; a loop shows long before either). */
const MAX_REDIRECTS = 10;

interface GetValues extends StackOptionValues {
  readonly output?: string;
  readonly timeout: string;
  readonly maxTime?: string;
  readonly transport: string;
  readonly stats?: boolean;
  readonly location?: boolean;
  /** commander's `--no-hash`: true unless it is given. */
  readonly hash: boolean;
}

/** The stack and the client, loaded once the options are checked: a usage mistake is answered without them. */
async function loadRuntime() {
  const [app, di, kernel] = await Promise.all([
    import('../../app/http-get.js'),
    import('../../di/compositions.js'),
    import('../../transport/socket/kernel-stream-transport.js'),
  ]);
  return {
    formatHttpGetResult: app.formatHttpGetResult,
    httpGet: app.httpGet,
    SinkError: app.SinkError,
    buildTcpStack: di.buildTcpStack,
    KernelStreamTransport: kernel.KernelStreamTransport,
  };
}

/** `pilha get URL`: pilha as the client — an HTTP/1.1 GET (httpGet) on a connection that pilha's TCP opens. */
export function registerGetCommand(program: Command): void {
  addStackOptions(program.command('get'))
    .description("download a URL with an HTTP/1.1 GET over pilha's TCP (pilha opens the connection)")
    .argument(
      '<url>',
      'http://ADDRESS[:PORT]/PATH, ADDRESS an IPv4 address (e.g. the kernel side of the TUN or TAP device)',
    )
    .option('-o, --output <file>', "write the body to this file ('-' or none: standard output)")
    .option(
      '-L, --location',
      `follow redirects (up to ${MAX_REDIRECTS}) to other http:// URLs with an IPv4 address, each on a new connection`,
    )
    .option(
      '--timeout <seconds>',
      'give up when connecting takes this long, or when nothing then arrives for this long',
      '30',
    )
    .option(
      '--max-time <seconds>',
      'give up when the whole request takes longer than this (default: no limit)',
    )
    .option(
      '--transport <name>',
      "pilha (pilha's TCP on its link) or kernel (node:net, for comparison)",
      'pilha',
    )
    .option(
      '--no-hash',
      "count and write the body without computing its SHA-256 (a third of pilha get's CPU on a large " +
        'download); the result line then has no sha256',
    )
    .option(
      '--stats',
      "print pilha's counters, and the download's time and CPU ('transfer'), as JSON to stderr at the end",
    )
    .action(async (target: string, values: GetValues) => {
      const url = parseHttpUrl(target);
      const timeoutMs = secondsOption(values.timeout, '--timeout', 0.001, 86_400);
      const maxTimeMs =
        values.maxTime === undefined ? undefined : secondsOption(values.maxTime, '--max-time', 0.001, 86_400);
      if (values.transport !== 'pilha' && values.transport !== 'kernel') {
        throw new PilhaError(
          'EBADOPTION',
          `--transport must be 'pilha' or 'kernel', got '${values.transport}'`,
        );
      }
      const config = getStackConfig(values);
      const output = values.output === '-' ? undefined : values.output;
      checkDistinctFiles([
        ['-o', output],
        ['--pcap', values.pcap],
        ['--trace', values.trace],
      ]);
      // The output file is opened before anything is sent: a path that cannot be written is the user's
      // mistake, said as such, not a broken connection later.
      const file = output === undefined ? undefined : await openOutput(output);
      const { formatHttpGetResult, httpGet, SinkError, buildTcpStack, KernelStreamTransport } =
        await loadRuntime();
      // Before the transfer's code first runs (and pilha's reader thread starts): see optimizing-compiler.ts.
      skipOptimizingCompiler(keepsOptimizingCompiler(values.transport, config));
      if (values.transport === 'pilha') setMallocTrimThreshold(GET_MALLOC_TRIM_THRESHOLD);
      // A signal while the stack is built ends the download once it is up (what it changed put back).
      holdStopSignals();
      let done = false;
      // Closed once nothing can write to it; a failed download (or stack) leaves no file behind that it created.
      const closeOutput = async () => {
        if (file === undefined) return;
        await file.handle.close().catch(() => {});
        if (!done && file.created && output !== undefined) await unlink(output).catch(() => {});
      };
      let stack: Awaited<ReturnType<typeof buildTcpStack>> | undefined;
      try {
        stack = values.transport === 'pilha' ? await buildTcpStack(config) : undefined;
      } catch (err) {
        await closeOutput();
        throw err;
      }
      const transport = stack?.transport ?? new KernelStreamTransport();
      // A bar on stderr when it is a terminal, unless the body itself is being printed on that terminal.
      let bar: ProgressBar | undefined;
      const showProgress = file !== undefined || process.stdout.isTTY !== true;
      let received = 0;
      const stopReports = countersOnSignal(process.stderr, () => ({
        bytes: received,
        ...(stack !== undefined ? { stats: layerStats(stack) } : {}),
      }));
      // A stopping signal (Ctrl-C, SIGTERM, SIGHUP) ends the download as a failure does: the bar put away (a
      // terminal's cursor shown again), the stack closed, a file it created removed, one line, exit 1.
      const interrupt = new AbortController();
      const signalled = untilSignal(interrupt.signal).then((signal) => {
        if (signal !== undefined)
          interrupt.abort(new Error(`interrupted (${signal}) after ${received} body bytes`));
      });
      // The CPU the download itself takes (--stats): its span as the result's time, every thread of the
      // process; Node's start, loading the stack and opening the device fall outside it.
      let transferCpu: { seconds: number; cpuSeconds: number } | undefined;
      try {
        let result: HttpGetResult;
        try {
          const cpuAtStart = process.cpuUsage();
          const download = httpGet(transport, url, {
            timeoutMs,
            hash: values.hash,
            signal: interrupt.signal,
            ...(maxTimeMs !== undefined ? { maxTimeMs } : {}),
            ...(values.location === true
              ? { maxRedirects: MAX_REDIRECTS, checkRedirect: checkRedirectTarget }
              : {}),
            onProgress: (bytes: number, total: number | undefined) => {
              received = bytes;
              if (!showProgress) return;
              bar ??= createProgressBar(total, 'pilha get');
              bar.update(bytes);
            },
            sink: file === undefined ? () => process.stdout : () => new SyncFileSink(file.handle.fd),
            endSink: file !== undefined,
          });
          // A link that fails for good (its device removed) ends the download with its error, not a wait.
          result = await (stack === undefined
            ? download
            : Promise.race([
                download,
                linkFailure(stack.link).then((error): never => {
                  throw error;
                }),
              ]));
          const cpu = process.cpuUsage(cpuAtStart);
          transferCpu = {
            seconds: Math.round(result.durationMs * 1000) / 1e6,
            cpuSeconds: (cpu.user + cpu.system) / 1e6,
          };
        } catch (err) {
          bar?.stop();
          if (err instanceof SinkError) {
            throw new Error(`cannot write ${output ?? 'standard output'}: ${describeError(err.cause)}`);
          }
          // A connect timeout names the peer itself.
          if (err instanceof PilhaError && err.code === 'ETIMEDOUT') throw err;
          throw new Error(`${url.href}: ${describeError(err)}`);
        }
        bar?.stop();
        if (!result.ok) throw new Error(statusFailure(result, values.location === true));
        process.stderr.write(`pilha get: ${formatHttpGetResult(result)}\n`);
        done = true;
      } finally {
        // No longer listening for signals: one now ends the process as Node does.
        if (!interrupt.signal.aborted) interrupt.abort();
        await signalled;
        stopReports();
        // The stack first: once it is closed nothing can reach the sink, whose file descriptor, once closed,
        // could be reused by the next file the process opens.
        try {
          if (stack !== undefined) {
            // Our FIN went out with the body complete, and the server's is often still on its way (or in the
            // device's queue, unread): closing the stack now would answer it with a reset. As a server stops.
            await lingerWhileClosing(stack.tcp);
            if (values.stats) {
              const codeCache = codeCacheStatus();
              const tcp = stack.tcp as Partial<{ stats: () => unknown }> | undefined;
              const stats = {
                ...layerStats(stack),
                ...(typeof tcp?.stats === 'function' ? { tcp: tcp.stats() } : {}),
                ...(transferCpu !== undefined ? { transfer: transferCpu } : {}),
                ...(codeCache !== undefined ? { codeCache } : {}),
              };
              process.stderr.write(`stats ${JSON.stringify(stats)}\n`);
            }
            await stack.close();
          }
        } finally {
          await closeOutput();
        }
      }
    });
}

/**
 * The stack pilha get runs: the shared options' (stackConfigFrom), with a receive buffer for downloading and,
 * on a TUN or TAP device, its reads on the main thread where they are GSO packets (MainThreadFdReader: 100 MiB
 * from a kernel server, six interleaved pairs of fresh processes, medians 515 -> 935 MB/s), and otherwise its
 * reader thread at the main thread's priority (FdReaderOptions.nice: 20 interleaved pairs, 933 -> 1,030 MB/s
 * median, faster in 19 of the 20).
 */
export function getStackConfig(values: StackOptionValues): StackConfig {
  const config = stackConfigFrom(values);
  const link =
    config.link.kind === 'tun' || config.link.kind === 'tap'
      ? { ...config.link, readerNice: CLIENT_READER_NICE, readOnMainThread: receivesGsoReads(config) }
      : config.link;
  return { ...config, link, tcp: { receiveBufferSize: GET_RECEIVE_BUFFER, ...config.tcp } };
}

/**
 * Whether pilha get keeps V8's optimizing compiler (optimizing-compiler.ts): on pilha's TCP unless its link is
 * sure to read GSO packets, where the per-segment work pays TurboFan back. A TUN or TAP device with receive
 * offload is: the kernel sends it GSO packets once TUNSETOFFLOAD says it takes them. A packet socket reads
 * what the far end sends, GSO frames only while that end's segmentation offload is on (a veth end's is, unless
 * turned off, as --no-offload does). 100 MiB over a veth pair whose far end sends GSO frames, interleaved:
 * 695-831 MB/s without TurboFan, 517-636 with (--no-hash); with that end's offloads off, 57-68 without and
 * 148-162 with, so it is kept.
 */
export function keepsOptimizingCompiler(transport: string, config: StackConfig): boolean {
  return transport === 'pilha' && (!receivesGsoReads(config) || config.link.kind === 'packet');
}

/**
 * The line for a response that is not 2xx: its status and URL; for a redirect, where it leads, and that -L
 * follows it (or that -L followed as many as it does).
 */
export function statusFailure(result: HttpGetResult, following: boolean): string {
  const line = `HTTP ${result.status} ${result.statusText} from ${result.url.href}`;
  const location = result.headers.location;
  if (result.status < 300 || result.status > 399 || location === undefined) return line;
  if (following && result.redirects === MAX_REDIRECTS)
    return `${line} after ${MAX_REDIRECTS} redirects, the most -L follows (Location: ${location})`;
  return `${line} (Location: ${location}${following ? '' : '; -L follows it'})`;
}

/** A redirect's target as pilha get can fetch it (http://, an IPv4 address); a refusal names the redirect. */
function checkRedirectTarget(target: URL): void {
  try {
    parseHttpUrl(target.href);
  } catch (err) {
    throw new Error(`a redirect to ${target.href} not followed: ${describeError(err)}`);
  }
}

/** Opens (creates or truncates) the output file; a failure is a local mistake: EBADOPTION, exit 2. */
async function openOutput(path: string): Promise<{ handle: FileHandle; created: boolean }> {
  const created = !existsSync(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw new PilhaError('EBADOPTION', `cannot write ${path}: ${describeError(err)}`);
  }
  try {
    // A write of nothing: a file that opens but takes no writes (/proc/version: EIO; /dev/full: ENOSPC) is
    // refused now, before anything is sent, not after the connection and the first body bytes.
    writeSync(handle.fd, EMPTY_WRITE);
  } catch (err) {
    await handle.close().catch(() => {});
    if (created) await unlink(path).catch(() => {});
    throw new PilhaError('EBADOPTION', `cannot write ${path}: ${describeError(err)}`);
  }
  return { handle, created };
}

const EMPTY_WRITE = new Uint8Array(0);

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
