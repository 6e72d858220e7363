import { type ChildProcess, spawnSync } from 'node:child_process';

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

/** The fields of the packets of a capture that match a display filter, TCP checksums verified (no output limit). */
export function tsharkFields(pcap: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-n', '-r', pcap, '-o', 'tcp.check_checksum:TRUE', '-Y', filter, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}
