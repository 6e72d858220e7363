import { createRequire } from 'node:module';
import pino, { type LevelWithSilent, type Logger } from 'pino';
import { PilhaError } from './errors.js';

export type { Logger } from 'pino';

export const LAYERS = ['link', 'ethernet', 'ip', 'icmp', 'tcp', 'app'] as const;
export type LayerName = (typeof LAYERS)[number];

const LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A level per layer plus a default for the rest: the parsed form of `--log tcp=debug,ip=info`. */
export interface LogSpec {
  readonly defaultLevel: LevelWithSilent;
  readonly layers: Partial<Record<LayerName, LevelWithSilent>>;
}

/** Parses `info`, `ip=debug,icmp=trace` or `warn,tcp=debug` (a bare level sets the default). */
export function parseLogSpec(text: string | undefined, defaultLevel: LevelWithSilent = 'info'): LogSpec {
  const layers: Partial<Record<LayerName, LevelWithSilent>> = {};
  let def = defaultLevel;
  if (text === undefined || text.trim() === '') return { defaultLevel: def, layers };
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = eq < 0 ? undefined : item.slice(0, eq).trim();
    const level = (eq < 0 ? item : item.slice(eq + 1)).trim() as LevelWithSilent;
    if (!LEVELS.includes(level)) {
      throw new PilhaError('EBADOPTION', `unknown log level '${level}' (use ${LEVELS.join(', ')})`);
    }
    if (name === undefined || name === '*') def = level;
    else if ((LAYERS as readonly string[]).includes(name)) layers[name as LayerName] = level;
    else throw new PilhaError('EBADOPTION', `unknown layer '${name}' in log spec (use ${LAYERS.join(', ')})`);
  }
  return { defaultLevel: def, layers };
}

/** One root logger with a child per layer, each at its own level. */
export class LayerLoggers {
  readonly root: Logger;
  private readonly children = new Map<LayerName, Logger>();

  constructor(
    readonly spec: LogSpec,
    root?: Logger,
  ) {
    this.root = root ?? createRootLogger();
    this.root.level = 'trace';
  }

  for(layer: LayerName): Logger {
    let child = this.children.get(layer);
    if (child === undefined) {
      child = this.root.child({ layer }, { level: this.spec.layers[layer] ?? this.spec.defaultLevel });
      this.children.set(layer, child);
    }
    return child;
  }
}

/** Pretty, synchronous output on a terminal; JSON lines otherwise. Logs go to stderr; stdout is the program's. */
export function createRootLogger(): Logger {
  if (process.stderr.isTTY) {
    // Loaded only for a terminal: pino-pretty and what it loads took about 30 ms of every start.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty').build;
    // The layer goes in front of the message rather than on a line of its own.
    return pino(
      { base: undefined },
      pretty({
        destination: 2,
        sync: true,
        colorize: true,
        ignore: 'layer',
        messageFormat: '{if layer}[{layer}] {end}{msg}',
      }),
    );
  }
  return pino({ base: undefined }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that writes nothing: the default for library use and unit tests. */
export function silentLoggers(): LayerLoggers {
  return new LayerLoggers({ defaultLevel: 'silent', layers: {} }, pino({ level: 'silent' }));
}
