import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../kernel/http/authenticate.ts';
import { badRequest, notFound } from '../../kernel/problems.ts';
import { fsmaCsv, fsmaRowsOf, fsmaXlsx } from './fsma-export.ts';
import { traceGraphOf } from './graph.ts';
import { describeIdentifier, isAbsoluteUri, normaliseIdentifier } from './identifiers.ts';
import { tracePage } from './page.ts';
import { traceVisibility } from './policy.ts';
import { presentTrace } from './presenters.ts';
import { recallScoper } from './recall-scoper.ts';
import { directionSchema, recallQuery, recallView, traceQuery, traceView } from './schema.ts';
import { traceSvg } from './svg.ts';
import { lotTracer } from './tracer.ts';

const tags = ['trace 食品追溯'];

/** The queried identifier, normalised as capture indexes identifiers; 400 unless it is an absolute URI. */
function identifierOf(epc: string): string {
  if (!isAbsoluteUri(epc))
    throw badRequest('epc must be an EPC URI (urn:epc:…) or a GS1 Digital Link', [
      { pointer: '/querystring/epc', detail: 'not an absolute URI' },
    ]);
  return normaliseIdentifier(epc);
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a download; strings and buffers with a non-JSON type bypass the JSON response schema. */
function sendFile(reply: FastifyReply, type: string, name: string, body: string | Buffer): FastifyReply {
  return reply.type(type).header('content-disposition', `attachment; filename="${name}"`).send(body);
}

/** A file name for an export: the lot code, else the identifier, in safe characters. */
function fileStem(identifier: string): string {
  const info = describeIdentifier(identifier);
  const stem = info.lot ? `${info.gtin}-${info.lot}` : (info.serial ?? info.key ?? identifier);
  return `recall-${stem.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}`;
}

/**
 * `/api/trace/back`, `/api/trace/forward`, `/api/trace/graph.svg`, `/api/trace/recall` (JSON, CSV,
 * XLSX) and the regulator's page `/trace`. Reads only; who sees which events: policy.ts.
 */
export function traceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const trace = async (caller: ReturnType<typeof callerOf>, epc: string, direction: 'back' | 'forward') => {
    const visibility = traceVisibility(caller, 'trace food');
    const identifier = identifierOf(epc);
    const found = await lotTracer({ db: ctx.db, direction, identifier, visibility });
    if (found.events.length === 0) throw notFound(`an event naming ${identifier} that you may see`);
    return found;
  };

  for (const direction of directionSchema.options) {
    r.get(`/api/trace/${direction}`, {
      schema: {
        tags,
        summary:
          direction === 'back'
            ? 'Trace back (溯源): every event naming the identifier, then its inputs, contents and carriers, to the origins'
            : 'Trace forward (追踪): every event naming the identifier, then its outputs, unpacked contents and carriers, to the consumers',
        querystring: traceQuery,
        response: { 200: traceView },
      },
      handler: async (req) => {
        const found = await trace(callerOf(req), req.query.epc, direction);
        return presentTrace(found, direction, traceGraphOf(found), ctx.clock.now());
      },
    });
  }

  r.get('/api/trace/graph.svg', {
    schema: {
      tags,
      summary: 'The trace graph as SVG, left to right by time (for the trace page)',
      querystring: traceQuery.extend({ direction: directionSchema.default('back') }),
      produces: ['image/svg+xml'],
    },
    handler: async (req, reply) => {
      const found = await trace(callerOf(req), req.query.epc, req.query.direction);
      return reply.type('image/svg+xml; charset=utf-8').send(traceSvg(traceGraphOf(found), found.start));
    },
  });

  r.get('/api/trace/recall', {
    schema: {
      tags,
      summary:
        'Recall scope (召回范围): every downstream lot, location and party that received the lot, with quantities and times; CSV/XLSX: the FSMA 204 sortable spreadsheet',
      querystring: recallQuery,
      produces: ['application/json', 'text/csv', XLSX_TYPE],
      response: { 200: recallView.describe('format=json; csv and xlsx answer the spreadsheet file') },
    },
    handler: async (req, reply) => {
      const visibility = traceVisibility(callerOf(req), 'scope recalls');
      const identifier = identifierOf(req.query.epc);
      const scope = await recallScoper({ db: ctx.db, identifier, visibility });
      if (scope.trace.events.length === 0) throw notFound(`an event naming ${identifier} that you may see`);
      if (req.query.format === 'json') return scope.view;
      const rows = fsmaRowsOf(scope);
      const stem = fileStem(identifier);
      if (req.query.format === 'csv') return sendFile(reply, 'text/csv; charset=utf-8', `${stem}.csv`, fsmaCsv(rows));
      return sendFile(reply, XLSX_TYPE, `${stem}.xlsx`, await fsmaXlsx(rows, ctx.clock.now()));
    },
  });

  r.get('/trace', {
    config: { public: true },
    schema: {
      tags,
      summary: 'The regulator’s trace page (食品追溯查询); its data calls need a signed-in session',
      produces: ['text/html'],
    },
    handler: async (_req, reply) => reply.type('text/html; charset=utf-8').send(tracePage()),
  });
}
