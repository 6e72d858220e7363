import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import {
  judgeExistingTable,
  KernelRstFilter,
  type NftRunner,
  PILHA_MARK,
  rstFilterRule,
  rstFilterScript,
  rstFilterTableName,
  tableOwnerPid,
} from '../../../src/layers/link/raw-socket/kernel-rst-filter.js';

const LOCALHOST = parseIpv4('127.0.0.1');

/** An nft that keeps tables in a map and records every call. */
function fakeNft(
  tables: Map<string, string> = new Map(),
  opts: { missing?: boolean; failAdd?: string } = {},
) {
  const calls: string[] = [];
  const run: NftRunner = (args, input) => {
    calls.push(args.join(' '));
    const ok = (stdout = '') => ({ status: 0, stdout, stderr: '', missing: false });
    const err = (stderr: string) => ({ status: 1, stdout: '', stderr, missing: false });
    if (opts.missing === true) return { status: -1, stdout: '', stderr: '', missing: true };
    if (args[0] === 'list') {
      const t = tables.get(args[3]!);
      return t === undefined ? err('Error: No such file or directory') : ok(t);
    }
    if (args[0] === 'delete') return tables.delete(args[3]!) ? ok() : err('Error: No such file or directory');
    if (args[0] === '-f') {
      if (opts.failAdd !== undefined) return err(`${opts.failAdd}\nsecond line`);
      const name = /table ip (\S+) \{/.exec(input ?? '')![1]!;
      tables.set(name, input!);
      return ok();
    }
    return err('unexpected');
  };
  return { run, calls, tables };
}

const base = { address: LOCALHOST, ports: [7000], logger: silentLoggers().for('link'), processHooks: false };

describe('the nftables rule text', () => {
  it('names the table after the address and port', () => {
    expect(rstFilterTableName(LOCALHOST, 7000)).toBe('pilha_raw_127_0_0_1_7000');
    expect(rstFilterTableName(parseIpv4('10.1.2.3'), 80)).toBe('pilha_raw_10_1_2_3_80');
  });

  it("drops only RSTs from pilha's address and port that do not carry pilha's mark", () => {
    expect(rstFilterRule(LOCALHOST, 7000)).toBe(
      `ip saddr 127.0.0.1 tcp sport 7000 tcp flags & rst == rst meta mark != 0x${PILHA_MARK.toString(16)} drop`,
    );
  });

  it('puts the rule in an output-hook chain of a table whose comment names the owner', () => {
    const script = rstFilterScript(LOCALHOST, 7000, 4242);
    expect(script).toContain('table ip pilha_raw_127_0_0_1_7000 {');
    expect(script).toContain('type filter hook output priority filter; policy accept;');
    expect(script).toContain(rstFilterRule(LOCALHOST, 7000));
    expect(tableOwnerPid(script)).toBe(4242);
  });

  it("reads the owner back from nft's listing, and nothing from a table that names none", () => {
    const listing =
      'table ip pilha_raw_127_0_0_1_7000 {\n\tcomment "pilha pid 77: drops ..."\n\tchain output {\n';
    expect(tableOwnerPid(listing)).toBe(77);
    expect(tableOwnerPid('table ip pilha_raw_127_0_0_1_7000 {\n}')).toBeUndefined();
  });
});

describe('judgeExistingTable', () => {
  const listing = rstFilterScript(LOCALHOST, 7000, 500);
  it('no table: absent', () => {
    expect(judgeExistingTable(undefined, () => true, 1)).toEqual({ kind: 'absent' });
  });
  it("a dead owner's table is stale", () => {
    expect(judgeExistingTable(listing, () => false, 1)).toEqual({ kind: 'stale', pid: 500 });
  });
  it("a live owner's table is live, unless the owner is this process", () => {
    expect(judgeExistingTable(listing, (pid) => pid === 500, 1)).toEqual({ kind: 'live', pid: 500 });
    expect(judgeExistingTable(listing, () => true, 500)).toEqual({ kind: 'stale', pid: 500 });
  });
  it('a table that names no owner is stale', () => {
    expect(judgeExistingTable('table ip x {\n}', () => true, 1)).toEqual({ kind: 'stale', pid: undefined });
  });
});

describe('KernelRstFilter', () => {
  it('installs one table per port and removes them all', () => {
    const nft = fakeNft();
    const filter = KernelRstFilter.install({ ...base, ports: [7000, 7001], nft: nft.run, pid: 10 });
    expect([...nft.tables.keys()]).toEqual(['pilha_raw_127_0_0_1_7000', 'pilha_raw_127_0_0_1_7001']);
    filter.remove();
    expect(nft.tables.size).toBe(0);
    filter.remove();
    expect(nft.calls.filter((c) => c.startsWith('delete'))).toHaveLength(2);
  });

  it('removes a stale table left by a dead pilha, then installs its own', () => {
    const nft = fakeNft(new Map([['pilha_raw_127_0_0_1_7000', rstFilterScript(LOCALHOST, 7000, 999)]]));
    KernelRstFilter.install({ ...base, nft: nft.run, pid: 10, isAlive: () => false });
    expect(nft.calls).toEqual([
      'list table ip pilha_raw_127_0_0_1_7000',
      'delete table ip pilha_raw_127_0_0_1_7000',
      '-f -',
    ]);
    expect(tableOwnerPid(nft.tables.get('pilha_raw_127_0_0_1_7000')!)).toBe(10);
  });

  it('refuses a port that a running pilha holds, and leaves its table alone', () => {
    const theirs = rstFilterScript(LOCALHOST, 7000, 999);
    const nft = fakeNft(new Map([['pilha_raw_127_0_0_1_7000', theirs]]));
    expect(() =>
      KernelRstFilter.install({ ...base, nft: nft.run, pid: 10, isAlive: () => true }),
    ).toThrowError(/^127\.0\.0\.1:7000 is already claimed by pilha pid 999/);
    expect(nft.tables.get('pilha_raw_127_0_0_1_7000')).toBe(theirs);
  });

  it('without nft, refuses with one line naming the rule it needed', () => {
    const nft = fakeNft(new Map(), { missing: true });
    let error: unknown;
    try {
      KernelRstFilter.install({ ...base, nft: nft.run });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PilhaError);
    const message = (error as PilhaError).message;
    expect((error as PilhaError).code).toBe('ERAWLINK');
    expect(message).not.toContain('\n');
    expect(message).toContain(rstFilterRule(LOCALHOST, 7000));
    expect(message).toMatch(/nft was not found \(install nftables\)$/);
  });

  it("when nft fails, says so with nft's first line, and removes the tables it had already added", () => {
    const tables = new Map<string, string>();
    const nft = fakeNft(tables);
    let calls = 0;
    const failingSecond: NftRunner = (args, input) => {
      if (args[0] === '-f' && ++calls === 2) {
        return { status: 1, stdout: '', stderr: 'Error: Could not process rule\nmore', missing: false };
      }
      return nft.run(args, input);
    };
    expect(() =>
      KernelRstFilter.install({ ...base, ports: [7000, 7001], nft: failingSecond, pid: 10 }),
    ).toThrowError(/but nft failed: Error: Could not process rule$/);
    expect(tables.size).toBe(0);
  });

  it("removes its tables in a process 'exit' handler, which remove() unhooks", () => {
    const nft = fakeNft();
    const before = new Set(process.listeners('exit'));
    const filter = KernelRstFilter.install({ ...base, nft: nft.run, pid: 10, processHooks: true });
    const added = process.listeners('exit').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    expect(nft.tables.size).toBe(1);
    // Called as the process would on exit (emitting 'exit' here would run the test runner's handlers too).
    (added[0] as () => void)();
    expect(nft.tables.size).toBe(0);
    expect(process.listeners('exit')).not.toContain(added[0]);
    filter.remove();
  });
});
