import { setV8FlagForRun } from '../runtime/v8-flags-for-run.js';

/** A node option that decides V8's optimizing compiler one way or the other: the user's choice stands. */
const COMPILER_CHOICE = /^--(no-)?(opt|turbofan)$/;

/**
 * Turns V8's optimizing compiler (TurboFan) off for the rest of a short-lived process, unless node's command
 * line chose either way (NODE_OPTIONS may not carry these flags); returns whether it did. Code then runs as
 * bytecode and Sparkplug's baseline code. For pilha get over a link with GSO reads (TUN or TAP) this is faster: TurboFan's
 * background compiles run on the CPUs the transfer needs (pilha's reader thread, the kernel sending to it),
 * and with one 64 KB read per 45 segments a download ends before optimized code pays them back. 100 MiB
 * from a warm kernel server on 2 CPUs, fresh processes, interleaved: 700-810 MB/s with TurboFan, 790-1060
 * without (--no-hash); 530-610 and 620-720 hashing. Workers started later inherit it.
 * pilha get --transport kernel runs without it too, so that the two transports compare alike.
 *
 * With wire-sized reads (`--no-offload`, `--impair`, `--pcap`, and possibly a packet link) the same work is done
 * per 1,448-byte segment, and there TurboFan pays back many times over (`optimize` true leaves it on): 64 MiB
 * with --no-offload, interleaved, 142-160 MB/s with it against 61-81 without (--no-hash), 157-168 against
 * 69-75 hashing.
 */
export function skipOptimizingCompiler(
  optimize = false,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if (optimize || execArgv.some((arg) => COMPILER_CHOICE.test(arg))) return false;
  setV8FlagForRun('--no-turbofan', '--turbofan');
  return true;
}
