import type { ChildProcess } from 'node:child_process';

/**
 * Resolves once tshark says the capture started (written to stderr): only then has dumpcap opened the
 * device. "Capturing on" comes before, and with a large buffer long before.
 */
export function tsharkCapturing(tshark: ChildProcess, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), timeoutMs);
    tshark.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capture started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    tshark.once('close', (code) => reject(new Error(`tshark exited (${code}): ${err}`)));
  });
}
