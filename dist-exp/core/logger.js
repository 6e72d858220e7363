import pino from 'pino';
import pretty from 'pino-pretty';
import { PilhaError } from './errors.js';
export const LAYERS = ['link', 'ethernet', 'ip', 'icmp', 'tcp', 'app'];
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
/** Parses `info`, `ip=debug,icmp=trace` or `warn,tcp=debug` (a bare level sets the default). */
export function parseLogSpec(text, defaultLevel = 'info') {
    const layers = {};
    let def = defaultLevel;
    if (text === undefined || text.trim() === '')
        return { defaultLevel: def, layers };
    for (const part of text.split(',')) {
        const item = part.trim();
        if (item === '')
            continue;
        const eq = item.indexOf('=');
        const name = eq < 0 ? undefined : item.slice(0, eq).trim();
        const level = (eq < 0 ? item : item.slice(eq + 1)).trim();
        if (!LEVELS.includes(level)) {
            throw new PilhaError('EBADOPTION', `unknown log level '${level}' (use ${LEVELS.join(', ')})`);
        }
        if (name === undefined || name === '*')
            def = level;
        else if (LAYERS.includes(name))
            layers[name] = level;
        else
            throw new PilhaError('EBADOPTION', `unknown layer '${name}' in log spec (use ${LAYERS.join(', ')})`);
    }
    return { defaultLevel: def, layers };
}
/** One root logger with a child per layer, each at its own level. */
export class LayerLoggers {
    spec;
    root;
    children = new Map();
    constructor(spec, root) {
        this.spec = spec;
        this.root = root ?? createRootLogger();
        this.root.level = 'trace';
    }
    for(layer) {
        let child = this.children.get(layer);
        if (child === undefined) {
            child = this.root.child({ layer }, { level: this.spec.layers[layer] ?? this.spec.defaultLevel });
            this.children.set(layer, child);
        }
        return child;
    }
}
/** Pretty, synchronous output on a terminal; JSON lines otherwise. Logs go to stderr; stdout is the program's. */
export function createRootLogger() {
    if (process.stderr.isTTY) {
        // The layer goes in front of the message rather than on a line of its own.
        return pino({ base: undefined }, pretty({
            destination: 2,
            sync: true,
            colorize: true,
            ignore: 'layer',
            messageFormat: '{if layer}[{layer}] {end}{msg}',
        }));
    }
    return pino({ base: undefined }, pino.destination({ fd: 2, sync: true }));
}
/** A logger that writes nothing: the default for library use and unit tests. */
export function silentLoggers() {
    return new LayerLoggers({ defaultLevel: 'silent', layers: {} }, pino({ level: 'silent' }));
}
//# sourceMappingURL=logger.js.map