/**
 * Trace helpers beside the standard binding: `POST /api/trace/event-hashes` (partners check their
 * own CBV 2.0 event hash IDs) and the master data API (`/api/trace/master-data`), where an
 * administrator links locations and parties to twin places and to the enterprises that own them.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { requireRole } from '../../kernel/auth/policy.ts';
import { actorOf } from '../../kernel/auth/principal.ts';
import { inTransaction } from '../../kernel/db/unit-of-work.ts';
import { callerOf } from '../../kernel/http/authenticate.ts';
import { pageOf } from '../../kernel/http/paging.ts';
import { badRequest, forbidden, outsideScope } from '../../kernel/problems.ts';
import { EventHashError, eventHashesOfDocument } from '../event-hash/index.ts';
import { normaliseIdentifier } from './extract.ts';
import { masterDataLinker, VTYPE, vocabularyAliases } from './master-data.ts';
import { epcisPolicy, visibilityOf } from './policy.ts';
import { masterDataInput, masterDataView, vocabularyAlias } from './schema.ts';
import * as store from './store.ts';

const tags = ['trace 食品追溯'];

function presentMasterData(row: store.MasterDataRow): z.infer<typeof masterDataView> {
  return {
    vocabulary: row.vocabulary,
    id: row.id,
    uri: row.uri,
    name: row.name,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    children: JSON.parse(row.children) as string[],
    placeId: row.place_id,
    ownerId: row.owner_id,
    updatedAt: row.updated_at,
  };
}

/** `/api/trace/event-hashes`, `/api/trace/master-data`. */
export function traceApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/trace/event-hashes', {
    schema: {
      tags,
      summary: 'CBV 2.0 event hash IDs and pre-hash strings of every event of an EPCIS document (JSON-LD or XML)',
      response: { 200: z.object({ hashes: z.array(z.string()), prehashes: z.array(z.string()) }) },
    },
    handler: async (req) => {
      requireRole(callerOf(req), epcisPolicy.read, 'compute event hashes');
      const xml = typeof req.body === 'string';
      try {
        return eventHashesOfDocument({
          contentType: xml ? 'xml' : 'json',
          body: xml ? (req.body as string) : JSON.stringify(req.body ?? null),
        });
      } catch (error) {
        if (!(error instanceof EventHashError)) throw error;
        throw badRequest(error.message, [{ pointer: error.path, detail: error.message }]);
      }
    },
  });

  r.get('/api/trace/master-data', {
    schema: {
      tags,
      summary: 'EPCIS master data of one vocabulary (regulators: within their scope; enterprises: their own)',
      querystring: z.object({
        vocabulary: vocabularyAlias,
        after: z.string().optional().describe('the last id of the previous page'),
        pageSize: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: { 200: pageOf(masterDataView).omit({ page: true, total: true }) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'read master data');
      const vis = visibilityOf(caller);
      const rows = await store.listMasterData(ctx.db, {
        vocabulary: vocabularyAliases[req.query.vocabulary],
        ownerId: vis.kind === 'own' ? vis.userId : undefined,
        scopePath: vis.kind === 'scope' ? vis.path : undefined,
        ...(req.query.after ? { after: req.query.after } : {}),
        limit: req.query.pageSize,
      });
      return { items: rows.map(presentMasterData), pageSize: req.query.pageSize };
    },
  });

  r.put('/api/trace/master-data/:vocabulary', {
    schema: {
      tags,
      summary:
        'Create or change one master data element; administrators link it to a twin place and an owning enterprise',
      params: z.object({ vocabulary: vocabularyAlias }),
      body: masterDataInput,
      response: { 200: masterDataView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'describe master data');
      const vocabulary = vocabularyAliases[req.params.vocabulary];
      const { id, placeId, ownerId, ...rest } = req.body;
      const row = await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
        if (caller.role === 'admin') return masterDataLinker(unit, vocabulary, id, { ...rest, placeId, ownerId });
        if (caller.role !== 'enterprise' || placeId !== undefined || ownerId !== undefined)
          throw forbidden(`the ${caller.role} role may not link master data to places or owners`);
        const existing = await store.findMasterData(unit.tx, vocabulary, normaliseIdentifier(id));
        if (existing ? existing.owner_id !== caller.userId : vocabulary !== VTYPE.epcClass)
          throw outsideScope(`${id} is not yours to describe`);
        return masterDataLinker(unit, vocabulary, id, { ...rest, ...(existing ? {} : { ownerId: caller.userId }) });
      });
      return presentMasterData(row);
    },
  });
}
