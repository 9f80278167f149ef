import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { inTransaction } from '../db/unit-of-work.ts';
import { callerOf, sessionCookie } from '../http/authenticate.ts';
import { limits, pageOf, pageQuery } from '../http/paging.ts';
import { maskPhone } from '../privacy.ts';
import { requireInScope, requireRole } from './policy.ts';
import { actorOf, type Principal } from './principal.ts';
import { roleLabels, roleSchema } from './roles.ts';
import { newUserSchema, sessionCloser, sessionOpener, userCreator } from './service.ts';
import * as store from './store.ts';

const meView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  roleLabel: z.string(),
  scope: z.object({ placeId: z.string().nullable(), gridId: z.string().nullable() }),
  csrfToken: z.string().optional().describe('echo it in X-CSRF-Token on cookie-authenticated writes'),
});

const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  phone: z.string().nullable(),
  scopePlaceId: z.string().nullable(),
  scopeGridId: z.string().nullable(),
  disabled: z.boolean(),
});

function presentMe(p: Principal): z.infer<typeof meView> {
  return {
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    role: p.role,
    roleLabel: roleLabels[p.role],
    scope: { placeId: p.scope.placeId, gridId: p.scope.gridId },
    ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
  };
}

/** Users' phones are personal data: only administrators see them whole. */
function presentUser(u: store.UserRow, viewer: Principal): z.infer<typeof userView> {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: roleSchema.parse(u.role),
    phone: viewer.role === 'admin' ? u.phone : maskPhone(u.phone),
    scopePlaceId: u.scope_place_id,
    scopeGridId: u.scope_grid_id,
    disabled: u.disabled === 1,
  };
}

/** Sign-in, sign-out, who am I, and user administration. */
export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth 认证'];

  r.post('/api/auth/login', {
    config: {
      public: true,
      sharedRateLimit: true, // counted across the nodes: the attempts per minute in all
      rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' },
    },
    schema: {
      tags,
      summary: 'Sign in; sets the http-only session cookie and returns the CSRF token',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
      response: { 200: meView },
    },
    handler: async (req, reply) => {
      const result = await inTransaction(ctx.db, ctx.clock, `user:${req.body.username}`, (unit) =>
        sessionOpener(unit, req.body.username, req.body.password, ctx.config.sessionTtlMs),
      );
      void reply.setCookie(sessionCookie, result.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.cookieSecure,
        maxAge: Math.floor(ctx.config.sessionTtlMs / 1000),
      });
      return presentMe(result.principal);
    },
  });

  r.post('/api/auth/logout', {
    schema: { tags, summary: 'Sign out (ends the session)' },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) => sessionCloser(unit, caller));
      void reply.clearCookie(sessionCookie, { path: '/' });
      return reply.status(204).send();
    },
  });

  r.get('/api/me', {
    schema: { tags, summary: 'The signed-in user, their role and scope', response: { 200: meView } },
    handler: async (req) => presentMe(callerOf(req)),
  });

  r.get('/api/users', {
    schema: {
      tags,
      summary: 'List users within your scope (admin, leader)',
      querystring: pageQuery.extend({ role: roleSchema.optional() }),
      response: { 200: pageOf(userView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, ['admin', 'leader'], 'list users');
      const { rows, total } = await store.listUsers(ctx.db, {
        scopePath: caller.scope.path,
        role: req.query.role,
        ...limits(req.query),
      });
      return {
        items: rows.map((u) => presentUser(u, caller)),
        page: req.query.page,
        pageSize: req.query.pageSize,
        total,
      };
    },
  });

  r.post('/api/users', {
    schema: { tags, summary: 'Create a user (admin)', body: newUserSchema, response: { 201: userView } },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, ['admin'], 'create users');
      const row = await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
        if (caller.scope.path !== null) {
          const path = req.body.scopePlaceId ? await store.placePath(unit.tx, req.body.scopePlaceId) : undefined;
          requireInScope(caller, { path: path ?? '/', gridId: caller.scope.gridId }, 'the new user’s scope');
        }
        return userCreator(unit, req.body);
      });
      return reply.status(201).send(presentUser(row, caller));
    },
  });
}
