/**
 * The EPCIS 2.0 REST binding at `/epcis` (openapi.yaml of the standard): capture, events, and
 * (in sibling files) the top-level resources and named queries; plus `/api/trace/…` helpers.
 * Every route is authenticated; answers carry GS1-EPCIS-Version and GS1-CBV-Version, errors are
 * problem details typed as EPCIS exceptions.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { requireRole } from '../../kernel/auth/policy.ts';
import { actorOf } from '../../kernel/auth/principal.ts';
import { sqliteOf } from '../../kernel/db/connection.ts';
import { inTransaction } from '../../kernel/db/unit-of-work.ts';
import { callerOf } from '../../kernel/http/authenticate.ts';
import { captureAcceptor, jobRunner, newJob } from './capture.ts';
import { captureThread } from './capture-pool.ts';
import { type PrepareRequest, problemOfData } from './capture-prepare.ts';
import { captureWorkerOf } from './capture-worker.ts';
import { eventsQuerier, sendQueryDocument } from './events-querier.ts';
import {
  addEpcisParsers,
  addGs1Headers,
  CBV_VERSION,
  cbvXmlFormat,
  declaredPrefixes,
  EPCIS_VERSION,
  epcisErrorHandler,
  keysetPage,
  negotiate,
  RawJson,
} from './http.ts';
import { epcisPolicy, visibilityOf } from './policy.ts';
import { collection, presentCaptureJob } from './presenters.ts';
import { EpcisProblem, noSuchResource, validationProblem } from './problems.ts';
import { queryPrefixes } from './query.ts';
import { eventById } from './query-store.ts';
import { queryRoutes } from './routes-queries.ts';
import { resourceRoutes } from './routes-resources.ts';
import { traceApiRoutes } from './routes-trace.ts';
import { eventsParams, pageParams, splitPaging } from './schema.ts';
import * as store from './store.ts';
import { registerEpcisWork } from './subscriptions.ts';
import { CAPTURE_LIMIT, type ErrorBehaviour } from './validate.ts';

const tags = ['EPCIS 2.0 追溯'];

/** Discovery headers (OPTIONS): versions and, for capture, the limits and error behaviours. */
function discovery(reply: FastifyReply, allow: string, capture = false, bodyLimit = 0) {
  reply.header('Allow', allow).header('GS1-EPCIS-Min', EPCIS_VERSION).header('GS1-EPCIS-Max', EPCIS_VERSION);
  reply
    .header('GS1-CBV-Min', CBV_VERSION)
    .header('GS1-CBV-Max', CBV_VERSION)
    .header('GS1-EPC-Format', 'Never_Translates');
  if (capture)
    reply
      .header('GS1-EPCIS-Capture-Limit', String(CAPTURE_LIMIT))
      .header('GS1-EPCIS-Capture-File-Size-Limit', String(bodyLimit))
      .header('GS1-Capture-Error-Behaviour', 'all');
  return reply.status(204).send();
}

function errorBehaviour(header: string | string[] | undefined): ErrorBehaviour {
  if (header === undefined || header === 'rollback') return 'rollback';
  if (header === 'proceed') return 'proceed';
  throw validationProblem([{ pointer: '/headers/GS1-Capture-Error-Behaviour', detail: 'rollback or proceed' }]);
}

/** A capture request body as the capture thread takes it: the text as received, JSON or XML. */
function bodyText(body: unknown): { syntax: 'json' | 'xml'; text: string } {
  if (body instanceof RawJson) return { syntax: 'json', text: body.text };
  if (typeof body === 'string') return { syntax: 'xml', text: body };
  return { syntax: 'json', text: JSON.stringify(body ?? null) };
}

/** Registers the `/epcis` binding and the `/api/trace` helpers. */
export function epcisRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerEpcisWork(ctx);
  void app.register(async (scope) => {
    addEpcisParsers(scope);
    addGs1Headers(scope);
    scope.setErrorHandler(epcisErrorHandler);
    captureRoutes(scope, ctx);
    resourceRoutes(scope, ctx);
    queryRoutes(scope, ctx);
  });
  void app.register(async (scope) => {
    addEpcisParsers(scope);
    traceApiRoutes(scope, ctx);
  });
}

function captureRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/epcis', {
    schema: { tags, summary: 'The top-level resources of this EPCIS repository' },
    handler: async (req) => {
      requireRole(callerOf(req), epcisPolicy.read, 'use the EPCIS interface');
      return collection([
        'queries',
        'capture',
        'events',
        'eventTypes',
        'epcs',
        'readPoints',
        'bizLocations',
        'dispositions',
        'bizSteps',
      ]);
    },
  });
  for (const [url, allow] of [
    ['/epcis', 'OPTIONS, GET'],
    ['/epcis/events', 'OPTIONS, GET, POST'],
    ['/epcis/queries', 'OPTIONS, GET, POST'],
  ] as const) {
    r.options(url, {
      schema: { tags, summary: 'Discovery: versions supported' },
      handler: async (_req, reply) => discovery(reply, allow),
    });
  }
  r.options('/epcis/capture', {
    schema: { tags, summary: 'Discovery: capture limits (GS1-EPCIS-Capture-Limit …) and error behaviours' },
    handler: async (_req, reply) => discovery(reply, 'OPTIONS, POST, GET', true, ctx.config.bodyLimit),
  });

  r.post('/epcis/capture', {
    schema: {
      tags,
      summary: 'Capture an EPCISDocument (JSON-LD or XML by Content-Type); 202 with the capture job in Location',
      description:
        'Asynchronous (EPCIS 2.0 REST binding): the document is checked (JSON Schema, CBV vocabularies, extension ' +
        'namespaces, time stamps, the caller’s locations), stored as a capture job and answered 202 with the job ' +
        '(running: true) in Location; the capture worker then stores its events, and the job reports success or ' +
        'errors (GET the Location). A job accepted before a restart is run after it. ' +
        'GS1-Capture-Error-Behaviour: rollback (default, all or nothing) or proceed (store every valid event). ' +
        `At most ${CAPTURE_LIMIT} events per call. An invalid document is a 400 ValidationException with a JSON pointer ` +
        '(or XML path) per problem, and nothing is stored; an eventID that already names another stored event is ' +
        'an error of the job (409 ResourceAlreadyExistsException in its errors). An enterprise captures only at ' +
        'locations linked to it (403 otherwise).',
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.capture, 'capture EPCIS events');
      const behaviour = errorBehaviour(req.headers['gs1-capture-error-behaviour']);
      const request: PrepareRequest = { ...bodyText(req.body), behaviour, recordTime: ctx.clock.now().toISOString() };
      const preparation = captureThread.prepare(request);
      const outcome = await preparation.checked;
      if (!outcome.ok) throw problemOfData(outcome.problem);
      const job = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        captureAcceptor(unit, caller, request, outcome.checked),
      );
      captureWorkerOf(ctx).accepted(job.id, preparation.prepared);
      return reply.status(202).header('Location', `/epcis/capture/${job.id}`).send(presentCaptureJob(job));
    },
  });

  r.get('/epcis/capture', {
    schema: { tags, summary: 'Capture jobs (yours; all for an administrator), newest first', querystring: pageParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'read capture jobs');
      const before = req.query.nextPageToken ? decodeJobToken(req.query.nextPageToken) : undefined;
      const rows = await store.listJobs(ctx.db, {
        createdBy: caller.role === 'admin' ? undefined : caller.userId,
        before,
        limit: req.query.perPage + 1,
      });
      return keysetPage(req, reply, rows, req.query.perPage, encodeJobToken).map(presentCaptureJob);
    },
  });

  r.get('/epcis/capture/:captureID', {
    schema: {
      tags,
      summary: 'A capture job: running (queued or being stored), then success or errors',
      params: z.object({ captureID: z.string() }),
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'read capture jobs');
      const job = await store.findJob(ctx.db, req.params.captureID);
      if (!job) throw noSuchResource(`capture job ${req.params.captureID}`);
      if (caller.role !== 'admin' && job.created_by !== caller.userId)
        throw new EpcisProblem(
          403,
          'SecurityException',
          '超出管辖范围 Outside your scope',
          'another user’s capture job',
          { kind: 'outside-scope' },
        );
      return presentCaptureJob(job);
    },
  });

  r.post('/epcis/events', {
    schema: { tags, summary: 'Capture one event (JSON-LD with its @context); 201 with its Location' },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.capture, 'capture EPCIS events');
      if (typeof req.body === 'string')
        throw new EpcisProblem(
          415,
          'UnsupportedMediaTypeException',
          '不支持的格式 Unsupported media type',
          'POST /events takes one JSON-LD event',
        );
      const request: PrepareRequest = {
        syntax: 'event',
        text: req.body instanceof RawJson ? req.body.text : JSON.stringify(req.body ?? null),
        behaviour: 'rollback',
        recordTime: ctx.clock.now().toISOString(),
      };
      const outcome = await captureThread.prepare(request, false).prepared;
      if (!outcome.ok) throw problemOfData(outcome.problem);
      const { prepared } = outcome;
      const job = await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
        const accepted = newJob(caller, request, prepared);
        await store.insertJob(unit.tx, accepted);
        return jobRunner(unit, caller, accepted, prepared, { sqlite: sqliteOf(ctx.db), notify: ctx.events.wake });
      });
      if (job.success !== 1) {
        const errors = JSON.parse(job.errors) as { detail?: string }[];
        throw new EpcisProblem(
          409,
          'ResourceAlreadyExistsException',
          '事件标识已存在 eventID taken',
          errors[0]?.detail ?? 'conflict',
        );
      }
      const eventId = prepared.explicit[0]?.[1] ?? (JSON.parse(prepared.hashes) as string[])[0] ?? '';
      const stored = await eventById(ctx.db, eventId, { kind: 'all' });
      return reply
        .status(201)
        .header('Location', `/epcis/events/${encodeURIComponent(eventId)}`)
        .type('application/ld+json')
        .send(stored?.document ?? '{}');
    },
  });

  r.get('/epcis/events', {
    schema: {
      tags,
      summary: 'Query events (EPCIS query language parameters in the query string); EPCISQueryDocument',
      description:
        'Lists use `|` (EQ_bizStep=shipping|receiving). Paging: perPage (default 30, at most 1000) and nextPageToken ' +
        '(from the Link header). Accept: application/json, application/ld+json or application/xml. Extension fields ' +
        'in parameter names use prefixes declared in GS1-Extensions (`example=https://ns.example.com/epcis/`).',
      querystring: eventsParams,
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'query EPCIS events');
      const syntax = negotiate(req.headers.accept);
      const { params, perPage, nextPageToken } = splitPaging(req.query);
      const page = await eventsQuerier(ctx.db, params, {
        visibility: visibilityOf(caller),
        prefixes: queryPrefixes(declaredPrefixes(req.headers['gs1-extensions'])),
        perPage,
        nextPageToken,
      });
      return sendQueryDocument(req, reply, page, {
        queryName: 'SimpleEventQuery',
        creationDate: ctx.clock.now().toISOString(),
        syntax,
        cbvFormat: cbvXmlFormat(req.headers['gs1-cbv-xml-format']),
      });
    },
  });

  r.get('/epcis/events/:eventID', {
    schema: {
      tags,
      summary: 'One event by eventID, as an EPCISQueryDocument',
      params: z.object({ eventID: z.string() }),
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, epcisPolicy.read, 'query EPCIS events');
      const syntax = negotiate(req.headers.accept);
      const event = await eventById(ctx.db, req.params.eventID, visibilityOf(caller));
      if (!event) throw noSuchResource(`event ${req.params.eventID}`);
      return sendQueryDocument(
        req,
        reply,
        { events: [event] },
        {
          queryName: 'SimpleEventQuery',
          creationDate: ctx.clock.now().toISOString(),
          syntax,
          cbvFormat: cbvXmlFormat(req.headers['gs1-cbv-xml-format']),
        },
      );
    },
  });
}

const encodeJobToken = (row: store.JobRow) =>
  Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
function decodeJobToken(token: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // fall through
  }
  throw validationProblem([{ pointer: '/query/nextPageToken', detail: 'not a token from this list' }]);
}
