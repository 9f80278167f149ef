/**
 * The syntax-neutral model both the JSON-LD and the XML reader produce, and the pre-hash builder
 * consumes: the XML view of an event (element or attribute name, trimmed text, children).
 */
export type HashNode = {
  /** Field name: plain for EPCIS standard fields, `{namespace}local` for extension fields. */
  name: string;
  /** Text value ('' for a field that only has children). */
  value: string;
  /** Child fields and, for XML, attributes, in no particular order. */
  children: HashNode[];
  /** Where the field is in the input, for error messages (JSON pointer or XML path). */
  path: string;
};

/** An event as read from a document: its type (`ObjectEvent`, …) and its fields. */
export type HashEvent = {
  eventType: string;
  fields: HashNode[];
  path: string;
};

const ABOVE_SURROGATES = /[\ud800-\uffff]/;

/** Maps a UTF-16 code unit so that comparing mapped units orders strings by code point. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates sort after the rest of the BMP
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Case-sensitive lexical order by Unicode code point, which is the order of the UTF-8 bytes
 * (CBV 2.0 §8.9: "considering UTF-8/ASCII code values of each successive character").
 * `Array.prototype.sort`'s default compares UTF-16 code units, which differs above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  // Below U+D800 code units are code points: the engine's own comparison is the same order.
  if (!ABOVE_SURROGATES.test(a) && !ABOVE_SURROGATES.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Sorts strings in place by {@link compareCodePoints} and returns them. */
export function sortCodePoints(values: string[]): string[] {
  return values.sort(compareCodePoints);
}
