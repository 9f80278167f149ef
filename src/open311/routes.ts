import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import type { CasePort, RequestRecord } from './case-port.ts';
import { formatW3cDateTime } from './dates.ts';
import {
  Open311Error,
  open311Forbidden,
  open311NotFound,
  registerOpen311ErrorHandlers,
  sendDocument,
} from './errors.ts';
import { type FormFields, registerFormParser } from './form.ts';
import { keyVerifier } from './keys.ts';
import {
  createdDocument,
  discoveryDocument,
  requestsDocument,
  serviceDefinitionDocument,
  servicesDocument,
  tokenDocument,
  updatesDocument,
} from './presenters.ts';
import { requestFilterOf, updatesWindowOf } from './queries.ts';
import { reportReceiver } from './reports.ts';
import { open311Service, open311Services } from './services.ts';
import { open311Settings } from './settings.ts';
import type { KeyRow } from './store.ts';
import * as store from './store.ts';

// GeoReport v2 at /open311/v2 and Service Discovery at /open311/discovery, in XML and JSON. Reads
// are public, as the standard is; POST requests is authenticated by the app's api_key, not by a
// session. Everything inside answers errors in the GeoReport v2 format (errors.ts).

declare module 'fastify' {
  interface FastifyRequest {
    /** The app whose api_key authenticated an Open311 POST. */
    open311Key?: KeyRow;
  }
}

/** Requests per minute from one client address, across all Open311 routes. */
export const addressRateLimit = 300;
/** When the service catalogue (services.ts) last changed, for Service Discovery. */
const catalogueChangedAt = '2026-11-26T00:00:00.000Z';

const formatParam = z.object({ format: z.string() });
const text = z.string().optional();
// Public in the OpenAPI document: no session or bearer token (POST carries the app's api_key in its body).
const doc = { tags: ['open311 GeoReport v2'], security: [] };
const formatOfParam = (format: string): 'xml' | 'json' => {
  if (format === 'xml' || format === 'json') return format;
  throw open311NotFound(`format ${format} is not served: use .xml or .json`);
};
const jurisdictionArg = { jurisdiction_id: text.describe('only one jurisdiction is served; checked when configured') };

