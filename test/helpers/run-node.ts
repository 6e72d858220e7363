/** Runs a program to completion without blocking the event loop: its exit code and output. */
import { spawn } from 'node:child_process';

export interface ProgramResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Run in a process group of its own and, once the program exits (or times out), kill what is left of the
   * group: the background jobs of a shell script, which would otherwise hold its output open.
   */
  readonly processGroup?: boolean;
}

export function runProgram(
  cmd: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const group = options.processGroup === true;
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
      if (group) killGroup();
      else child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('exit', () => {
      if (group) killGroup();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
