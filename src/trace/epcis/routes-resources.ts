/**
 * The top-level resources of the EPCIS 2.0 REST binding: `/eventTypes`, `/epcs`, `/bizSteps`,
 * `/bizLocations`, `/readPoints`, `/dispositions` (the values that occur in the events the caller
 * may read), each value's sub-resources, and its `/events` (the query narrowed to that value).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { requireRole } from '../../kernel/auth/policy.ts';
import { callerOf } from '../../kernel/http/authenticate.ts';
import { eventsQuerier, sendQueryDocument } from './events-querier.ts';
import { cbvXmlFormat, declaredPrefixes, keysetPage, negotiate } from './http.ts';
import { epcisPolicy, visibilityOf } from './policy.ts';
import { collection } from './presenters.ts';
import { noSuchResource, queryParameterProblem } from './problems.ts';
import { queryPrefixes } from './query.ts';
import { distinctEpcs, distinctValues, type ResourceColumn } from './query-store.ts';
import { eventsParams, pageParams, splitPaging } from './schema.ts';

/** Each resource: the column it lists (or EPCs), and the query parameter that narrows events to a value. */
const RESOURCES: ReadonlyArray<{ path: string; column: ResourceColumn | 'epc'; parameter: string; label: string }> = [
  { path: 'eventTypes', column: 'event_type', parameter: 'eventType', label: 'event type' },
  { path: 'epcs', column: 'epc', parameter: 'MATCH_anyEPC', label: 'EPC' },
  { path: 'bizSteps', column: 'biz_step', parameter: 'EQ_bizStep', label: 'business step' },
  { path: 'bizLocations', column: 'biz_location', parameter: 'EQ_bizLocation', label: 'business location' },
  { path: 'readPoints', column: 'read_point', parameter: 'EQ_readPoint', label: 'read point' },
  { path: 'dispositions', column: 'disposition', parameter: 'EQ_disposition', label: 'disposition' },
];

const tags = ['EPCIS 2.0 追溯'];
const token = (v: string) => Buffer.from(v, 'utf8').toString('base64url');
const untoken = (t: string) => Buffer.from(t, 'base64url').toString('utf8');

/** `/epcis/{resource}`, `/epcis/{resource}/{value}`, `/epcis/{resource}/{value}/events`. */
export function resourceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const res of RESOURCES) {
    const list = (vis: ReturnType<typeof visibilityOf>, page: { after?: string | undefined; limit: number }) =>
      res.column === 'epc' ? distinctEpcs(ctx.db, vis, page) : distinctValues(ctx.db, res.column, vis, page);

    r.get(`/epcis/${res.path}`, {
      schema: {
        tags,
        summary: `The ${res.label}s that occur in the events you may read (paged)`,
        querystring: pageParams,
      },
      handler: async (req, reply) => {
        const caller = callerOf(req);
        requireRole(caller, epcisPolicy.read, `list ${res.label}s`);
        let after: string | undefined;
        try {
          after = req.query.nextPageToken ? untoken(req.query.nextPageToken) : undefined;
        } catch {
          throw queryParameterProblem('nextPageToken', 'not a token from this list');
        }
        const values = await list(visibilityOf(caller), { after, limit: req.query.perPage + 1 });
        return collection(keysetPage(req, reply, values, req.query.perPage, token));
      },
    });

    r.get(`/epcis/${res.path}/:value`, {
      schema: { tags, summary: `The sub-resources of one ${res.label}`, params: z.object({ value: z.string() }) },
      handler: async (req) => {
        const caller = callerOf(req);
        requireRole(caller, epcisPolicy.read, `read ${res.label}s`);
        const page = await eventsQuerier(
          ctx.db,
          { [res.parameter]: [req.params.value] },
          {
            visibility: visibilityOf(caller),
            prefixes: queryPrefixes(),
            perPage: 1,
          },
        );
        if (page.events.length === 0) throw noSuchResource(`${res.label} ${req.params.value}`);
        return collection(['events']);
      },
    });

    r.get(`/epcis/${res.path}/:value/events`, {
      schema: {
        tags,
        summary: `Events of one ${res.label}, narrowed further by query parameters; EPCISQueryDocument`,
        params: z.object({ value: z.string() }),
        querystring: eventsParams,
      },
      handler: async (req, reply) => {
        const caller = callerOf(req);
        requireRole(caller, epcisPolicy.read, 'query EPCIS events');
        const syntax = negotiate(req.headers.accept);
        const { params, perPage, nextPageToken } = splitPaging(req.query);
        if (params[res.parameter] !== undefined)
          throw queryParameterProblem(res.parameter, `${res.parameter} is given by the path`);
        const page = await eventsQuerier(
          ctx.db,
          { ...params, [res.parameter]: [req.params.value] },
          {
            visibility: visibilityOf(caller),
            prefixes: queryPrefixes(declaredPrefixes(req.headers['gs1-extensions'])),
            perPage,
            nextPageToken,
          },
        );
        return sendQueryDocument(req, reply, page, {
          queryName: 'SimpleEventQuery',
          creationDate: ctx.clock.now().toISOString(),
          syntax,
          cbvFormat: cbvXmlFormat(req.headers['gs1-cbv-xml-format']),
        });
      },
    });
  }
}
