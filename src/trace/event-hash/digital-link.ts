/**
 * EPC URI / EPC Class URI / EPC Pattern URI → constrained canonical GS1 Digital Link URI
 * (CBV 2.0 §8.9 steps 17–18; conversions per GS1 EPC Tag Data Standard 2.0 §6–§8 and
 * GS1 Digital Link URI Syntax 1.2 §4.11).
 */

import { RecentMemo } from './memo.ts';

const CANONICAL = 'https://id.gs1.org/';

/** A character of an EPC URI component (TDS 2.0 §5: GS1 AI encodable character set 82, URI-escaped). */
const SAFE = String.raw`(?:%[0-9A-Fa-f]{2}|[!'()*+,\-.0-9:;=A-Z_a-z])`;
/** A character of a CPI component reference (TDS 2.0: `#`, `-`, `/`, digits, upper case letters). */
const CPI_SAFE = String.raw`(?:%2[3dfDF]|[0-9A-Z\-])`;

/** The GS1 mod-10 check digit of a digit string (GS1 General Specifications §7.9.1). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight)
    sum += (digits.charCodeAt(i) - 48) * weight;
  return String((10 - (sum % 10)) % 10);
}

/** Percent-encodes the characters a GS1 Digital Link path segment must not carry raw (DL 1.2 Table 7-1). */
const RESERVED = /[!()*+,:]/;

