import { describe, expect, it } from 'vitest';
import {
  idempotencyKey,
  parseAttributes,
  parseBatchItem,
  parseTelemetry,
  type SignalInput,
  toRecords,
} from './parse.ts';

const now = Date.parse('2026-11-26T02:00:00Z');
const ts = Date.parse('2026-11-26T01:59:00Z');

describe('ThingsBoard telemetry payloads', () => {
  it.each([
    [
      'a flat object: one reading at the receive time',
      { temperature: 21.5, door: 'open' },
      [{ tsMs: now, keys: ['temperature', 'door'] }],
    ],
    ['{ts, values}', { ts, values: { temperature: 22 } }, [{ tsMs: ts, keys: ['temperature'] }]],
    [
      'an array of both forms',
      [{ ts, values: { a: 1 } }, { b: true }],
      [
        { tsMs: ts, keys: ['a'] },
        { tsMs: now, keys: ['b'] },
      ],
    ],
    ['JSON values', { shape: { x: 1 }, list: [1, 2] }, [{ tsMs: now, keys: ['shape', 'list'] }]],
    ['a flat object may have a key named ts', { ts: 5 }, [{ tsMs: now, keys: ['ts'] }]],
  ])('%s', (_name, payload, expected) => {
    const parsed = parseTelemetry(payload, now);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.items.map((i) => ({ tsMs: i.tsMs, keys: Object.keys(i.values) }))).toEqual(expected);
    expect(parsed.items.every((i) => i.kind === 'telemetry')).toBe(true);
  });

  it.each([
    ['a number', 42, '/'],
    ['an empty object', {}, '/'],
    ['an empty array', [], '/'],
    ['a null value', { temperature: null }, '/temperature'],
    ['ts in seconds', { ts: 1_764_000_000, values: { a: 1 } }, '/ts'],
    ['values not an object', { ts, values: [1] }, '/values'],
    ['an unknown field beside ts and values', { ts, values: { a: 1 }, extra: 1 }, '/extra'],
    ['a bad array entry', [{ a: 1 }, 'x'], '/1'],
    ['a detection without confidence', { detection: { type: 'high_altitude_throw' } }, '/detection/confidence'],
    [
      'a confidence above 1',
      { ts, values: { detection: { type: 'x', confidence: 87 } } },
      '/values/detection/confidence',
    ],
    [
      'a snapshot that is no URL',
      { detection: { type: 'x', confidence: 0.9, snapshotUrl: 'c:\\a.jpg' } },
      '/detection/snapshotUrl',
    ],
    ['a message id that is no string', { ts, values: { a: 1 }, id: 7 }, '/id'],
    ['a number beyond the doubles (1e400 parses as Infinity)', JSON.parse('{"t":1e400}'), '/t'],
    ['a negative one', { ts, values: JSON.parse('{"t":-1e400}') }, '/values/t'],
  ])('refuses %s with a pointer', (_name, payload, pointer) => {
    const parsed = parseTelemetry(payload, now);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.pointer)).toContain(pointer);
  });

  it('normalises a detection: vendor code → type, time → ISO, location kept', () => {
    const parsed = parseTelemetry(
      { ts, values: { detection: { type: 890, confidence: 0.8, location: [104.1, 30.6] } } },
      now,
    );
    if (!parsed.ok) throw new Error('refused');
    expect(parsed.items[0]?.values.detection).toEqual({
      type: 'exposed_garbage',
      confidence: 0.8,
      snapshotUrl: null,
      at: new Date(ts).toISOString(),
      location: [104.1, 30.6],
    });
  });

  it('reads attributes as one flat object', () => {
    const parsed = parseAttributes({ firmware: '1.2', model: 'X' }, now);
    expect(parsed.ok && parsed.items[0]?.kind).toBe('attributes');
    expect(parseAttributes([1], now).ok).toBe(false);
  });
});

describe('batch items', () => {
  it('reads a device code, kind, ts, id and values, and points into the batch', () => {
    const errors: { pointer: string; detail: string }[] = [];
    const ok = parseBatchItem({ device: 'CAM-1', ts, id: 'm1', values: { a: 1 } }, now, '/items/0', errors);
    expect(ok?.device).toBe('CAM-1');
    expect(ok?.item).toEqual({ kind: 'telemetry', tsMs: ts, values: { a: 1 }, messageId: 'm1' });
    expect(parseBatchItem({ device: '', values: {} }, now, '/items/3', errors)).toBeUndefined();
    expect(errors.map((e) => e.pointer)).toEqual(['/items/3/device', '/items/3/values']);
  });
});

describe('idempotency keys', () => {
  const item = (over: Partial<SignalInput> = {}): SignalInput => ({
    kind: 'telemetry',
    tsMs: ts,
    values: { a: 1 },
    ...over,
  });
  const key = (i: SignalInput, device = 'd1') => idempotencyKey(device, i, JSON.stringify(i.values));

  it('is the same for the same device, content and time, and differs otherwise', () => {
    expect(key(item())).toBe(key(item()));
    expect(key(item({ tsMs: ts + 1 }))).not.toBe(key(item()));
    expect(key(item({ values: { a: 2 } }))).not.toBe(key(item()));
    expect(key(item(), 'd2')).not.toBe(key(item()));
    expect(key(item({ kind: 'attributes' }))).not.toBe(key(item()));
  });

  it('follows the message id when there is one, whatever the content', () => {
    expect(key(item({ messageId: 'm1', values: { a: 1 } }))).toBe(key(item({ messageId: 'm1', values: { a: 9 } })));
    expect(key(item({ messageId: 'm1' }))).not.toBe(key(item({ messageId: 'm2' })));
  });

  it('starts content keys with the time, so keys arrive in order', () => {
    const a = key(item({ tsMs: ts }));
    const b = key(item({ tsMs: ts + 1000 }));
    expect(a < b).toBe(true);
    expect(toRecords('d1', [item()], now, 'http')[0]).toMatchObject({
      idemKey: key(item()),
      ts: new Date(ts).toISOString(),
      receivedAt: new Date(now).toISOString(),
      payload: '{"a":1}',
      source: 'http',
    });
  });
});
