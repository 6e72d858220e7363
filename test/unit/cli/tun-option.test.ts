import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addStackOptions } from '../../../src/cli/stack-options.js';
import type { PilhaError } from '../../../src/core/errors.js';

async function parse(args: string[]): Promise<unknown> {
  const program = new Command('pilha').exitOverride();
  let ran = false;
  addStackOptions(program.command('up'))
    .exitOverride()
    .action(() => {
      ran = true;
    });
  try {
    await program.parseAsync(['node', 'pilha', 'up', ...args]);
  } catch (err) {
    return err;
  }
  return ran ? 'ran' : 'not run';
}

// A probe's `pilha up --link tap --tun t1` made a TAP device named pilhatap0 and said nothing of --tun.
describe('--tun names the device of --link tun only', () => {
  it('with --link tap or packet it is a usage mistake, pointing at --device', async () => {
    for (const link of ['tap', 'packet', 'raw']) {
      const err = (await parse(['--link', link, '--tun', 't1'])) as PilhaError;
      expect(err.code).toBe('EBADOPTION');
      expect(err.message).toBe(
        `--tun names the device of --link tun; with --link ${link}, ${link === 'raw' ? 'there is no device' : 'use --device'}`,
      );
    }
  });

  it('with --device as well it is one name too many', async () => {
    const err = (await parse(['--tun', 't1', '--device', 't2'])) as PilhaError;
    expect(err.code).toBe('EBADOPTION');
    expect(err.message).toBe('--tun and --device both name the TUN device: give one');
  });

  it('alone, or its default with any link, is fine', async () => {
    expect(await parse(['--tun', 't1'])).toBe('ran');
    expect(await parse(['--link', 'tap'])).toBe('ran');
    expect(await parse(['--link', 'tap', '--device', 'tap1'])).toBe('ran');
  });
});
