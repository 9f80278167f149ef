import { describe, expect, it } from 'vitest';
import { Open311Error } from './errors.ts';
import { requestFilterOf, updatesWindowOf } from './queries.ts';

const now = new Date('2026-11-26T01:00:00Z');
const errorsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof Open311Error) return err.items.map((i) => i.description);
    throw err;
  }
  throw new Error('did not throw');
};

describe('GET requests arguments', () => {
  it('defaults to the 90 days up to now and 1,000 requests', () => {
    expect(requestFilterOf({}, now)).toEqual({
      ids: undefined,
      serviceCodes: undefined,
      states: undefined,
      from: '2026-08-28T01:00:00.000Z',
      to: '2026-11-26T01:00:00.000Z',
      limit: 1000,
      offset: 0,
    });
  });

  it('treats empty arguments as absent and splits comma lists', () => {
    const f = requestFilterOf(
      { service_code: 'a, b,', status: 'closed', start_date: '', service_request_id: '', page: '2', page_size: '10' },
      now,
    );
    expect(f.serviceCodes).toEqual(['a', 'b']);
    expect(f.states).toEqual(['verified', 'closed', 'evaluated', 'voided']);
    expect(f.ids).toBeUndefined();
    expect([f.limit, f.offset]).toEqual([10, 10]);
  });

  it('takes a window from one date, and refuses one longer than 90 days', () => {
    expect(requestFilterOf({ start_date: '2026-01-01T00:00:00+08:00' }, now)).toMatchObject({
      from: '2025-12-31T16:00:00.000Z',
      to: '2026-03-31T16:00:00.000Z',
    });
    expect(
      errorsOf(() => requestFilterOf({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }, now)),
    ).toEqual(['start_date and end_date may not span more than 90 days']);
  });

  it('reports every malformed argument at once', () => {
    expect(
      errorsOf(() =>
        requestFilterOf({ start_date: '2026-01-01', end_date: 'soon', status: 'pending', page_size: '5000' }, now),
      ),
    ).toEqual([
      'status must be open or closed, not pending',
      'start_date must be a W3C date-time with its time zone, e.g. 2010-01-01T00:00:00Z',
      'end_date must be a W3C date-time with its time zone, e.g. 2010-01-01T00:00:00Z',
      'page_size must be a whole number from 1 to 1000',
    ]);
    expect(
      errorsOf(() => requestFilterOf({ start_date: '2026-02-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' }, now)),
    ).toEqual(['start_date must not be after end_date']);
  });
});

describe('GET servicerequestupdates arguments', () => {
  it('runs from start_date to now, or the last 90 days', () => {
    expect(updatesWindowOf({ start_date: '2026-11-25T00:00:00Z' }, now)).toEqual({
      from: '2026-11-25T00:00:00.000Z',
      to: '2026-11-26T01:00:00.000Z',
      limit: 1000,
    });
    expect(updatesWindowOf({}, now).from).toBe('2026-08-28T01:00:00.000Z');
    expect(errorsOf(() => updatesWindowOf({ start_date: '25/11/2026' }, now))[0]).toMatch(/^start_date must be/);
  });
});
