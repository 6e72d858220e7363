import { type Ipv4Address } from '../../../core/ipv4-address.js';
import type { Logger } from '../../../core/logger.js';
/** The SO_MARK on pilha's raw socket ('pilh'): what tells pilha's RSTs from the kernel's. */
export declare const PILHA_MARK = 1885957224;
export declare function rstFilterTableName(address: Ipv4Address, port: number): string;
/** The rule itself, in nft's syntax. */
export declare function rstFilterRule(address: Ipv4Address, port: number): string;
/** The `nft -f -` script that creates the table, its output chain and the rule, with the owner in a comment. */
export declare function rstFilterScript(address: Ipv4Address, port: number, pid: number): string;
/** The owner's PID from `nft list table` output, or undefined when the listing names none. */
export declare function tableOwnerPid(listing: string): number | undefined;
export type ExistingTable = {
    readonly kind: 'absent';
} | {
    readonly kind: 'stale';
    readonly pid: number | undefined;
} | {
    readonly kind: 'live';
    readonly pid: number;
};
/**
 * What a table found at start means: none; stale (its owner is gone, or it names none: remove it); or live
 * (another running process, not this one, owns it).
 */
export declare function judgeExistingTable(listing: string | undefined, isAlive: (pid: number) => boolean, ownPid: number): ExistingTable;
/** Whether a process exists (EPERM means it does, owned by someone else). */
export declare function processAlive(pid: number): boolean;
/** Runs `nft` with arguments and optional standard input; `missing` when there is no nft to run. */
export type NftRunner = (args: readonly string[], input?: string) => {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly missing: boolean;
};
export declare const runNft: NftRunner;
export interface KernelRstFilterOptions {
    readonly address: Ipv4Address;
    readonly ports: readonly number[];
    readonly logger: Logger;
    readonly nft?: NftRunner;
    readonly isAlive?: (pid: number) => boolean;
    readonly pid?: number;
    /** Whether to remove the tables when the process exits or dies of a signal (off in unit tests). */
    readonly processHooks?: boolean;
}
/**
 * Installs the tables for each claimed port and removes them on remove(), on process exit (a synchronous
 * 'exit' handler covers process.exit and uncaught exceptions) and on a fatal SIGINT/SIGTERM/SIGHUP (when no
 * one else handles the signal, the tables go and the signal is raised again, so the process dies of it as it
 * would have). SIGKILL leaves them behind; the next start removes them.
 */
export declare class KernelRstFilter {
    private readonly options;
    private readonly installed;
    private readonly nft;
    private readonly pid;
    private readonly onExit;
    private readonly onSignal;
    static install(options: KernelRstFilterOptions): KernelRstFilter;
    private constructor();
    /** The tables this filter installed and has not removed yet. */
    get tables(): readonly string[];
    /** Deletes the tables (synchronously: it runs in 'exit' handlers). Safe to call again. */
    remove(): void;
    private installOne;
    private failure;
    private hookProcess;
    private unhookProcess;
}
