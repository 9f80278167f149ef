/**
 * Value canonicalisation for pre-hash strings (CBV 2.0 §8.9 steps 5–9 and 14–18).
 */
import { toCanonicalDigitalLink } from './digital-link.ts';
import { EventHashError } from './errors.ts';
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

/**
 * A (non-timestamp) value in its pre-hash form: trimmed (step 5), standard CURIE expanded
 * (step 15), CBV 1.x URN → Web URI (step 14), numbers without trailing zeros (step 6), EPC URIs
 * and GS1 Digital Link URIs → constrained canonical Digital Link (steps 17–18).
 */
export function canonicalValue(raw: string): string {
  let text = expandValueCurie(raw.trim());
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

/**
 * An `xsd:dateTimeStamp` in its pre-hash form (CBV 2.0 §8.9 steps 8–9): UTC with `Z`, exactly
 * three fractional digits, the third rounded up when the fourth is 5–9
 * (`2023-01-18T12:04:03.1415+01:00` → `2023-01-18T11:04:03.142Z`).
 * @throws EventHashError if `raw` is not a date-time with a time zone (its UTC instant is unknown).
 */
export function canonicalTimestamp(raw: string, path: string): string {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) throw new EventHashError(`'${raw}' is not an xsd:dateTimeStamp (date, time and time zone)`, path);
  const [, y, mo, d, h, mi, s, fraction = '', , sign, oh = '0', om = '0'] = m;
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)] as const;
  const at = new Date(0);
  at.setUTCFullYear(fields[0], fields[1] - 1, fields[2]);
  at.setUTCHours(fields[3], fields[4], fields[5], 0);
  const valid =
    at.getUTCFullYear() === fields[0] &&
    at.getUTCMonth() === fields[1] - 1 &&
    at.getUTCDate() === fields[2] &&
    at.getUTCHours() === fields[3] &&
    at.getUTCMinutes() === fields[4] &&
    at.getUTCSeconds() === fields[5];
  if (!valid || Number(oh) > 14 || Number(om) > 59) throw new EventHashError(`'${raw}' is not a valid date-time`, path);
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3)) + (Number(fraction[3] ?? '0') >= 5 ? 1 : 0);
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = new Date(at.getTime() + millis - offsetMinutes * 60_000);
  const iso = utc.toISOString();
  if (!iso.endsWith('Z') || iso.length !== 24) throw new EventHashError(`'${raw}' is out of range`, path);
  return iso;
}
