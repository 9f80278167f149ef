/**
 * Value canonicalisation for pre-hash strings (CBV 2.0 §8.9 steps 5–9 and 14–18).
 */
import { epcUriToDigitalLink, toCanonicalDigitalLink } from './digital-link.ts';
import { EventHashError } from './errors.ts';
import { RecentMemo } from './memo.ts';
import { CBV_URN_PREFIXES, VALUE_CURIE_PREFIXES } from './vocab.ts';

/** A decimal number as Python's `float()` reads it: sign, digits with single `_` separators, fraction, exponent. */
const DECIMAL = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/**
 * A number in its pre-hash form (CBV 2.0 §8.9 step 6: no trailing zeros, e.g. `1.0` → `1`,
 * `0.34340` → `0.3434`). Spelled like the reference implementation's `str(float)`: integral
 * values as exact integers (`1e3` → `1000`), others in shortest round-trip form, with an exponent
 * (`1e-05`) below 1e-4.
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  if (Math.abs(n) >= 1e-4) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** `text` as a canonical number if it is one (`26.0` → `26`, `+05` → `5`), else `undefined`. */
export function canonicalNumber(text: string): string | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text.replaceAll('_', ''));
  return Number.isFinite(n) ? formatNumber(n) : undefined;
}

/** Expands a standard CURIE in a value (`gs1:Temperature`, `cbv:BizStep-receiving`; CBV 2.0 §8.9 step 15). */
export function expandValueCurie(text: string): string {
  const colon = text.indexOf(':');
  if (colon <= 0) return text;
  const base = VALUE_CURIE_PREFIXES[text.slice(0, colon)];
  return base === undefined ? text : base + text.slice(colon + 1);
}

const values = new RecentMemo();

/** Letters, digits, `_` and `-` only, starting with a letter: no CURIE, URI, number or space to canonicalise. */
function isPlainWord(text: string): boolean {
  const first = text.charCodeAt(0);
  if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45)) return false;
  }
  return true;
}

/**
 * A (non-timestamp) value in its pre-hash form: trimmed (step 5), standard CURIE expanded
 * (step 15), CBV 1.x URN → Web URI (step 14), numbers without trailing zeros (step 6), EPC URIs
 * and GS1 Digital Link URIs → constrained canonical Digital Link (steps 17–18).
 */
export function canonicalValue(raw: string): string {
  if (isPlainWord(raw)) return raw; // ADD, KGM, in_transit …: nothing to expand, convert or trim
  if (raw.startsWith('urn:epc:id:')) {
    // Instance identifiers (serials) rarely repeat: converting costs less than remembering (steps 17–18).
    const text = raw.trim();
    return epcUriToDigitalLink(text) ?? text;
  }
  let out = values.get(raw);
  if (out === undefined) {
    out = canonicalValueOf(raw);
    values.set(raw, out);
  }
  return out;
}

function canonicalValueOf(raw: string): string {
  let text = expandValueCurie(raw.trim());
  if (text.startsWith('urn:epcglobal:cbv:'))
    for (const [urn, web] of CBV_URN_PREFIXES) {
      if (text.startsWith(urn)) {
        text = web + text.slice(urn.length);
        break;
      }
    }
  return canonicalNumber(text) ?? toCanonicalDigitalLink(text) ?? text;
}

const TIMESTAMP =
  /^(-?\d{4,})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Days in a month of the proleptic Gregorian calendar (as `Date` counts them). */
const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * An `xsd:dateTimeStamp` in its pre-hash form (CBV 2.0 §8.9 steps 8–9): UTC with `Z`, exactly
 * three fractional digits, the third rounded up when the fourth is 5–9
 * (`2023-01-18T12:04:03.1415+01:00` → `2023-01-18T11:04:03.142Z`). Validation, hashing and the
 * store read the same timestamps in turn: recent ones are remembered (`path` only names a failure).
 * @throws EventHashError if `raw` is not a date-time with a time zone (its UTC instant is unknown).
 */
export function canonicalTimestamp(raw: string, path: string): string {
  if (isCanonicalUtc(raw)) return raw;
  let out = times.get(raw);
  if (out === undefined) {
    out = canonicalTimestampOf(raw, path);
    times.set(raw, out);
  }
  return out;
}

const times = new RecentMemo();

const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Already in pre-hash form (`2026-11-01T00:00:00.000Z`, what `toISOString` writes) and a real day. */
function isCanonicalUtc(raw: string): boolean {
  const m = CANONICAL_UTC.exec(raw);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function canonicalTimestampOf(raw: string, path: string): string {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) throw new EventHashError(`'${raw}' is not an xsd:dateTimeStamp (date, time and time zone)`, path);
  const [, y, mo, d, h, mi, s, fraction = '', , sign, oh = '0', om = '0'] = m;
  const [year, month, day, hour, minute, second] = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
  // Years below 100 would be read as 19xx by Date.UTC; BCE years are rare: both take setUTCFullYear.
  let at: number;
  if (year >= 100) at = Date.UTC(year, month - 1, day, hour, minute, second);
  else {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    at = date.getTime();
  }
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number.isFinite(at);
  if (!valid || Number(oh) > 14 || Number(om) > 59) throw new EventHashError(`'${raw}' is not a valid date-time`, path);
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3)) + (Number(fraction[3] ?? '0') >= 5 ? 1 : 0);
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = new Date(at + millis - offsetMinutes * 60_000);
  const iso = Number.isNaN(utc.getTime()) ? '' : utc.toISOString();
  if (!iso.endsWith('Z') || iso.length !== 24) throw new EventHashError(`'${raw}' is out of range`, path);
  return iso;
}
