import { describe, expect, it } from 'vitest';
import { formatW3cDateTime, parseW3cDateTime } from './dates.ts';

describe('W3C date-times (GeoReport v2 "Date/time format")', () => {
  it('reads the specification’s own examples as the same instant', () => {
    const eastern = parseW3cDateTime('1994-11-05T08:15:30-05:00');
    const utc = parseW3cDateTime('1994-11-05T13:15:30Z');
    expect(eastern?.toISOString()).toBe('1994-11-05T13:15:30.000Z');
    expect(utc?.getTime()).toBe(eastern?.getTime());
  });

  it.each([
    ['2026-11-26T09:00:00+08:00', '2026-11-26T01:00:00.000Z'],
    ['2026-11-26T09:00+08:00', '2026-11-26T01:00:00.000Z'],
    ['2026-11-26T09:00:00.5+0800', '2026-11-26T01:00:00.500Z'],
    ['2026-11-26T09:00:00 08:00', '2026-11-26T01:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseW3cDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-11-26T09:00:00', // no zone: the specification requires one
    '2026-11-26',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26T09:00:00+15:00',
    'yesterday',
    '',
  ])('refuses %j', (text) => {
    expect(parseW3cDateTime(text)).toBeNull();
  });

  it('writes instants in the jurisdiction’s offset, to the second', () => {
    expect(formatW3cDateTime('2026-11-26T01:00:00.123Z', 480)).toBe('2026-11-26T09:00:00+08:00');
    expect(formatW3cDateTime(new Date('2010-04-14T14:37:38Z'), -480)).toBe('2010-04-14T06:37:38-08:00');
    expect(formatW3cDateTime('2026-11-26T01:00:00Z', 0)).toBe('2026-11-26T01:00:00Z');
    expect(formatW3cDateTime('2026-11-26T20:00:00Z', 330)).toBe('2026-11-27T01:30:00+05:30');
  });

  it('round-trips', () => {
    const text = formatW3cDateTime('2026-12-31T23:59:59Z', 480);
    expect(parseW3cDateTime(text)?.toISOString()).toBe('2026-12-31T23:59:59.000Z');
  });
});
