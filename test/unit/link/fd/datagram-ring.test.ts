import { describe, expect, it } from 'vitest';
import { DatagramRing } from '../../../../src/layers/link/fd/datagram-ring.js';
import { CONTROL, ringRecordBytes } from '../../../../src/layers/link/fd/fd-reader-protocol.js';

/** A producer and a consumer over the same buffers, as the worker and the main thread have them. */
function ringPair(bytes: number): { producer: DatagramRing; consumer: DatagramRing; control: Int32Array } {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.SIZE * 4));
  const ring = new SharedArrayBuffer(bytes);
  return { producer: new DatagramRing(ring, control), consumer: new DatagramRing(ring, control), control };
}

/**
 * Writes a datagram of `length` bytes, each byte (tag + i) & 0xff: 'full' when the ring has no room, else
 * whether the consumer is to be woken.
 */
function produce(producer: DatagramRing, maxLength: number, length: number, tag: number): boolean | 'full' {
  const at = producer.reserve(maxLength);
  if (at < 0) return 'full';
  for (let i = 0; i < length; i++) producer.bytes[at + i] = (tag + i) & 0xff;
  return producer.publish(length);
}

/** Takes one batch: the tag (first byte) and the length of each datagram, checking every byte. */
function consume(consumer: DatagramRing): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!consumer.beginBatch()) return out;
  for (let at = consumer.next(); at >= 0; at = consumer.next()) {
    const tag = consumer.bytes[at]!;
    for (let i = 0; i < consumer.length; i++) expect(consumer.bytes[at + i]).toBe((tag + i) & 0xff);
    out.push([tag, consumer.length]);
  }
  consumer.endBatch();
  return out;
}