function encodeSegment(value: string): string {
  if (!RESERVED.test(value)) return value;
  return value.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** GTIN-14 from an EPC company prefix and item reference (whose first digit is the indicator). */
function gtin14(companyPrefix: string, itemReference: string): string | undefined {
  return withCheckDigit(itemReference.slice(0, 1) + companyPrefix + itemReference.slice(1), 14);
}

/** A GS1 key of `length` digits: `digits` (everything but the check digit) + check digit, if it fits. */
function withCheckDigit(digits: string, length: number): string | undefined {
  return digits.length === length - 1 ? digits + gs1CheckDigit(digits) : undefined;
}

/** `https://id.gs1.org/{ai}/{key}{rest}`, or `undefined` when the key could not be formed. */
function link(ai: string, key: string | undefined, rest = ''): string | undefined {
  return key === undefined ? undefined : `${CANONICAL}${ai}/${key}${rest}`;
}

/** GIAI / GINC: company prefix + free reference, at most 30 characters. */
function freeKey(ai: string, companyPrefix: string, reference: string): string | undefined {
  return companyPrefix.length + reference.length <= 30 ? link(ai, companyPrefix + encodeSegment(reference)) : undefined;
}

/** CPID: company prefix + component/part reference, at most 30 characters. */
function cpid(companyPrefix: string, reference: string, rest = ''): string | undefined {
  return companyPrefix.length + reference.length <= 30 ? link('8010', companyPrefix + reference, rest) : undefined;
}

type Converter = { pattern: RegExp; convert: (m: string[]) => string | undefined };

const epc = (scheme: string, rest: string): RegExp => new RegExp(String.raw`^urn:epc:${scheme}:(\d{6,12})\.${rest}$`);

/** TDS 2.0 §6.3 (EPC URI → GS1 element string) and §8 (EPC Class / Pattern URIs), as DL URIs. */
const CONVERTERS: readonly Converter[] = [
  {
    pattern: epc('id:sgtin', String.raw`(\d{1,7})\.(${SAFE}{1,20})`),
    convert: ([, c, i, s]) => link('01', gtin14(c!, i!), `/21/${encodeSegment(s!)}`),
  },
  {
    pattern: epc('id:sscc', String.raw`(\d{5,11})`),
    convert: ([, c, s]) => link('00', withCheckDigit(s!.slice(0, 1) + c + s!.slice(1), 18)),
  },
  {
    pattern: epc('id:sgln', String.raw`(\d{0,6})\.(${SAFE}{1,20})`),
    convert: ([, c, l, e]) => link('414', withCheckDigit(c! + l!, 13), e === '0' ? '' : `/254/${encodeSegment(e!)}`),
  },
  {
    pattern: epc('id:grai', String.raw`(\d{0,6})\.(${SAFE}{1,16})`),
    convert: ([, c, a, s]) => link('8003', withCheckDigit(`0${c}${a}`, 14), encodeSegment(s!)),
  },
  { pattern: epc('id:giai', `(${SAFE}{1,24})`), convert: ([, c, r]) => freeKey('8004', c!, r!) },
  { pattern: epc('id:gsrn', String.raw`(\d{5,11})`), convert: ([, c, s]) => link('8018', withCheckDigit(c! + s!, 18)) },
  {
    pattern: epc('id:gsrnp', String.raw`(\d{5,11})`),
    convert: ([, c, s]) => link('8017', withCheckDigit(c! + s!, 18)),
  },
  {
    pattern: epc('id:gdti', String.raw`(\d{0,6})\.(${SAFE}{0,17})`),
    convert: ([, c, d, s]) => link('253', withCheckDigit(c! + d!, 13), encodeSegment(s!)),
  },
  {
    pattern: epc('id:cpi', String.raw`(${CPI_SAFE}{1,24})\.(\d{1,12})`),
    convert: ([, c, r, s]) => cpid(c!, r!, `/8011/${s}`),
  },
  {
    pattern: epc('id:sgcn', String.raw`(\d{0,6})\.(\d{1,12})`),
    convert: ([, c, r, s]) => link('255', withCheckDigit(c! + r!, 13), s!),
  },
  { pattern: epc('id:ginc', `(${SAFE}{1,24})`), convert: ([, c, r]) => freeKey('401', c!, r!) },
  { pattern: epc('id:gsin', String.raw`(\d{4,10})`), convert: ([, c, s]) => link('402', withCheckDigit(c! + s!, 17)) },
  {
    pattern: epc('id:itip', String.raw`(\d{1,7})\.(\d{2})\.(\d{2})\.(${SAFE}{1,20})`),
    convert: ([, c, i, p, t, s]) => link('8006', gtin14(c!, i!), `${p}${t}/21/${encodeSegment(s!)}`),
  },
  {
    pattern: epc('id:upui', String.raw`(\d{1,7})\.(${SAFE}{1,28})`),
    convert: ([, c, i, s]) => link('01', gtin14(c!, i!), `/235/${encodeSegment(s!)}`),
  },
  { pattern: epc('id:pgln', String.raw`(\d{0,6})`), convert: ([, c, p]) => link('417', withCheckDigit(c! + p!, 13)) },
  {
    pattern: epc('class:lgtin', String.raw`(\d{1,7})\.(${SAFE}{1,20})`),
    convert: ([, c, i, l]) => link('01', gtin14(c!, i!), `/10/${encodeSegment(l!)}`),
  },
  { pattern: epc('idpat:sgtin', String.raw`(\d{1,7})\.\*`), convert: ([, c, i]) => link('01', gtin14(c!, i!)) },
  {
    pattern: epc('idpat:grai', String.raw`(\d{0,6})\.\*`),
    convert: ([, c, a]) => link('8003', withCheckDigit(`0${c}${a}`, 14)),
  },
  {
    pattern: epc('idpat:gdti', String.raw`(\d{0,6})\.\*`),
    convert: ([, c, d]) => link('253', withCheckDigit(c! + d!, 13)),
  },
  {
    pattern: epc('idpat:sgcn', String.raw`(\d{0,6})\.\*`),
    convert: ([, c, r]) => link('255', withCheckDigit(c! + r!, 13)),
  },
  { pattern: epc('idpat:cpi', String.raw`(${CPI_SAFE}{1,24})\.\*`), convert: ([, c, r]) => cpid(c!, r!) },
  {
    pattern: epc('idpat:itip', String.raw`(\d{1,7})\.(\d{2})\.(\d{2})\.\*`),
    convert: ([, c, i, p, t]) => link('8006', gtin14(c!, i!), `${p}${t}`),
  },
  { pattern: epc('idpat:upui', String.raw`(\d{1,7})\.\*`), convert: ([, c, i]) => link('01', gtin14(c!, i!)) },
];

/** The converters by scheme (`id:sgtin`, `class:lgtin`, …): the scheme is read first, then one pattern tried. */
const BY_SCHEME: ReadonlyMap<string, Converter> = new Map(
  CONVERTERS.map((c) => [/^\^urn:epc:([a-z]+:[a-z]+):/.exec(c.pattern.source)![1]!, c]),
);

/**
 * The last few conversions: an event's EPCs are converted for its hash and again for the
 * identifier index, one right after the other (a short ring, compared by identity first).
 */
const RING = 16;
const ringIn: string[] = new Array(RING).fill('');
const ringOut: (string | undefined)[] = new Array(RING).fill(undefined);
let ringNext = 0;

/** Converts an EPC (Class / Pattern) URI to its GS1 Digital Link URI; `undefined` if it is none of them. */
export function epcUriToDigitalLink(uri: string): string | undefined {
  for (let i = 0; i < RING; i++) if (ringIn[i] === uri) return ringOut[i];
  const out = convertEpcUri(uri);
  ringIn[ringNext] = uri;
  ringOut[ringNext] = out;
  ringNext = (ringNext + 1) % RING;
  return out;
}

function convertEpcUri(uri: string): string | undefined {
  if (!uri.startsWith('urn:epc:')) return undefined;
  const kind = uri.indexOf(':', 8);
  const scheme = kind < 0 ? -1 : uri.indexOf(':', kind + 1);
  const converter = scheme < 0 ? undefined : BY_SCHEME.get(uri.slice(8, scheme));
  const m = converter?.pattern.exec(uri);
  return m ? converter!.convert(m) : undefined;
}

/** DL 1.2 §4.5 short names → numeric AIs. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: '01',
  itip: '8006',
  cpid: '8010',
  gln: '414',
  party: '417',
  gsrnp: '8017',
  gsrn: '8018',
  gcn: '255',
  sscc: '00',
  gdti: '253',
  ginc: '401',
  gsin: '402',
  grai: '8003',
  giai: '8004',
  cpv: '22',
  lot: '10',
  ser: '21',
};

/** A character of a GS1 AI value in a DL path (AI encodable character set 82, percent-encoded where needed). */
const X = String.raw`(?:%[0-9A-Fa-f]{2}|["'\-.0-9;-?A-Z_a-z])`;
const anchored = (re: string): RegExp => new RegExp(`^${re}$`);

/** Primary keys allowed in a constrained DL URI, with the syntax of their value. */
const PRIMARY_KEYS: Readonly<Record<string, RegExp>> = {
  '00': anchored(String.raw`\d{18}`),
  '01': anchored(String.raw`\d{14}`),
  '253': anchored(String.raw`\d{13}${X}{0,17}`),
  '255': anchored(String.raw`\d{13}\d{0,12}`),
  '401': anchored(`${X}{1,30}`),
  '402': anchored(String.raw`\d{17}`),
  '414': anchored(String.raw`\d{13}`),
  '417': anchored(String.raw`\d{13}`),
  '8003': anchored(String.raw`\d{14}${X}{0,16}`),
  '8004': anchored(`${X}{1,30}`),
  '8006': anchored(String.raw`\d{18}`),
  '8010': anchored(String.raw`(?:%2[3Ff]|[\-0-9A-Z]){1,30}`),
  '8017': anchored(String.raw`\d{18}`),
  '8018': anchored(String.raw`\d{18}`),
};

/** Key qualifiers kept (CBV 2.0 §8.9 step 18 III): `01 21`, `01 10`, `01 235`, `414 254`, `8006 21|10`, `8010 8011`. */
const QUALIFIERS: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  '01': { '21': anchored(`${X}{1,20}`), '10': anchored(`${X}{1,20}`), '235': anchored(`${X}{1,28}`) },
  '414': { '254': anchored(`${X}{1,20}`) },
  '8006': { '21': anchored(`${X}{1,20}`), '10': anchored(`${X}{1,20}`) },
  '8010': { '8011': anchored(String.raw`\d{1,12}`) },
};

