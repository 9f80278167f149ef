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
  for (let at = text.indexOf('\\u0000'); at >= 0; at = text.indexOf('\\u0000', at + 1)) {
    let slashes = 0;
    for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) slashes++;
    if (slashes % 2 === 0) return true;
  }
  return false;
}

/** The 400 for U+0000 in `where` (the URL, the body, a field). */
export function nulProblem(where: string): Problem {
  return badRequest(`${where} contains U+0000 (NUL), which cannot be stored; remove it`);
}

/** PostgreSQL's "invalid byte sequence" (U+0000 in text it was asked to store): a 400, not a 500. */
export function isUnstorableText(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '22021';
}

/**
 * Guards every route: a URL with `%00` is a 400, and so is a JSON body carrying U+0000 (the app's
 * JSON parser is Fastify's own, with that check in front). Modules with their own parsers
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
    if (hasNul(text)) {
      done(nulProblem('the body') as unknown as FastifyError, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
