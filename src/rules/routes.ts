import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireRole } from '../kernel/auth/policy.ts';
import { actorOf } from '../kernel/auth/principal.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { pageOf, pageQuery } from '../kernel/http/paging.ts';
import { outsideScope } from '../kernel/problems.ts';
import { alarmRoutes } from './alarm-routes.ts';
import { rulesPolicy } from './policy.ts';
import {
  presentRule,
  requireRuleWritable,
  ruleCreator,
  ruleLoader,
  ruleRemover,
  ruleUpdater,
  ruleVisible,
} from './rules.ts';
import { ruleInput, ruleVersionView, ruleView } from './schema.ts';
import * as store from './store.ts';

const tags = { tags: ['rules 规则'] };
const idParams = z.object({ id: z.string() });

/** `/api/rules`: rules as versioned data; and the alarms they raise (`/api/alarms`, `/api/twin/state`). */
export function rulesRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tx = <T>(actor: string, fn: Parameters<typeof inTransaction<T>>[3]) =>
    inTransaction(ctx.db, ctx.clock, actor, fn);

  r.get('/api/rules', {
    schema: {
      ...tags,
      summary: 'List rules (those of the whole system and of places in or above your scope)',
      querystring: pageQuery.extend({
        enabled: z.enum(['true', 'false']).optional(),
        deviceKind: z.string().optional().describe('rules that watch this device kind (or every kind)'),
      }),
      response: { 200: pageOf(ruleView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readRules, 'read rules');
      const q = req.query;
      const all = (await store.allRules(ctx.db))
        .filter((row) => ruleVisible(row, caller.scope))
        .map(presentRule)
        .filter((rule) => q.enabled === undefined || String(rule.enabled) === q.enabled)
        .filter(
          (rule) =>
            q.deviceKind === undefined || !rule.scope.deviceKinds || rule.scope.deviceKinds.includes(q.deviceKind),
        );
      const start = (q.page - 1) * q.pageSize;
      return { items: all.slice(start, start + q.pageSize), page: q.page, pageSize: q.pageSize, total: all.length };
    },
  });

  r.get('/api/rules/:id', {
    schema: { ...tags, summary: 'One rule', params: idParams, response: { 200: ruleView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readRules, 'read rules');
      const row = await ruleLoader(ctx.db, req.params.id);
      if (!ruleVisible(row, caller.scope)) throw outsideScope(`rule ${row.code} is outside your scope`);
      return presentRule(row);
    },
  });

  r.get('/api/rules/:id/versions', {
    schema: {
      ...tags,
      summary: 'Every version of a rule, newest first',
      params: idParams,
      response: { 200: z.array(ruleVersionView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readRules, 'read rules');
      const row = await ruleLoader(ctx.db, req.params.id);
      if (!ruleVisible(row, caller.scope)) throw outsideScope(`rule ${row.code} is outside your scope`);
      return (await store.ruleVersions(ctx.db, row.id)).map((v) => ({
        version: Number(v.version),
        changedAt: v.changed_at,
        changedBy: v.changed_by,
        rule: JSON.parse(v.rule),
      }));
    },
  });

  r.post('/api/rules', {
    schema: { ...tags, summary: 'Create a rule (version 1)', body: ruleInput, response: { 201: ruleView } },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.writeRules, 'write rules');
      const row = await tx(actorOf(caller), (unit) => ruleCreator(unit, req.body, caller.scope));
      return reply.status(201).send(presentRule(row));
    },
  });

  r.put('/api/rules/:id', {
    schema: {
      ...tags,
      summary: 'Replace a rule: a new version; window states of the old version are not reused',
      params: idParams,
      body: ruleInput,
      response: { 200: ruleView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.writeRules, 'write rules');
      const row = await tx(actorOf(caller), async (unit) => {
        const before = await ruleLoader(unit.tx, req.params.id);
        requireRuleWritable(before, caller.scope);
        return ruleUpdater(unit, before, req.body, caller.scope);
      });
      return presentRule(row);
    },
  });

  r.delete('/api/rules/:id', {
    schema: { ...tags, summary: 'Remove a rule (its alarms and versions stay)', params: idParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.writeRules, 'write rules');
      await tx(actorOf(caller), async (unit) => {
        const row = await ruleLoader(unit.tx, req.params.id);
        requireRuleWritable(row, caller.scope);
        await ruleRemover(unit, row);
      });
      return reply.status(204).send();
    },
  });

  alarmRoutes(app, ctx);
}
