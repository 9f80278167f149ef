import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffMs, maxAttempts, signatureOf } from './webhooks.ts';

describe('webhook signatures and backoff', () => {
  it('signs `t.body` with HMAC-SHA256', () => {
    const body = '{"v":1}';
    const expected = createHmac('sha256', 'secret-key-123456').update(`1764118800.${body}`).digest('hex');
    expect(signatureOf('secret-key-123456', 1764118800, body)).toBe(`t=1764118800,v1=${expected}`);
    expect(signatureOf('another-secret-12', 1764118800, body)).not.toBe(
      signatureOf('secret-key-123456', 1764118800, body),
    );
  });

  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [7, 1_920_000],
    [8, 3_600_000],
    [20, 3_600_000],
  ])('waits after %i failures: %i ms', (failures, ms) => {
    expect(backoffMs(failures)).toBe(ms);
  });

  it('gives up after a bounded number of attempts', () => {
    expect(maxAttempts).toBe(8);
  });
});
