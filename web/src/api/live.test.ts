import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './live.ts';

describe('reconnectDelayMs', () => {
  it('backs off 1, 2, 4 … s with ±25 % jitter, capped at 30 s', () => {
    for (let i = 0; i < 50; i++) {
      const first = reconnectDelayMs(0);
      expect(first).toBeGreaterThanOrEqual(750);
      expect(first).toBeLessThanOrEqual(1250);
      const third = reconnectDelayMs(2);
      expect(third).toBeGreaterThanOrEqual(3000);
      expect(third).toBeLessThanOrEqual(5000);
      expect(reconnectDelayMs(40)).toBeLessThanOrEqual(37_500);
      expect(reconnectDelayMs(40)).toBeGreaterThanOrEqual(22_500);
    }
  });
});
