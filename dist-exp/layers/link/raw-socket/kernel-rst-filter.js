/**
 * The nftables rule that keeps the kernel out of pilha's way on a raw socket.
 *
 * A raw IPPROTO_TCP socket gets a copy of every incoming TCP segment; the kernel's own TCP still processes the
 * original, finds no socket on pilha's port and answers with a RST (RFC 793's reply to a segment for a closed
 * port), which would tear down every connection pilha accepts. The rule drops those RSTs on their way out:
 * output hook, source pilha's address and port, RST flag set, and not marked with pilha's SO_MARK. pilha's own
 * segments (its own RSTs included) leave through its raw socket carrying that mark, so they pass. Nothing is
 * dropped on input: the input hook runs before raw sockets get their copy.
 *
 * One table per claimed address and port, named after them (`ip pilha_raw_127_0_0_1_7000`), with the owner's
 * PID in its comment: a later start finds a table whose PID is no longer alive (a SIGKILLed pilha) and removes
 * it; one whose PID is alive is another pilha serving there, and the start is refused.
 */
import { spawnSync } from 'node:child_process';
import { PilhaError } from '../../../core/errors.js';
import { formatIpv4 } from '../../../core/ipv4-address.js';
/** The SO_MARK on pilha's raw socket ('pilh'): what tells pilha's RSTs from the kernel's. */
export const PILHA_MARK = 0x7069_6c68;
export function rstFilterTableName(address, port) {
    return `pilha_raw_${formatIpv4(address).replaceAll('.', '_')}_${port}`;
}
/** The rule itself, in nft's syntax. */
export function rstFilterRule(address, port) {
    return `ip saddr ${formatIpv4(address)} tcp sport ${port} tcp flags & rst == rst meta mark != 0x${PILHA_MARK.toString(16)} drop`;
}
const COMMENT_RE = /comment "pilha pid (\d+)\b/;
/** The `nft -f -` script that creates the table, its output chain and the rule, with the owner in a comment. */
export function rstFilterScript(address, port, pid) {
    const where = `${formatIpv4(address)}:${port}`;
    return [
        `table ip ${rstFilterTableName(address, port)} {`,
        `  comment "pilha pid ${pid}: drops the kernel's RSTs from ${where} while pilha serves there"`,
        '  chain output {',
        '    type filter hook output priority filter; policy accept;',
        `    ${rstFilterRule(address, port)}`,
        '  }',
        '}',
        '',
    ].join('\n');
}
/** The owner's PID from `nft list table` output, or undefined when the listing names none. */
export function tableOwnerPid(listing) {
    const m = COMMENT_RE.exec(listing);
    return m === null ? undefined : Number(m[1]);
}
/**
 * What a table found at start means: none; stale (its owner is gone, or it names none: remove it); or live
 * (another running process, not this one, owns it).
 */
export function judgeExistingTable(listing, isAlive, ownPid) {
    if (listing === undefined)
        return { kind: 'absent' };
    const pid = tableOwnerPid(listing);
    if (pid !== undefined && pid !== ownPid && isAlive(pid))
        return { kind: 'live', pid };
    return { kind: 'stale', pid };
}
/** Whether a process exists (EPERM means it does, owned by someone else). */
export function processAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}
export const runNft = (args, input) => {
    const r = spawnSync('nft', args, {
        encoding: 'utf8',
        input,
        timeout: 10_000,
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    const missing = r.error?.code === 'ENOENT';
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing };
};
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/**
 * Installs the tables for each claimed port and removes them on remove(), on process exit (a synchronous
 * 'exit' handler covers process.exit and uncaught exceptions) and on a fatal SIGINT/SIGTERM/SIGHUP (when no
 * one else handles the signal, the tables go and the signal is raised again, so the process dies of it as it
 * would have). SIGKILL leaves them behind; the next start removes them.
 */
export class KernelRstFilter {
    options;
    installed = [];
    nft;
    pid;
    onExit = () => this.remove();
    onSignal = (signal) => {
        // Someone else (a command's graceful shutdown) handles it: it will close the link, which calls remove().
        if (process.listenerCount(signal) > 1)
            return;
        this.remove();
        process.kill(process.pid, signal);
    };
    static install(options) {
        const filter = new KernelRstFilter(options);
        try {
            for (const port of options.ports)
                filter.installOne(port);
        }
        catch (err) {
            filter.remove();
            throw err;
        }
        if (options.processHooks ?? true)
            filter.hookProcess();
        return filter;
    }
    constructor(options) {
        this.options = options;
        this.nft = options.nft ?? runNft;
        this.pid = options.pid ?? process.pid;
    }
    /** The tables this filter installed and has not removed yet. */
    get tables() {
        return this.installed;
    }
    /** Deletes the tables (synchronously: it runs in 'exit' handlers). Safe to call again. */
    remove() {
        this.unhookProcess();
        while (this.installed.length > 0) {
            const table = this.installed.pop();
            const r = this.nft(['delete', 'table', 'ip', table]);
            if (r.status !== 0) {
                this.options.logger.warn({ table, stderr: r.stderr.trim() }, 'removing the nftables table failed');
            }
        }
    }
    installOne(port) {
        const { address, logger } = this.options;
        const table = rstFilterTableName(address, port);
        const listed = this.nft(['list', 'table', 'ip', table]);
        if (listed.missing)
            throw this.failure(port, 'nft was not found (install nftables)');
        const existing = judgeExistingTable(listed.status === 0 ? listed.stdout : undefined, this.options.isAlive ?? processAlive, this.pid);
        const where = `${formatIpv4(address)}:${port}`;
        if (existing.kind === 'live') {
            throw new PilhaError('EADDRINUSE', `${where} is already claimed by pilha pid ${existing.pid} (nftables table ip ${table})`);
        }
        if (existing.kind === 'stale') {
            const deleted = this.nft(['delete', 'table', 'ip', table]);
            if (deleted.status !== 0)
                throw this.failure(port, `nft could not remove stale table ${table}`, deleted);
            logger.warn({ table, pid: existing.pid }, 'removed a stale nftables table left by a pilha that is gone');
        }
        const added = this.nft(['-f', '-'], rstFilterScript(address, port, this.pid));
        if (added.status !== 0)
            throw this.failure(port, 'nft failed', added);
        this.installed.push(table);
        logger.info({ table, rule: rstFilterRule(address, port) }, 'kernel RSTs from pilha port filtered');
    }
    failure(port, why, result) {
        const detail = result?.stderr.trim().split('\n')[0];
        const { address } = this.options;
        return new PilhaError('ERAWLINK', `--link raw needs an nftables rule so the kernel does not reset pilha's connections ` +
            `(table ip ${rstFilterTableName(address, port)}, output hook: ${rstFilterRule(address, port)}), ` +
            `but ${why}${detail ? `: ${detail}` : ''}`);
    }
    hookProcess() {
        process.on('exit', this.onExit);
        for (const signal of SIGNALS)
            process.on(signal, this.onSignal);
    }
    unhookProcess() {
        process.off('exit', this.onExit);
        for (const signal of SIGNALS)
            process.off(signal, this.onSignal);
    }
}
//# sourceMappingURL=kernel-rst-filter.js.map