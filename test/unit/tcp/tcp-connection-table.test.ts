import { describe, expect, it } from 'vitest';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import { TcpConnectionTable } from '../../../src/transport/tcp/tcp-connection-table.js';

const fake = (n: number) => ({ n }) as unknown as TcpConnection;

describe('TcpConnectionTable', () => {
  it('finds, replaces and forgets connections by key; values() is a copy of those present', () => {
    const table = new TcpConnectionTable();
    const a = fake(1);
    const b = fake(2);
    const c = fake(3);
    table.set(10, a);
    table.set(20, b);
    expect(table.get(10)).toBe(a);
    expect(table.has(20)).toBe(true);
    expect(table.size).toBe(2);
    table.set(10, c);
    expect(table.get(10)).toBe(c);
    expect(table.size).toBe(2);
    const values = table.values();
    table.delete(10);
    table.delete(10);
    expect(values).toEqual([c, b]);
    expect(table.get(10)).toBeUndefined();
    expect(table.has(10)).toBe(false);
    expect(table.size).toBe(1);
    expect(table.values()).toEqual([b]);
  });
});
