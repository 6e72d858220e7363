import { describe, expect, it } from 'vitest';
import { SlotMap } from '../../../src/core/slot-map.js';

describe('SlotMap', () => {
  it('sets, gets, replaces and deletes entries by object key', () => {
    const map = new SlotMap<object, string>();
    const a = {};
    const b = {};
    map.set(a, 'a');
    map.set(b, 'b');
    expect(map.size).toBe(2);
    expect(map.get(a)).toBe('a');
    map.set(a, 'a2');
    expect(map.size).toBe(2);
    expect(map.get(a)).toBe('a2');
    expect(map.delete(a)).toBe(true);
    expect(map.delete(a)).toBe(false);
    expect(map.has(a)).toBe(false);
    expect(map.get(a)).toBeUndefined();
    expect(map.get(b)).toBe('b');
    expect(map.keys()).toEqual([b]);
  });

  it('keeps every other entry when one from the middle goes (the last one moves into its slot)', () => {
    const map = new SlotMap<{ n: number }, number>();
    const keys = Array.from({ length: 50 }, (_, n) => ({ n }));
    for (const k of keys) map.set(k, k.n * 10);
    for (const k of keys) if (k.n % 3 === 0) map.delete(k);
    for (const k of keys) {
      expect(map.has(k)).toBe(k.n % 3 !== 0);
      expect(map.get(k)).toBe(k.n % 3 === 0 ? undefined : k.n * 10);
    }
    expect(map.size).toBe(keys.filter((k) => k.n % 3 !== 0).length);
    expect(new Set(map.keys())).toEqual(new Set(keys.filter((k) => k.n % 3 !== 0)));
  });

  it('tells apart two maps that hold the same key, and a key deleted from one and set again', () => {
    const first = new SlotMap<object, number>();
    const second = new SlotMap<object, number>();
    const k = {};
    const other = {};
    first.set(other, 0);
    first.set(k, 1);
    second.set(k, 2);
    expect(first.get(k)).toBe(1);
    expect(second.get(k)).toBe(2);
    first.delete(k);
    expect(second.get(k)).toBe(2);
    expect(first.has(k)).toBe(false);
    first.set(k, 3);
    expect(first.get(k)).toBe(3);
    expect(first.get(other)).toBe(0);
  });

  it('hands out a copy of its keys, so that deleting while going through them is safe', () => {
    const map = new SlotMap<object, undefined>();
    const keys = [{}, {}, {}, {}];
    for (const k of keys) map.set(k, undefined);
    for (const k of map.keys()) map.delete(k);
    expect(map.size).toBe(0);
  });
});
