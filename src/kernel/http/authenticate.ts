import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import { principalFromSession, principalFromToken } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/tables.ts';
import { Problem, unauthorized } from '../problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without authentication (login, health, API docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Name of the browser session cookie. */
export const sessionCookie = 'ct_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates every request to a non-public route: a bearer token (`Authorization: Bearer …`)
 * or the session cookie; cookie-authenticated writes must echo the session's CSRF token in the
 * `X-CSRF-Token` header (synchroniser-token pattern).
 */
export function registerAuthentication(app: FastifyInstance, deps: { db: Kysely<Database>; clock: Clock }): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (request.routeOptions.config?.public || !url || url.startsWith('/api/docs')) return;
    request.principal = await authenticate(request, deps);
  });
}

async function authenticate(request: FastifyRequest, deps: { db: Kysely<Database>; clock: Clock }): Promise<Principal> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized('Authorization must be "Bearer <token>"');
    const principal = await principalFromToken(deps.db, deps.clock, match[1]);
    if (!principal) throw unauthorized('unknown or revoked API token');
    return principal;
  }
  const cookie = request.cookies?.[sessionCookie];
  if (!cookie) throw unauthorized();
  const principal = await principalFromSession(deps.db, deps.clock, cookie);
  if (!principal) throw unauthorized('session expired or signed out; log in again');
  if (!safeMethods.has(request.method) && request.headers['x-csrf-token'] !== principal.csrfToken) {
    throw new Problem(403, 'csrf', 'CSRF 校验失败 CSRF check failed', 'send the X-CSRF-Token header from GET /api/me');
  }
  return principal;
}

/** The authenticated caller of a non-public route. */
export function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
