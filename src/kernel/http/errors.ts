import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isTransientConflict, isUniqueViolation, isUnstorableText } from '../db/retry.ts';
import { conflict, Problem, type ProblemDetails } from '../problems.ts';
import { nulProblem } from './input-guards.ts';

/**
 * The problem details (RFC 9457) of any error a route may throw: our `Problem`s as they are, Zod
 * validation failures with a JSON pointer per issue, Fastify's own 4xx, and anything else as a
 * logged 500 that leaks no stack trace. Modules with a standard error format (EPCIS) map from it.
 */
export function problemOf(error: FastifyError, request: FastifyRequest): ProblemDetails {
  let body: ProblemDetails;
  if (error instanceof Problem) {
    body = error.toJSON(request.url);
  } else if (isUniqueViolation(error)) {
    body = conflict(
      'a concurrent request created the same thing first (a unique key is taken); nothing of this request was stored — reload and decide again',
    ).toJSON(request.url);
  } else if (isTransientConflict(error)) {
    body = new Problem(
      503,
      'busy',
      '系统繁忙 Busy',
      'the database was busy with concurrent changes; nothing of this request was stored — send it again',
    ).toJSON(request.url);
  } else if (isUnstorableText(error)) {
    // A NUL that got past the guards (in text the database was asked to store); the transaction rolled back.
    body = nulProblem('the request').toJSON(request.url);
  } else if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      pointer: `${where === 'body' ? '' : `/${where}`}${v.instancePath}`,
      detail: v.message ?? 'invalid',
    }));
    body = {
      type: 'https://civictwin.org/problems/validation',
      title: '输入无效 Invalid input',
      status: 400,
      detail: errors.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; '),
      instance: request.url,
      errors,
    };
  } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    body = {
      type: `https://civictwin.org/problems/http-${error.statusCode}`,
      title: error.code ?? 'Bad request',
      status: error.statusCode,
      detail: error.message,
      instance: request.url,
    };
  } else {
    request.log.error({ err: error }, 'unhandled error');
    body = {
      type: 'https://civictwin.org/problems/internal',
      title: '服务器内部错误 Internal error',
      status: 500,
      detail: 'the server failed to handle the request; it is logged',
      instance: request.url,
    };
  }
  if (body.status === 429) body.title = '请求过于频繁 Too many requests';
  return body;
}

/** Turns every error into `application/problem+json` (RFC 9457); never leaks a stack trace. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = problemOf(error, request);
    if (body.status === 503) void reply.header('retry-after', '1');
    void reply.status(body.status).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'https://civictwin.org/problems/not-found',
        title: '未找到 Not found',
        status: 404,
        detail: `no route ${request.method} ${request.url.split('?')[0]}`,
        instance: request.url,
      });
  });
}

/**
 * Errors on an open WebSocket (`/api/live`): what a client did wrong — a frame above the size
 * limit, a protocol violation, invalid UTF-8 (the `ws` library's `WS_ERR_*` codes) — is a warning,
 * not an error an operator is paged for; anything else stays an error. Either way the socket ends.
 */
export function webSocketErrorHandler(
  error: Error,
  socket: { terminate(): void },
  request: { log: { warn(o: object, msg: string): void; error(o: object, msg: string): void } },
): void {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_'))
    request.log.warn({ code, detail: error.message }, 'WebSocket client broke the protocol; disconnected');
  else request.log.error({ err: error }, 'WebSocket failed');
  socket.terminate();
}