/**
 * Constrains a GS1 Digital Link URI (CBV 2.0 §8.9 step 18): domain → `https://id.gs1.org`, query
 * string dropped, short names → AIs, GTIN padded to 14 digits, CPV (22) dropped, lot (10) dropped
 * when a serial (21) is present. `undefined` if the URI is not a GS1 Digital Link URI.
 */
export function constrainDigitalLink(uri: string): string | undefined {
  const m = /^https?:\/\/[^/?#]+((?:\/[^/?#]*)*)(?:\?[^#]*)?(?:#.*)?$/i.exec(uri);
  if (!m) return undefined;
  const segments = m[1]!.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop();
  const ais = segments.map((s) => SHORT_NAMES[s] ?? s);
  const start = ais.findIndex((ai, i) => ai in PRIMARY_KEYS && /^\d{4}/.test(segments[i + 1] ?? ''));
  if (start < 0 || (ais.length - start) % 2 !== 0) return undefined;

  const key = ais[start]!;
  let keyValue = segments[start + 1]!;
  if (key === '01' && /^(\d{8}|\d{12}|\d{13})$/.test(keyValue)) keyValue = keyValue.padStart(14, '0');
  if (!PRIMARY_KEYS[key]!.test(keyValue)) return undefined;

  const qualifiers = new Map<string, string>();
  for (let i = start + 2; i < ais.length; i += 2) qualifiers.set(ais[i]!, segments[i + 1]!);
  qualifiers.delete('22');
  if (qualifiers.has('21')) qualifiers.delete('10');
  if (qualifiers.size > 1) return undefined;
  let path = `${key}/${keyValue}`;
  for (const [ai, value] of qualifiers) {
    if (!QUALIFIERS[key]?.[ai]?.test(value)) return undefined;
    path += `/${ai}/${value}`;
  }
  return CANONICAL + path;
}

const links = new RecentMemo();

/**
 * Any GS1 identifier URI (EPC URI or Digital Link) → constrained canonical DL URI, else `undefined`.
 * Recent answers are remembered (classes, locations and parties recur; hashing and the store's
 * identifier index convert the same ones).
 */
export function toCanonicalDigitalLink(uri: string): string | undefined {
  if (uri.startsWith('urn:epc:id:')) return epcUriToDigitalLink(uri); // serials rarely repeat: not worth remembering
  let out = links.get(uri);
  if (out === undefined) {
    out = (uri.startsWith('urn:epc:') ? epcUriToDigitalLink(uri) : constrainDigitalLink(uri)) ?? '';
    links.set(uri, out);
  }
  return out === '' ? undefined : out;
}
