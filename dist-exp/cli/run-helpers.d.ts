import type { NetworkStack, ServingApp, TcpStack } from '../di/compositions.js';
import type { StackConfig } from '../di/stack-config.js';
import type { ReadyFile } from './ready-file.js';
import type { StackOptionValues } from './stack-options.js';
/** Resolves on the first SIGINT or SIGTERM. */
export declare function untilSignal(): Promise<NodeJS.Signals>;
/** One JSON line with every layer's counters, for people and for tests; on an Ethernet link, the ARP cache first. */
export declare function printStats(stack: NetworkStack): void;
/**
 * The ARP cache, one `arp ...` line per neighbour as `ip neigh` shows them (most recently confirmed first),
 * when the link is an Ethernet layer; nothing on an IP link.
 */
export declare function printArpCache(link: NetworkStack['link']): void;
/** An app's summaries are logged at info on the 'app' layer: on by default unless --log/PILHA_LOG says. */
export declare function withAppInfo(config: StackConfig, values: StackOptionValues): StackConfig;
/** The link pilha runs on, in a few words for the "listening" line. */
export declare function describeLink(config: StackConfig): string;
/** Where a kernel-side client reaches pilha from: this namespace for a raw link, the TUN's otherwise. */
export declare function clientHint(command: string, config: StackConfig | undefined): string;
/**
 * The life of a long-running server command after it listens: say ready (the signal handler is in place
 * first, so a script that stops it the moment it is ready still gets the totals), wait for SIGINT/SIGTERM,
 * close every connection, then print the totals and the stack's counters, which then add up the log.
 */
export declare function serveUntilSignal(options: {
    readonly name: string;
    readonly readyLine: string;
    readonly readyFile: ReadyFile;
    readonly app: ServingApp;
    readonly tcpStack: TcpStack | undefined;
    close(): Promise<void>;
}): Promise<void>;
