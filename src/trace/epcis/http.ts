/**
 * HTTP plumbing of the EPCIS 2.0 REST binding: body parsers for XML and JSON-LD, problem details
 * typed as EPCIS exceptions, the GS1 version headers, content negotiation, and paging tokens.
 */
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemOf } from '../../kernel/http/errors.ts';
import { hasNul, MAX_JSON_DEPTH, tooDeep, xmlTooDeep } from '../../kernel/http/input-guards.ts';
import { badRequest, Problem, type ProblemDetails } from '../../kernel/problems.ts';
import { EpcisProblem, exceptionForStatus, queryParameterProblem } from './problems.ts';
import { CAPTURE_LIMIT } from './validate.ts';
import type { CbvXmlFormat } from './vocabulary.ts';

/** The EPCIS version this repository speaks (GS1-EPCIS-Version header). */
export const EPCIS_VERSION = '2.0.0';
/** The CBV version this repository speaks (GS1-CBV-Version header). */
export const CBV_VERSION = '2.0.0';

/**
 * A JSON body kept as it came: the capture route hands it to the capture thread to parse, and
 * stores it as received (docs/decisions/004).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A 400 (on `/epcis`, a ValidationException) for a body refused before anything is parsed or stored. */
const badRequestError = (message: string) => badRequest(message) as unknown as FastifyError;

/** U+0000 in a body. */
const nulError = () => badRequestError('the document contains U+0000 (NUL), which cannot be stored; remove it');

/** Where JSON bodies stay text (see {@link RawJson}). */
const RAW_JSON_ROUTES: ReadonlySet<string> = new Set(['/epcis/capture']);

/**
 * XML and JSON-LD request bodies: XML stays text (mapped by `xml-read.ts`), JSON is parsed, except
 * for capture, where it stays text too ({@link RawJson}).
 */
export function addEpcisParsers(scope: FastifyInstance): void {
  scope.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => {
    // XML 1.0 has no U+0000, not even as a character reference.
    const text = String(body);
    if (text.includes('\u0000') || /&#(x0*|0+);/i.test(text)) done(nulError(), undefined);
    else if (xmlTooDeep(text))
      done(badRequestError(`the document nests deeper than ${MAX_JSON_DEPTH} elements`), undefined);
    else done(null, body);
  });
  scope.removeContentTypeParser('application/json'); // the app's (input-guards.ts); this one checks the same
  scope.addContentTypeParser(['application/json', 'application/ld+json'], { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    if (hasNul(text)) {
      done(nulError(), undefined);
      return;
    }
    if (req.method === 'POST' && RAW_JSON_ROUTES.has(req.routeOptions.url ?? '')) {
      done(null, new RawJson(text)); // the capture thread checks the depth (capture-prepare.ts)
      return;
    }
    if (tooDeep(text)) {
      done(badRequestError(`the document nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const e = new Error(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`) as FastifyError;
      e.statusCode = 400;
      done(e, undefined);
    }
  });
}

/** The GS1 version headers on every answer of the binding. */
export function addGs1Headers(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_req, reply, payload) => {
    reply.header('GS1-EPCIS-Version', EPCIS_VERSION).header('GS1-CBV-Version', CBV_VERSION);
    return payload;
  });
}

/**
 * Every error on `/epcis` as problem details whose `type` is an EPCIS exception (openapi.yaml):
 * 400 ValidationException / QueryParameterException, 401 and 403 SecurityException (`kind` keeps
 * civictwin's forbidden / outside-scope), 404 NoSuchResourceException, 413 CaptureLimitExceeded…
 */
export function epcisErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let body: ProblemDetails;
  if (error instanceof EpcisProblem) {
    body = error.toJSON(request.url);
  } else {
    const problem = problemOf(error, request);
    const slug = problem.type.slice(problem.type.lastIndexOf('/') + 1);
    let exception: string;
    if (slug === 'validation') {
      const inQuery = problem.errors?.some((e) => e.pointer.startsWith('/querystring')) ?? false;
      exception = inQuery ? 'QueryParameterException' : 'ValidationException';
    } else if (problem.status >= 500) {
      exception = 'ImplementationException';
    } else {
      exception =
        exceptionForStatus[problem.status] ??
        (error instanceof Problem ? 'ImplementationException' : 'ValidationException');
    }
    body = { ...problem, type: `epcisException:${exception}`, ...(error instanceof Problem ? { kind: slug } : {}) };
  }
  if (body.status === 413 && body.type === 'epcisException:CaptureLimitExceededException')
    reply.header('GS1-EPCIS-Capture-Limit', String(CAPTURE_LIMIT));
  void reply.status(body.status).type('application/problem+json').send(body);
}

/** What a client asked for: JSON-LD or XML (406 NotAcceptableException for neither). */
export function negotiate(accept: string | undefined): 'json' | 'xml' {
  if (!accept) return 'json';
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return { type: type.trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of ranges) {
    if (['application/json', 'application/ld+json', '*/*', 'application/*'].includes(type)) return 'json';
    if (['application/xml', 'text/xml', 'text/*'].includes(type)) return 'xml';
  }
  throw new EpcisProblem(
    406,
    'NotAcceptableException',
    '无法提供所需格式 Not acceptable',
    'query results come as application/json, application/ld+json or application/xml',
  );
}

/** `GS1-CBV-XML-Format`: CBV values in XML as Web URIs (default) or URNs. */
export function cbvXmlFormat(header: string | string[] | undefined): CbvXmlFormat {
  return header === 'Always_URN' ? 'urn' : 'web';
}

/** `GS1-Extensions: prefix=namespace, …` declares prefixes for extension fields in query parameters. */
export function declaredPrefixes(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of [header ?? []].flat().join(',').split(',')) {
    const m = /^\s*([A-Za-z][\w.-]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** A page position carried by `nextPageToken`: where to continue, how many were served, for which query. */
export type PageToken = { key: string | number; seq: number; served: number; query: string };

/** A short fingerprint of the query parameters, so a token is only used with the query that made it. */
export function queryFingerprint(params: Record<string, unknown>): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url').slice(0, 16);
}

/** A page position as an opaque `nextPageToken`. */
export function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify([t.key, t.seq, t.served, t.query])).toString('base64url');
}

/** @throws EpcisProblem 400 QueryParameterException for a token that is malformed or from another query. */
export function decodeToken(token: string, query: string): PageToken {
  try {
    const [key, seq, served, q] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (
      (typeof key === 'string' || typeof key === 'number') &&
      typeof seq === 'number' &&
      typeof served === 'number' &&
      q === query
    )
      return { key, seq, served, query: q };
  } catch {
    // fall through
  }
  throw queryParameterProblem(
    'nextPageToken',
    'nextPageToken does not belong to this query (send the same parameters)',
  );
}

/** The `Link: <…>; rel="next"` header for the next page (REST binding paging). */
export function nextLink(request: FastifyRequest, token: string): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('nextPageToken', token);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/**
 * One page of a keyset list read with one row more than `perPage`: the page, and a `Link` header to
 * the next one (its token made from the page's last row) when that extra row came back.
 */
export function keysetPage<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: readonly T[],
  perPage: number,
  tokenOf: (last: T) => string,
): T[] {
  const page = rows.slice(0, perPage);
  const last = page.at(-1);
  if (rows.length > page.length && last !== undefined) reply.header('Link', nextLink(request, tokenOf(last)));
  return page;
}