/** GeoReport v2, Service Discovery and the mySociety updates extension, on the case port. */
export function georeportRoutes(app: FastifyInstance, ctx: AppContext, port: CasePort): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  registerOpen311ErrorHandlers(app);
  registerFormParser(app);

  const byAddress = app.createRateLimit({
    max: addressRateLimit,
    timeWindow: 60_000,
    keyGenerator: (req) => `open311-address:${req.ip}`,
  });
  app.addHook('onRequest', async (req, reply) => {
    const limit = await byAddress(req);
    if (!limit.isAllowed && limit.isExceeded) {
      void reply.header('retry-after', limit.ttlInSeconds);
      throw new Open311Error(429, [
        { code: 429, description: `Too many requests from your address; retry in ${limit.ttlInSeconds} s` },
      ]);
    }
  });

  // Reads are public data that browser apps of other origins display (GeoReport v2 has no cookies).
  app.addHook('onSend', async (req, reply) => {
    if (req.method === 'GET') void reply.header('access-control-allow-origin', '*');
  });

  /** 404 for a jurisdiction we are not (only when one is configured: GeoReport v2 "jurisdiction_id"). */
  const checkJurisdiction = async (given: unknown): Promise<string | null> => {
    const value = typeof given === 'string' && given.trim() ? given.trim() : null;
    const { jurisdictionId } = await open311Settings(ctx.db);
    if (value !== null && jurisdictionId !== null && value !== jurisdictionId)
      throw open311NotFound(`jurisdiction_id ${value} not found`);
    return value;
  };
  const requestContext = async () => ({
    offsetMinutes: await port.localOffsetMinutes(ctx.db),
    services: open311Services(),
  });
  const batchCodes = () =>
    open311Services()
      .filter((s) => s.type === 'batch')
      .map((s) => s.code);
  /** Whether a request is public: a batch service's request only once registered (立案). */
  const isPublic = (rec: RequestRecord) => !(rec.state === 'reported' && batchCodes().includes(rec.serviceCode));

  r.get('/discovery.:format', {
    config: { public: true },
    schema: { ...doc, summary: 'Open311 Service Discovery', params: formatParam },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      const settings = await open311Settings(ctx.db);
      const offset = await port.localOffsetMinutes(ctx.db);
      const changedAt = [catalogueChangedAt, settings.changedAt ?? ''].sort().at(-1) ?? catalogueChangedAt;
      return sendDocument(
        reply,
        format,
        discoveryDocument({
          changeset: formatW3cDateTime(changedAt, offset),
          contact: settings.contact,
          keyService: settings.keyService,
          endpointUrl: `${req.protocol}://${req.host}/open311/v2`,
        }),
      );
    },
  });

  r.get('/v2/services.:format', {
    config: { public: true },
    schema: { ...doc, summary: 'GET Service List', params: formatParam, querystring: z.object(jurisdictionArg) },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      return sendDocument(reply, format, servicesDocument(open311Services()));
    },
  });

  r.get('/v2/services/:service_code.:format', {
    config: { public: true },
    schema: {
      ...doc,
      summary: 'GET Service Definition',
      params: formatParam.extend({ service_code: z.string() }),
      querystring: z.object(jurisdictionArg),
    },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      const service = open311Service(req.params.service_code);
      if (!service) throw open311NotFound(`service_code ${req.params.service_code} not found`);
      return sendDocument(reply, format, serviceDefinitionDocument(service));
    },
  });

  r.post('/v2/requests.:format', {
    bodyLimit: 64 * 1024,
    config: {
      public: true,
      sharedRateLimit: true, // one count per key across the nodes
      // Per app: the key's own limit, counted after the key is known (preHandler).
      rateLimit: {
        hook: 'preHandler',
        timeWindow: 60_000,
        keyGenerator: (req: FastifyRequest) => `open311-key:${req.open311Key?.id ?? ''}`,
        max: async (req: FastifyRequest) => req.open311Key?.rate_limit ?? 1,
        errorResponseBuilder: (_req, c) =>
          new Open311Error(429, [
            { code: 429, description: `Too many reports from this api_key; retry in ${c.after}` },
          ]),
      },
    },
    schema: {
      ...doc,
      summary: 'POST Service Request (form-encoded; api_key required)',
      consumes: ['application/x-www-form-urlencoded'],
      params: formatParam,
      body: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    },
    preHandler: [
      async (req) => {
        const body = (req.body ?? {}) as FormFields;
        const given = body.api_key ?? (req.query as Record<string, unknown> | undefined)?.api_key;
        if (typeof given !== 'string' || given.trim() === '')
          throw open311Forbidden('api_key was not provided -- can’t proceed with create_request.');
        const key = await keyVerifier(ctx.db, given.trim());
        if (!key) throw open311Forbidden('Invalid api_key received -- can’t proceed with create_request.');
        req.open311Key = key;
      },
    ],
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      const key = req.open311Key;
      if (!key) throw open311Forbidden('api_key was not provided');
      const form = req.body ?? {};
      const jurisdictionId = await checkJurisdiction(form.jurisdiction_id);
      const received = await inTransaction(ctx.db, ctx.clock, `open311:${key.app_name}`, (unit) =>
        reportReceiver(unit, port, key, form, jurisdictionId),
      );
      const accountId = typeof form.account_id === 'string' && form.account_id.trim() ? form.account_id.trim() : null;
      const answer =
        received.token === null ? { id: received.record.id, token: null } : { id: null, token: received.token };
      return sendDocument(reply, format, createdDocument(answer, received.service.notice, accountId));
    },
  });

  r.get('/v2/requests.:format', {
    config: { public: true },
    schema: {
      ...doc,
      summary: 'GET Service Requests (default: the last 90 days, at most 1,000)',
      params: formatParam,
      querystring: z.object({
        ...jurisdictionArg,
        service_request_id: text.describe('comma-delimited ids; overrides every other argument'),
        service_code: text.describe('comma-delimited service codes'),
        start_date: text.describe('W3C date-time with zone, e.g. 2026-11-01T00:00:00+08:00'),
        end_date: text.describe('W3C date-time with zone; at most 90 days after start_date'),
        status: text.describe('open, closed, or both comma-delimited'),
        page: text.describe('extension: page number from 1'),
        page_size: text.describe('extension: requests per page, at most 1,000'),
      }),
    },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      const filter = requestFilterOf(req.query, ctx.clock.now());
      const records = await port.findRequests(ctx.db, { ...filter, hiddenWhileReported: batchCodes() });
      return sendDocument(reply, format, requestsDocument(records, await requestContext()));
    },
  });

  r.get('/v2/requests/:service_request_id.:format', {
    config: { public: true },
    schema: {
      ...doc,
      summary: 'GET Service Request',
      params: formatParam.extend({ service_request_id: z.string() }),
      querystring: z.object(jurisdictionArg),
    },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      const record = await port.findRequest(ctx.db, req.params.service_request_id);
      if (!record || !isPublic(record))
        throw open311NotFound(`service_request_id ${req.params.service_request_id} not found`);
      return sendDocument(reply, format, requestsDocument([record], await requestContext()));
    },
  });

  r.get('/v2/tokens/:token.:format', {
    config: { public: true },
    schema: {
      ...doc,
      summary: 'GET service_request_id from a token',
      params: formatParam.extend({ token: z.string() }),
      querystring: z.object(jurisdictionArg),
    },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      const report = await store.findReportByToken(ctx.db, req.params.token);
      if (!report) throw open311NotFound(`token ${req.params.token} not found`);
      const record = await port.findRequestOfCase(ctx.db, report.case_id);
      const id = record && isPublic(record) ? record.id : null;
      return sendDocument(reply, format, tokenDocument(id, req.params.token));
    },
  });

  r.get('/v2/servicerequestupdates.:format', {
    config: { public: true },
    schema: {
      ...doc,
      summary: 'mySociety extension: status updates of requests in a time window, oldest first',
      params: formatParam,
      querystring: z.object({
        ...jurisdictionArg,
        start_date: text.describe('W3C date-time with zone; default 90 days before end_date'),
        end_date: text.describe('W3C date-time with zone; default now'),
        page_size: text.describe('at most 1,000'),
        api_key: text.describe('accepted and ignored: updates are public'),
      }),
    },
    handler: async (req, reply) => {
      const format = formatOfParam(req.params.format);
      await checkJurisdiction(req.query.jurisdiction_id);
      const window = updatesWindowOf(req.query, ctx.clock.now());
      const updates = await port.updatesSince(ctx.db, window, window.limit);
      return sendDocument(reply, format, updatesDocument(updates, await port.localOffsetMinutes(ctx.db)));
    },
  });
}
