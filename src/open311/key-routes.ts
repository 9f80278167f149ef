import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { actorOf, type Principal } from '../kernel/auth/principal.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { notFound } from '../kernel/problems.ts';
import { keyIssuer, keyRevoker, newKeySchema } from './keys.ts';
import { open311Settings, open311SettingsPatch, open311SettingsSchema, open311SettingsUpdater } from './settings.ts';
import * as store from './store.ts';

// Administration of Open311: API keys per app and the installation's Open311 settings. A key lets
// an app create cases anywhere in the district, so only an administrator of the whole system
// manages them (403 forbidden for other roles, 403 outside-scope for a scoped admin).

const keyView = z.object({
  id: z.string(),
  appName: z.string(),
  prefix: z.string().describe('the first characters of the key, to tell keys apart'),
  rateLimit: z.number().int().describe('reports per minute'),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** A key as admins see it: never the key or its hash. */
export function presentKey(k: store.KeyRow): z.infer<typeof keyView> {
  return {
    id: k.id,
    appName: k.app_name,
    prefix: k.key_prefix,
    rateLimit: Number(k.rate_limit),
    createdBy: k.created_by,
    createdAt: k.created_at,
    lastUsedAt: k.last_used_at,
    revokedAt: k.revoked_at,
  };
}

function requireOpen311Admin(caller: Principal): void {
  requireRole(caller, ['admin'], 'manage Open311');
  requireInScope(caller, { path: '/', gridId: null }, 'Open311, which covers the whole system,');
}

/** `/api/open311/keys` and `/api/open311/settings`, for administrators of the whole system. */
export function open311AdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['open311 GeoReport v2'];

  r.get('/api/open311/keys', {
    schema: { tags, summary: 'Open311 API keys (admin)', response: { 200: z.object({ items: z.array(keyView) }) } },
    handler: async (req) => {
      requireOpen311Admin(callerOf(req));
      return { items: (await store.listKeys(ctx.db)).map(presentKey) };
    },
  });

  r.post('/api/open311/keys', {
    schema: {
      tags,
      summary: 'Issue an API key for an app; the key is shown once (admin)',
      body: newKeySchema,
      response: { 201: keyView.extend({ key: z.string().describe('give it to the app; it is stored hashed') }) },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireOpen311Admin(caller);
      const { row, key } = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) => keyIssuer(unit, req.body));
      return reply.status(201).send({ ...presentKey(row), key });
    },
  });

  r.delete('/api/open311/keys/:id', {
    schema: { tags, summary: 'Revoke an API key (admin)', params: z.object({ id: z.string() }) },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireOpen311Admin(caller);
      await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
        const row = await store.findKey(unit.tx, req.params.id);
        if (!row) throw notFound(`Open311 key ${req.params.id}`);
        await keyRevoker(unit, row);
      });
      return reply.status(204).send();
    },
  });

  r.get('/api/open311/settings', {
    schema: {
      tags,
      summary: 'Open311 settings: jurisdiction_id, discovery texts (admin)',
      response: { 200: open311SettingsSchema },
    },
    handler: async (req) => {
      requireOpen311Admin(callerOf(req));
      const { changedAt: _, ...settings } = await open311Settings(ctx.db);
      return settings;
    },
  });

  r.put('/api/open311/settings', {
    schema: {
      tags,
      summary: 'Change Open311 settings (admin)',
      body: open311SettingsPatch,
      response: { 200: open311SettingsSchema },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireOpen311Admin(caller);
      return inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) => open311SettingsUpdater(unit, req.body));
    },
  });
}
