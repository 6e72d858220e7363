import { type LevelWithSilent, type Logger } from 'pino';
export type { Logger } from 'pino';
export declare const LAYERS: readonly ["link", "ethernet", "ip", "icmp", "tcp", "app"];
export type LayerName = (typeof LAYERS)[number];
/** A level per layer plus a default for the rest: the parsed form of `--log tcp=debug,ip=info`. */
export interface LogSpec {
    readonly defaultLevel: LevelWithSilent;
    readonly layers: Partial<Record<LayerName, LevelWithSilent>>;
}
/** Parses `info`, `ip=debug,icmp=trace` or `warn,tcp=debug` (a bare level sets the default). */
export declare function parseLogSpec(text: string | undefined, defaultLevel?: LevelWithSilent): LogSpec;
/** One root logger with a child per layer, each at its own level. */
export declare class LayerLoggers {
    readonly spec: LogSpec;
    readonly root: Logger;
    private readonly children;
    constructor(spec: LogSpec, root?: Logger);
    for(layer: LayerName): Logger;
}
/** Pretty, synchronous output on a terminal; JSON lines otherwise. Logs go to stderr; stdout is the program's. */
export declare function createRootLogger(): Logger;
/** A logger that writes nothing: the default for library use and unit tests. */
export declare function silentLoggers(): LayerLoggers;
