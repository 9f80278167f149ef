/**
 * Named queries and webhook subscriptions (EPCIS 2.0 REST binding `/queries`). A user sees and
 * runs their own named queries (administrators: all); results hold only what the caller may read.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { requireRole } from '../../kernel/auth/policy.ts';
import { actorOf } from '../../kernel/auth/principal.ts';
import { inTransaction } from '../../kernel/db/unit-of-work.ts';
import { callerOf } from '../../kernel/http/authenticate.ts';
import { eventsQuerier, sendQueryDocument } from './events-querier.ts';
import { cbvXmlFormat, keysetPage, negotiate } from './http.ts';
import {
  namedQueryCreator,
  namedQueryLoader,
  namedQueryPrefixes,
  namedQueryRemover,
  presentDelivery,
  presentSubscription,
  subscriptionCreator,
  subscriptionRemover,
} from './named-queries.ts';
import { epcisPolicy, visibilityOf } from './policy.ts';
import { noSuchResource, queryParameterProblem, validationProblem } from './problems.ts';
import { namedQueryInput, pageParams, queryName, subscriptionInput } from './schema.ts';
import * as subs from './subscription-store.ts';

const tags = ['EPCIS 2.0 追溯'];
const nameParams = z.object({ queryName });
const subscriptionParams = z.object({ queryName, subscriptionID: z.string() });

function present(row: subs.NamedQueryRow) {
  return { name: row.name, query: JSON.parse(row.query) as Record<string, unknown>, createdAt: row.created_at };
}

/** `/epcis/queries…` */
export function queryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tx = <T>(actor: string, fn: Parameters<typeof inTransaction<T>>[3]) =>
    inTransaction(ctx.db, ctx.clock, actor, fn);

  r.post('/epcis/queries', {
    schema: { tags, summary: 'Create a named query (EPCIS query language parameters)', body: namedQueryInput },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'create named queries');
      const row = await tx(actorOf(caller), (unit) => namedQueryCreator(unit, caller, req.body));
      return reply.status(201).header('Location', `/epcis/queries/${row.name}`).send(present(row));
    },
  });

  r.get('/epcis/queries', {
    schema: { tags, summary: 'Your named queries (all for an administrator), by name', querystring: pageParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'list named queries');
      const after = req.query.nextPageToken;
      const rows = await subs.listQueries(ctx.db, {
        ownerId: caller.role === 'admin' ? undefined : caller.userId,
        after,
        limit: req.query.perPage + 1,
      });
      return keysetPage(req, reply, rows, req.query.perPage, (last) => last.name).map(present);
    },
  });

  r.get('/epcis/queries/:queryName', {
    schema: { tags, summary: 'A named query’s definition', params: nameParams },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'read named queries');
      return present(await namedQueryLoader(ctx.db, caller, req.params.queryName));
    },
  });

  r.delete('/epcis/queries/:queryName', {
    schema: { tags, summary: 'Delete a named query and its subscriptions', params: nameParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'delete named queries');
      await tx(actorOf(caller), async (unit) =>
        namedQueryRemover(unit, await namedQueryLoader(unit.tx, caller, req.params.queryName)),
      );
      return reply.status(204).send();
    },
  });

  r.get('/epcis/queries/:queryName/events', {
    schema: {
      tags,
      summary: 'Run a named query; EPCISQueryDocument (paged)',
      params: nameParams,
      querystring: pageParams,
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'run named queries');
      const syntax = negotiate(req.headers.accept);
      if (req.headers.upgrade)
        throw queryParameterProblem('Upgrade', 'WebSocket subscriptions are not offered; subscribe a webhook');
      const row = await namedQueryLoader(ctx.db, caller, req.params.queryName);
      const params = JSON.parse(row.query) as Record<string, unknown>;
      const page = await eventsQuerier(ctx.db, params, {
        visibility: visibilityOf(caller),
        prefixes: namedQueryPrefixes(params),
        perPage: req.query.perPage,
        nextPageToken: req.query.nextPageToken,
      });
      return sendQueryDocument(req, reply, page, {
        queryName: row.name,
        creationDate: ctx.clock.now().toISOString(),
        syntax,
        cbvFormat: cbvXmlFormat(req.headers['gs1-cbv-xml-format']),
      });
    },
  });

  r.post('/epcis/queries/:queryName/subscriptions', {
    schema: {
      tags,
      summary:
        'Subscribe a webhook (stream: true, or a schedule); deliveries are signed GS1-Signature: sha256=<HMAC-SHA256>',
      params: nameParams,
      body: subscriptionInput,
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'subscribe to queries');
      const refused = ctx.outbound.refusal(req.body.dest);
      if (refused) throw validationProblem([{ pointer: '/dest', detail: refused }]);
      const row = await tx(actorOf(caller), async (unit) =>
        subscriptionCreator(unit, caller, await namedQueryLoader(unit.tx, caller, req.params.queryName), req.body),
      );
      const location = `/epcis/queries/${row.query_name}/subscriptions/${row.id}`;
      return reply.status(201).header('Location', location).send(presentSubscription(row));
    },
  });

  r.get('/epcis/queries/:queryName/subscriptions', {
    schema: { tags, summary: 'The subscriptions of a named query', params: nameParams },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'read subscriptions');
      const query = await namedQueryLoader(ctx.db, caller, req.params.queryName);
      return (await subs.subscriptionsOf(ctx.db, query.name)).map(presentSubscription);
    },
  });

  r.get('/epcis/queries/:queryName/subscriptions/:subscriptionID', {
    schema: { tags, summary: 'One subscription and its latest deliveries', params: subscriptionParams },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'read subscriptions');
      await namedQueryLoader(ctx.db, caller, req.params.queryName);
      const row = await subs.findSubscription(ctx.db, req.params.queryName, req.params.subscriptionID);
      if (!row) throw noSuchResource(`subscription ${req.params.subscriptionID}`);
      const deliveries = await subs.deliveriesOf(ctx.db, row.id, 20);
      return { ...presentSubscription(row), deliveries: deliveries.map(presentDelivery) };
    },
  });

  r.delete('/epcis/queries/:queryName/subscriptions/:subscriptionID', {
    schema: { tags, summary: 'Unsubscribe', params: subscriptionParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.subscribe, 'unsubscribe');
      await tx(actorOf(caller), async (unit) => {
        await namedQueryLoader(unit.tx, caller, req.params.queryName);
        const row = await subs.findSubscription(unit.tx, req.params.queryName, req.params.subscriptionID);
        if (!row) throw noSuchResource(`subscription ${req.params.subscriptionID}`);
        await subscriptionRemover(unit, row);
      });
      return reply.status(204).send();
    },
  });
}
