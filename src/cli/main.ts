import { Command, CommanderError } from 'commander';
import { describeError, PilhaError } from '../core/errors.js';
import { registerFramedCommand } from './framed-command.js';
import { registerGetCommand } from './get/get-command.js';
import { registerHttpCommand } from './http-command.js';
import { registerPingCommand } from './ping-command.js';
import { registerPlotCommand } from './plot-command.js';
import { registerUpCommand } from './up-command.js';

/** Exit codes: 0 success, 1 failure at run time, 2 a usage mistake. */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function fail(message: string, code: number): never {
  process.stderr.write(`pilha: ${message}\n`);
  process.exit(code);
}

/**
 * A reader that goes away (`pilha ping ... | head -1`) ends pilha as SIGPIPE ends ping(8). Node ignores SIGPIPE,
 * so the next write failed with EPIPE and the unhandled 'error' event printed a stack trace. Unless the command
 * handles its standard output's errors itself (pilha get names them), pilha stops as on SIGTERM: a command
 * that traps it (ping, http, framed serve) ends cleanly; later writes to the closed pipe are ignored.
 */
function endOnBrokenPipe(): void {
  let ending = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (process.stdout.listenerCount('error') > 1 || ending) return;
    ending = true;
    if (err.code !== 'EPIPE') fail(`cannot write standard output: ${err.message}`, EXIT_FAILURE);
    process.kill(process.pid, 'SIGTERM');
  });
}

async function main(argv: string[]): Promise<void> {
  endOnBrokenPipe();
  // Commander writes help to stderr when a command is missing (bare `pilha`); it is kept here and printed to
  // stdout instead. Its error messages are not written at all: fail() turns them into one line.
  let helpForMissingCommand = '';
  const output = {
    writeErr: (text: string) => {
      helpForMissingCommand += text;
    },
    outputError: () => {},
  };
  const program = new Command('pilha')
    .description(
      'pilha, a userspace TCP/IP stack: Ethernet and ARP, IPv4, ICMP and TCP of its own on a TUN or TAP device or an AF_PACKET socket',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError(true);
  registerUpCommand(program);
  registerPingCommand(program);
  registerHttpCommand(program);
  registerGetCommand(program);
  registerFramedCommand(program);
  registerPlotCommand(program);
  for (const command of program.commands) command.exitOverride().configureOutput(output);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.exit(0);
      }
      if (err.code === 'commander.help') {
        // No command given: the help is the answer (as `docker` or `cargo` alone), on stdout, exit 0.
        process.stdout.write(helpForMissingCommand);
        process.exit(0);
      }
      fail(err.message.replace(/^error: /, ''), EXIT_USAGE);
    }
    if (err instanceof PilhaError)
      fail(err.message, err.code === 'EBADOPTION' || err.code === 'EBADADDR' ? EXIT_USAGE : EXIT_FAILURE);
    fail(describeError(err), EXIT_FAILURE);
  }
}

// Not awaited: the command line runs as a CommonJS script (scripts/bundle-cli.mjs, for V8's code cache), which has
// no top-level await, and main() answers every failure itself.
void main(process.argv);
