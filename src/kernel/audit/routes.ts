import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { requireInScope, requireRole } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { callerOf } from '../http/authenticate.ts';
import { auditPage, auditTrail, verifyAuditLog } from './audit.ts';

const recordView = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  hash: z.string(),
});

/** The whole log is readable only by an administrator whose scope is the whole system. */
function requireAuditor(caller: Principal): void {
  requireRole(caller, ['admin'], 'read the audit log');
  requireInScope(caller, { path: '/', gridId: null }, 'the system-wide audit log');
}

/** The audit log, for administrators: a subject's trail, the latest records, a verification. */
export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit 审计'];
  r.get('/api/audit', {
    schema: {
      tags,
      summary: 'Audit records: a subject’s trail, or the newest records (admin)',
      querystring: z.object({
        subjectType: z.string().optional(),
        subjectId: z.string().optional(),
        before: z.coerce.number().int().optional().describe('records before this seq'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: z.object({ items: z.array(recordView) }) },
    },
    handler: async (req) => {
      requireAuditor(callerOf(req));
      const q = req.query;
      const records =
        q.subjectType && q.subjectId
          ? await auditTrail(ctx.db, q.subjectType, q.subjectId)
          : await auditPage(ctx.db, { limit: q.limit, beforeSeq: q.before });
      return {
        items: records.map((rec) => ({
          ...rec,
          before: rec.before === null ? null : JSON.parse(rec.before),
          after: rec.after === null ? null : JSON.parse(rec.after),
        })),
      };
    },
  });
  r.get('/api/audit/verify', {
    schema: { tags, summary: 'Recompute the hash chain (admin)' },
    handler: async (req) => {
      requireAuditor(callerOf(req));
      return verifyAuditLog(ctx.db);
    },
  });
}
