/**
 * Runs an EPCIS query for a caller: parses the parameters, enforces maxEventCount and
 * eventCountLimit (EPCIS 2.0 §8.2.7.1), and pages with an opaque token (REST binding `perPage`,
 * `nextPageToken`). Used by `/events`, the top-level resources, named queries and subscriptions.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import { decodeToken, encodeToken, nextLink, type PageToken, queryFingerprint } from './http.ts';
import type { EventVisibility } from './policy.ts';
import { queryDocumentJson, queryDocumentXmlOf } from './presenters.ts';
import { EpcisProblem } from './problems.ts';
import { type EventQuery, parseEventQuery } from './query.ts';
import { countMatching, type QueriedEvent, queryEvents, sortColumn } from './query-store.ts';
import type { CbvXmlFormat } from './vocabulary.ts';

/** Most events on one page (`perPage` above it is served as this many). */
export const MAX_PER_PAGE = 1000;

/** One page of results and the token of the next, if any. */
export type EventsPage = { events: QueriedEvent[]; nextToken?: string };

/** Runs `params` (query language parameters) for a caller who may read `vis`. */
export async function eventsQuerier(
  db: Executor,
  params: Record<string, unknown>,
  options: {
    visibility: EventVisibility;
    prefixes: Map<string, string>;
    perPage: number;
    nextPageToken?: string | undefined;
    /** Record-order window (subscriptions). */
    afterSeq?: number;
    uptoSeq?: number;
  },
): Promise<EventsPage> {
  const fingerprint = queryFingerprint(params);
  const token = options.nextPageToken ? decodeToken(options.nextPageToken, fingerprint) : undefined;
  const query = await parseEventQuery(params, { db, prefixes: options.prefixes });
  if (query.maxEventCount !== undefined && !token) {
    const n = await countMatching(db, query, options.visibility, query.maxEventCount + 1);
    if (n > query.maxEventCount)
      throw new EpcisProblem(
        413,
        'QueryTooLargeException',
        '查询结果过多 Query too large',
        `more than maxEventCount=${query.maxEventCount} events match`,
      );
  }
  const served = token?.served ?? 0;
  const remaining = query.eventCountLimit === undefined ? Number.POSITIVE_INFINITY : query.eventCountLimit - served;
  const limit = Math.max(0, Math.min(Math.min(options.perPage, MAX_PER_PAGE), remaining));
  if (limit === 0) return { events: [] };
  const rows = await queryEvents(db, query, options.visibility, {
    limit: limit + 1,
    ...(token ? { after: { key: token.key, seq: token.seq } } : {}),
    ...(options.afterSeq !== undefined ? { afterSeq: options.afterSeq } : {}),
    ...(options.uptoSeq !== undefined ? { uptoSeq: options.uptoSeq } : {}),
  });
  const events = rows.slice(0, limit);
  const more = rows.length > limit && events.length < remaining;
  const last = events.at(-1);
  if (!more || !last) return { events };
  const next: PageToken = {
    key: keyOf(query, last),
    seq: last.seq,
    served: served + events.length,
    query: fingerprint,
  };
  return { events, nextToken: encodeToken(next) };
}

function keyOf(query: EventQuery, row: QueriedEvent): string | number {
  const column = sortColumn(query);
  return column === 'seq' ? row.seq : row[column];
}

/** Sends events as an EPCISQueryDocument in the negotiated syntax, with the `Link` to the next page. */
export function sendQueryDocument(
  request: FastifyRequest,
  reply: FastifyReply,
  page: EventsPage,
  meta: { queryName: string; creationDate: string; syntax: 'json' | 'xml'; cbvFormat: CbvXmlFormat },
) {
  if (page.nextToken) reply.header('Link', nextLink(request, page.nextToken));
  reply.header('GS1-EPC-Format', 'Never_Translates');
  if (meta.syntax === 'xml')
    return reply.type('application/xml').send(queryDocumentXmlOf(page.events, meta, meta.cbvFormat));
  return reply.type('application/ld+json').send(JSON.stringify(queryDocumentJson(page.events, meta)));
}
