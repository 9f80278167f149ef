import type { FastifyError, FastifyInstance } from 'fastify';
import { badRequest, type Problem } from '../problems.ts';

/**
 * U+0000 (NUL) in text: PostgreSQL cannot store it in a text column, and SQLite would store it
 * where other tools cut the text short. Every engine refuses it where it enters — in the URL, in
 * JSON text as an escape (`\u0000`, not preceded by an escaping backslash) or as a raw character —
 * so both engines behave alike and nothing fails half-way through a transaction.
 */
export function hasNul(text: string): boolean {
  if (text.includes('\u0000')) return true;
  for (let at = text.indexOf('\\u0000'); at >= 0; at = text.indexOf('\\u0000', at + 1))
    if (!escaped(text, at)) return true;
  return false;
}

/** How deep JSON input may nest: GeoJSON and EPCIS sensor reports need a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `max` — checked on the text before it is
 * parsed, because the code that walks parsed input (the event hash, the checks) recurses, and a
 * body of a few kilobytes of `[[[[…` would exhaust the stack: a 400, not a 500.
 */
export function tooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Over the whole string (most of a document) at once.
      i = text.indexOf('"', i + 1);
      while (i > 0 && escaped(text, i)) i = text.indexOf('"', i + 1);
      if (i < 0) return false; // unterminated: JSON.parse says so
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function escaped(text: string, at: number): boolean {
  let slashes = 0;
  for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) slashes++;
  return slashes % 2 === 1;
}

/**
 * Whether XML text nests elements deeper than `max` (the XML counterpart of {@link tooDeep}):
 * counts start and end tags, skipping comments, CDATA, processing instructions, declarations and
 * quoted attribute values.
 */
export function xmlTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      const end = text.startsWith('<!--', i) ? '-->' : text.startsWith('<![CDATA[', i) ? ']]>' : '>';
      const at = text.indexOf(end, i);
      if (at < 0) return false; // unterminated: the parser says so
      i = at;
      continue;
    }
    if (next === 0x2f /* / */) {
      depth--;
      continue;
    }
    // A start tag: find its end outside quoted attribute values; `/>` closes it at once.
    let quote = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e /* > */) break;
    }
    if (text.charCodeAt(j - 1) !== 0x2f && ++depth > max) return true;
    i = j;
  }
  return false;
}

/** The 400 for JSON nested deeper than {@link MAX_JSON_DEPTH}. */
export function tooDeepProblem(where: string): Problem {
  return badRequest(`${where} nests deeper than ${MAX_JSON_DEPTH} levels`);
}

/** The 400 for U+0000 in `where` (the URL, the body, a field). */
export function nulProblem(where: string): Problem {
  return badRequest(`${where} contains U+0000 (NUL), which cannot be stored; remove it`);
}

/**
 * Guards every route: a URL with `%00` is a 400, and so is a JSON body carrying U+0000 or nested
 * too deep (the app's JSON parser is Fastify's own, with those checks in front). Modules with their own parsers
 * (EPCIS, Open311 forms) check with `hasNul` too.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/i.test(request.url)) throw nulProblem('the URL');
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    const refused = hasNul(text) ? nulProblem('the body') : tooDeep(text) ? tooDeepProblem('the body') : undefined;
    if (refused) {
      done(refused as unknown as FastifyError, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