describe('DatagramRing', () => {
  it('delivers datagrams in order, whole, in the batch that was published when it began', () => {
    const { producer, consumer } = ringPair(4096);
    expect(consume(consumer)).toEqual([]);
    produce(producer, 100, 1, 1);
    produce(producer, 100, 7, 2);
    produce(producer, 100, 100, 3);
    expect(consumer.beginBatch()).toBe(true);
    // Published after the batch began: the next batch's.
    produce(producer, 100, 5, 4);
    const first: number[] = [];
    for (let at = consumer.next(); at >= 0; at = consumer.next()) first.push(consumer.bytes[at]!);
    consumer.endBatch();
    expect(first).toEqual([1, 2, 3]);
    expect(consume(consumer)).toEqual([[4, 5]]);
  });

  it('takes at most the number of records asked for in one batch, the rest in the next', () => {
    const { producer, consumer } = ringPair(4096);
    for (let i = 0; i < 5; i++) produce(producer, 100, 10, i);
    const tags = (): number[] => {
      const out: number[] = [];
      for (let at = consumer.next(); at >= 0; at = consumer.next()) out.push(consumer.bytes[at]!);
      consumer.endBatch();
      return out;
    };
    expect(consumer.beginBatch(2)).toBe(true);
    expect(tags()).toEqual([0, 1]);
    expect(consumer.beginBatch(2)).toBe(true);
    expect(tags()).toEqual([2, 3]);
    expect(consumer.beginBatch(2)).toBe(true);
    expect(tags()).toEqual([4]);
    expect(consumer.beginBatch(2)).toBe(false);
  });

  it('wraps around the end many times without losing, reordering or corrupting a datagram', () => {
    const { producer, consumer, control } = ringPair(1024);
    const seen: Array<[number, number]> = [];
    const sent: Array<[number, number]> = [];
    let tag = 0;
    for (let round = 0; round < 200; round++) {
      // A few datagrams of varied lengths, then a batch taken: the head and the tail go round the ring.
      let records = 0;
      for (let k = 0; k < 3; k++) {
        const length = 1 + ((round * 37 + k * 11) % 120);
        if (produce(producer, 128, length, tag) !== 'full') {
          sent.push([tag, length]);
          records += ringRecordBytes(length);
        }
        tag = (tag + 1) & 0xff;
      }
      // The backlog is the records waiting, whatever room a wrap skipped.
      expect(producer.backlogBytes()).toBe(records);
      seen.push(...consume(consumer));
    }
    seen.push(...consume(consumer));
    expect(sent.length).toBeGreaterThan(500);
    expect(seen).toEqual(sent);
    // Everything consumed: all the room (wrap records included) is free again.
    expect(Atomics.load(control, CONTROL.IN_FLIGHT_BYTES)).toBe(0);
    expect(Atomics.load(control, CONTROL.SKIPPED_BYTES)).toBe(0);
    expect(Atomics.load(control, CONTROL.CONSUMED_BYTES)).toBe(
      sent.reduce((sum, [, length]) => sum + ringRecordBytes(length), 0),
    );
  });

  it('refuses a datagram when the ring has no contiguous room, and takes one again once the consumer frees it', () => {
    const record = ringRecordBytes(100);
    const { producer, consumer, control } = ringPair(record * 4);
    let accepted = 0;
    while (produce(producer, 100, 100, accepted) !== 'full') accepted++;
    expect(accepted).toBe(4);
    expect(Atomics.load(control, CONTROL.IN_FLIGHT_BYTES)).toBe(4 * record);
    expect(consume(consumer).map(([t]) => t)).toEqual([0, 1, 2, 3]);
    expect(produce(producer, 100, 100, 9)).not.toBe('full');
    expect(consume(consumer)).toEqual([[9, 100]]);
  });

  it('does not skip the end of the ring while the consumer has not left it', () => {
    const record = ringRecordBytes(100);
    const { producer, consumer } = ringPair(record * 3 + 64);
    for (let i = 0; i < 3; i++) expect(produce(producer, 100, 100, i)).not.toBe('full');
    // 64 bytes are left before the end: a wrap is needed, but records still sit at the start.
    expect(producer.reserve(100)).toBe(-1);
    expect(consume(consumer).map(([t]) => t)).toEqual([0, 1, 2]);
    expect(producer.reserve(100)).toBe(4);
  });

  it('sleeps only when nothing waits, and tells the producer to wake a sleeping consumer once', () => {
    const { producer, consumer, control } = ringPair(4096);
    expect(consumer.sleep()).toBe(true);
    expect(Atomics.load(control, CONTROL.SLEEPING)).toBe(1);
    expect(produce(producer, 10, 10, 1)).toBe(true);
    expect(Atomics.load(control, CONTROL.SLEEPING)).toBe(0);
    expect(produce(producer, 10, 10, 2)).toBe(false);
    // Records wait: the consumer stays awake for them.
    expect(consumer.sleep()).toBe(false);
    expect(consume(consumer)).toHaveLength(2);
    expect(consumer.sleep()).toBe(true);
  });

  it('hands over each datagram past its headroom, with its flags, and frees the headroom with the record', () => {
    const { producer, consumer, control } = ringPair(4096);
    const sent: Array<[number, number, number]> = [
      [10, 5, 0],
      [1, 0, 1],
      [15, 65_535 + 10 - 15, 15],
      [10, 3, 1],
    ];
    const records: number[] = [];
    // Rings big enough for the 64 KB datagram: one at a time.
    const big = ringPair(ringRecordBytes(65_545) * 2 + 64);
    for (const [headroom, length, flags] of sent) {
      const ring = length > 1000 ? big : { producer, consumer, control };
      const at = ring.producer.reserve(headroom + length);
      expect(at).toBeGreaterThan(0);
      for (let i = 0; i < headroom; i++) ring.producer.bytes[at + i] = 0xee;
      for (let i = 0; i < length; i++) ring.producer.bytes[at + headroom + i] = (flags + i) & 0xff;
      ring.producer.publish(length, headroom, flags);
      expect(ring.consumer.beginBatch()).toBe(true);
      const got = ring.consumer.next();
      expect(got).toBe(at + headroom);
      expect([ring.consumer.length, ring.consumer.flags]).toEqual([length, flags]);
      for (let i = 0; i < length; i++) expect(ring.consumer.bytes[got + i]).toBe((flags + i) & 0xff);
      expect(ring.consumer.next()).toBe(-1);
      ring.consumer.endBatch();
      records.push(ringRecordBytes(length, headroom));
      expect(Atomics.load(ring.control, CONTROL.IN_FLIGHT_BYTES)).toBe(0);
    }
    expect(records[0]).toBe(ringRecordBytes(15));
    expect(Atomics.load(control, CONTROL.CONSUMED_BYTES)).toBe(records[0]! + records[1]! + records[3]!);
  });
});
