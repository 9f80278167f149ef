import type { CaseState } from '../cases/workflow.ts';
import type { RequestFilter } from './case-port.ts';
import { parseW3cDateTime } from './dates.ts';
import { open311BadRequest } from './errors.ts';
import { type Open311Status, statesWithStatus } from './statuses.ts';

// The query arguments of `GET requests` and `GET servicerequestupdates`, read as GeoReport v2
// says: an empty argument is the same as an absent one ("Optional Arguments"), lists are comma
// delimited, dates carry their zone, and the default is "a span of 90 days or first 1000
// requests returned, whichever is smallest" ("Response Volume").

const day = 24 * 60 * 60 * 1000;
/** The longest span of `start_date`..`end_date`, and the default one (GeoReport v2). */
export const maxSpanMs = 90 * day;
/** The most requests or updates one answer carries (GeoReport v2 "Response Volume"). */
export const maxResults = 1000;

/** Raw query arguments, as strings. */
export type QueryArgs = Record<string, string | undefined>;

const opt = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
const listOf = (v: string | undefined) =>
  opt(v)
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function dateArg(args: QueryArgs, name: string, errors: string[]): Date | undefined {
  const text = opt(args[name]);
  if (text === undefined) return undefined;
  const at = parseW3cDateTime(text);
  if (!at) errors.push(`${name} must be a W3C date-time with its time zone, e.g. 2010-01-01T00:00:00Z`);
  return at ?? undefined;
}

/** Paging (the widely implemented `page` / `page_size` extension, GeoReport v2 Extensions). */
function pageOf(args: QueryArgs, errors: string[]): { limit: number; offset: number } {
  const size = opt(args.page_size);
  const page = opt(args.page);
  const limit = size === undefined ? maxResults : Number(size);
  const n = page === undefined ? 1 : Number(page);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxResults)
    errors.push(`page_size must be a whole number from 1 to ${maxResults}`);
  if (!Number.isInteger(n) || n < 1) errors.push('page must be a whole number from 1');
  return { limit, offset: (n - 1) * limit };
}

/**
 * The date window: both given → as given (at most 90 days); one given → 90 days from or up to
 * it; none → the 90 days up to now.
 */
function windowOf(start: Date | undefined, end: Date | undefined, now: Date, errors: string[]) {
  const to = end ?? (start ? new Date(start.getTime() + maxSpanMs) : now);
  const from = start ?? new Date(to.getTime() - maxSpanMs);
  if (from > to) errors.push('start_date must not be after end_date');
  else if (to.getTime() - from.getTime() > maxSpanMs)
    errors.push('start_date and end_date may not span more than 90 days');
  return { from: from.toISOString(), to: to.toISOString() };
}

/** `GET requests` arguments → the port's filter; throws a 400 with every problem. */
export function requestFilterOf(args: QueryArgs, now: Date): RequestFilter {
  const errors: string[] = [];
  const ids = listOf(args.service_request_id);
  if (ids && ids.length > maxResults) errors.push(`at most ${maxResults} service_request_id at once`);
  const statuses = listOf(args.status);
  let states: CaseState[] | undefined;
  for (const s of statuses ?? []) {
    if (s !== 'open' && s !== 'closed') errors.push(`status must be open or closed, not ${s}`);
    else states = [...(states ?? []), ...statesWithStatus(s as Open311Status)];
  }
  const start = dateArg(args, 'start_date', errors);
  const end = dateArg(args, 'end_date', errors);
  const page = pageOf(args, errors);
  const window = errors.length === 0 ? windowOf(start, end, now, errors) : undefined;
  if (errors.length > 0 || !window) throw open311BadRequest(...errors);
  return { ids, serviceCodes: listOf(args.service_code), states, from: window.from, to: window.to, ...page };
}

/**
 * `GET servicerequestupdates` arguments (mySociety): updates from `start_date` (default: 90 days
 * ago) to `end_date` (default: now), oldest first, at most `page_size`.
 */
export function updatesWindowOf(args: QueryArgs, now: Date): { from: string; to: string; limit: number } {
  const errors: string[] = [];
  const start = dateArg(args, 'start_date', errors);
  const end = dateArg(args, 'end_date', errors);
  const { limit } = pageOf({ page_size: args.page_size }, errors);
  const to = end ?? now;
  const from = start ?? new Date(to.getTime() - maxSpanMs);
  if (errors.length === 0 && from > to) errors.push('start_date must not be after end_date');
  if (errors.length > 0) throw open311BadRequest(...errors);
  return { from: from.toISOString(), to: to.toISOString(), limit };
}
