import { describe, expect, it } from 'vitest';
import { DEFAULT_TUN_TX_QUEUE_LENGTH, tunReaderParkMs } from '../../../src/layers/link/tun/tun-device.js';

describe('tunReaderParkMs', () => {
  it('is the time the device queue takes to fill at a million datagrams a second, at most 2 ms', () => {
    expect(tunReaderParkMs(DEFAULT_TUN_TX_QUEUE_LENGTH)).toBe(2);
    expect(tunReaderParkMs(500)).toBe(0.5);
    expect(tunReaderParkMs(2000)).toBe(2);
    expect(tunReaderParkMs(100_000)).toBe(2);
  });
});
