import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { Problem } from '../kernel/problems.ts';
import { element, leaf, list, toSparkJson, toXml, type XNode } from './xml.ts';

// GeoReport v2 "Errors": `<errors><error><code/><description/></error></errors>` (JSON: an array of
// {code, description}), with HTTP 404 for what does not exist, 403 for a missing or wrong api_key,
// and 400 for every other request that cannot be fulfilled — including "General service error",
// which the specification answers with 400 too. Rate limits answer 429 (with Retry-After), which
// clients and proxies understand better than a 400.

/** One GeoReport v2 error. */
export type Open311ErrorItem = { code: number; description: string };

/** An error to answer in the GeoReport v2 format. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429,
    readonly items: readonly Open311ErrorItem[],
  ) {
    super(items.map((i) => i.description).join('; '));
  }
}

/** 400 with one error per description. */
export const open311BadRequest = (...descriptions: string[]) =>
  new Open311Error(
    400,
    descriptions.map((description) => ({ code: 400, description })),
  );
/** 403: missing or invalid api_key (the description says which). */
export const open311Forbidden = (description: string) => new Open311Error(403, [{ code: 403, description }]);
/** 404: the resource does not exist. */
export const open311NotFound = (description: string) => new Open311Error(404, [{ code: 404, description }]);

/** The format a client asked for: the resource's extension (`services.json`); XML, the required one, otherwise. */
export function formatOf(url: string): 'xml' | 'json' {
  return /\.json$/i.test(url.split('?')[0] ?? '') ? 'json' : 'xml';
}

/** Sends a document in the format asked for, with the content types of GeoReport v2 "Format Support". */
export function sendDocument(reply: FastifyReply, format: 'xml' | 'json', doc: XNode, status = 200): FastifyReply {
  return format === 'json'
    ? reply
        .status(status)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(toSparkJson(doc)))
    : reply.status(status).type('text/xml; charset=utf-8').send(toXml(doc));
}

/** The errors document. */
export function errorsDocument(items: readonly Open311ErrorItem[]): XNode {
  return list(
    'errors',
    items.map((i) => element('error', [leaf('code', i.code), leaf('description', i.description)])),
  );
}

/** Whatever went wrong, as a GeoReport v2 error. */
export function open311ErrorOf(error: unknown, request: FastifyRequest): Open311Error {
  if (error instanceof Open311Error) return error;
  if (error instanceof Problem) {
    const details = (error.extensions.errors as { pointer: string; detail: string }[] | undefined) ?? [];
    const items = [error.message, ...details.map((d) => `${d.pointer || '/'}: ${d.detail}`)].map((description) => ({
      code: error.status,
      description,
    }));
    if (error.status === 403 || error.status === 404) return new Open311Error(error.status, items);
    return new Open311Error(error.status === 429 ? 429 : 400, items);
  }
  const e = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = e.validationContext ?? 'body';
    return open311BadRequest(...e.validation.map((v) => `${where}${v.instancePath}: ${v.message ?? 'invalid'}`));
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const status = e.statusCode === 429 || e.statusCode === 403 || e.statusCode === 404 ? e.statusCode : 400;
    return new Open311Error(status, [{ code: e.statusCode, description: e.message }]);
  }
  request.log.error({ err: error }, 'open311 request failed');
  return new Open311Error(400, [{ code: 500, description: 'General service error; it is logged, please tell us' }]);
}

/**
 * Answers every error and unknown route inside the Open311 plugin in the GeoReport v2 format
 * (the app's problem+json handlers stay in force everywhere else).
 */
export function registerOpen311ErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const e = open311ErrorOf(error, request);
    return sendDocument(reply, formatOf(request.url), errorsDocument(e.items), e.status);
  });
  app.setNotFoundHandler((request, reply) =>
    sendDocument(
      reply,
      formatOf(request.url),
      errorsDocument([{ code: 404, description: `no resource ${request.method} ${request.url.split('?')[0]}` }]),
      404,
    ),
  );
}
