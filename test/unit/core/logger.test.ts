import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { LayerLoggers, parseLogSpec } from '../../../src/core/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, root: pino({ base: undefined }, stream) };
}

describe('per-layer logging', () => {
  it('parses per-layer levels and a bare default', () => {
    expect(parseLogSpec('ip=debug,icmp=trace')).toEqual({
      defaultLevel: 'info',
      layers: { ip: 'debug', icmp: 'trace' },
    });
    expect(parseLogSpec('warn,tcp=debug')).toEqual({ defaultLevel: 'warn', layers: { tcp: 'debug' } });
    expect(parseLogSpec(undefined, 'error')).toEqual({ defaultLevel: 'error', layers: {} });
  });

  it('rejects unknown layers and levels with a readable error', () => {
    expect(() => parseLogSpec('ipp=debug')).toThrowError(
      new PilhaError(
        'EBADOPTION',
        "unknown layer 'ipp' in log spec (use link, ethernet, ip, icmp, tcp, app)",
      ),
    );
    expect(() => parseLogSpec('ip=loud')).toThrowError(/unknown log level 'loud'/);
  });

  it('gives each layer a child with its own level and a layer field', () => {
    const { lines, root } = capture();
    const loggers = new LayerLoggers(parseLogSpec('warn,ip=debug'), root);
    loggers.for('ip').debug('ip detail');
    loggers.for('tcp').debug('tcp detail');
    loggers.for('tcp').warn('tcp warning');
    expect(lines.map((l) => [l.layer, l.msg])).toEqual([
      ['ip', 'ip detail'],
      ['tcp', 'tcp warning'],
    ]);
    expect(loggers.for('ip').isLevelEnabled('trace')).toBe(false);
    expect(loggers.for('ip')).toBe(loggers.for('ip'));
  });
});
