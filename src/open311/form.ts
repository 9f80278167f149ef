import type { FastifyInstance } from 'fastify';
import { nulProblem } from '../kernel/http/input-guards.ts';
import type { AttributeAnswers } from './services.ts';

// GeoReport v2 POST bodies are `application/x-www-form-urlencoded; charset=utf-8`. Fastify parses
// only JSON by itself; this parser is registered inside the Open311 plugin alone.

/** A parsed form: one string per field, a list when the field repeats. */
export type FormFields = Record<string, string | string[]>;

/** Parses a URL-encoded body (WHATWG `URLSearchParams`: `+` is a space, UTF-8 percent-escapes). */
export function parseForm(body: string): FormFields {
  const out: FormFields = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = out[name];
    out[name] = seen === undefined ? value : ([] as string[]).concat(seen, value);
  }
  return { ...out };
}

/**
 * The `attribute` answers of a form: `attribute[code]=v` gives a string and
 * `attribute[code][]=v1&attribute[code][]=v2` a list (GeoReport v2 "POST Service Request").
 */
export function attributesOf(form: FormFields): AttributeAnswers {
  const out: AttributeAnswers = {};
  for (const [name, value] of Object.entries(form)) {
    const m = /^attribute\[([^\][]+)\](\[\])?$/.exec(name);
    if (!m?.[1]) continue;
    const code = m[1];
    if (m[2]) out[code] = ([] as string[]).concat(out[code] ?? [], value);
    else out[code] = value;
  }
  return out;
}

/** Registers the form parser on `app` (an encapsulated plugin, so the rest of the API stays JSON-only). */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    // U+0000 percent-encoded or raw (a form has no JSON escapes).
    if (/%00/i.test(body as string) || (body as string).includes('\u0000'))
      done(nulProblem('the form') as never, undefined);
    else done(null, parseForm(body as string));
  });
}
