/**
 * Named queries and their subscriptions (EPCIS 2.0 REST binding `/queries`): a named query is a
 * stored set of query-language parameters; running it or a subscription to it returns only what
 * the person running or owning it may read.
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import type { Executor, Unit } from '../../kernel/db/unit-of-work.ts';
import { userPrefixes } from './document.ts';
import { EpcisProblem, noSuchResource } from './problems.ts';
import { parseEventQuery, queryPrefixes } from './query.ts';
import { type QuerySchedule, scheduleProblem } from './schedule.ts';
import type { SubscriptionInput } from './schema.ts';
import * as subs from './subscription-store.ts';

/** The prefixes a stored query's extension-field parameters use: its own `@context` over the EPCIS context's. */
export function namedQueryPrefixes(params: Record<string, unknown>): Map<string, string> {
  return queryPrefixes(userPrefixes(params['@context']));
}

/** Where a new subscription starts: after the events recorded so far, or before the first at `initialRecordTime`. */
async function startingSeq(db: Executor, initialRecordTime: string | undefined): Promise<number> {
  return initialRecordTime ? subs.seqBefore(db, new Date(initialRecordTime).toISOString()) : subs.lastSeq(db);
}

const outside = (what: string) =>
  new EpcisProblem(403, 'SecurityException', '超出管辖范围 Outside your scope', `${what} belongs to another user`, {
    kind: 'outside-scope',
  });

/** Loads a named query the caller may use (its owner, or an administrator); 404 / 403 otherwise. */
export async function namedQueryLoader(db: Executor, caller: Principal, name: string): Promise<subs.NamedQueryRow> {
  const row = await subs.findQuery(db, name);
  if (!row) throw noSuchResource(`query ${name}`);
  if (caller.role !== 'admin' && row.owner_id !== caller.userId) throw outside(`query ${name}`);
  return row;
}

/** Stores a named query after checking every parameter (audited). 409 when the name is taken. */
export async function namedQueryCreator(
  unit: Unit,
  caller: Principal,
  input: { name: string; query: Record<string, unknown> },
): Promise<subs.NamedQueryRow> {
  if (await subs.findQuery(unit.tx, input.name))
    throw new EpcisProblem(
      409,
      'ResourceAlreadyExistsException',
      '查询已存在 Query exists',
      `a query named ${input.name} exists`,
    );
  await parseEventQuery(input.query, { db: unit.tx, prefixes: namedQueryPrefixes(input.query) });
  const row: subs.NamedQueryRow = {
    name: input.name,
    query: JSON.stringify(input.query),
    owner_id: caller.userId,
    created_at: unit.clock.now().toISOString(),
  };
  await subs.insertQuery(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.query.create',
    subjectType: 'epcis-query',
    subjectId: input.name,
    after: { query: input.query },
  });
  return row;
}

/** Deletes a named query and unsubscribes its subscribers (audited). */
export async function namedQueryRemover(unit: Unit, row: subs.NamedQueryRow): Promise<void> {
  await subs.deleteQuery(unit.tx, row.name);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.query.delete',
    subjectType: 'epcis-query',
    subjectId: row.name,
    before: { query: JSON.parse(row.query) },
  });
}

const controls = (detail: string) =>
  new EpcisProblem(400, 'SubscriptionControlsException', '订阅参数无效 Invalid subscription', detail);

/**
 * Subscribes a webhook to a named query (audited): `stream: true` for every new match after each
 * capture, or a `schedule`. Delivery starts after the events recorded so far, or at
 * `initialRecordTime`. The subscriber receives what the subscription's owner may read.
 */
export async function subscriptionCreator(
  unit: Unit,
  caller: Principal,
  query: subs.NamedQueryRow,
  input: SubscriptionInput,
): Promise<subs.SubscriptionRow> {
  if ((input.stream === true) === (input.schedule !== undefined))
    throw controls('set either stream: true or a schedule (EPCIS 2.0: one of them, not both)');
  if (input.schedule) {
    const problem = scheduleProblem(input.schedule as QuerySchedule);
    if (problem) throw controls(problem);
  }
  const now = unit.clock.now().toISOString();
  const row: subs.SubscriptionRow = {
    id: randomUUID(),
    query_name: query.name,
    owner_id: caller.userId,
    dest: input.dest,
    signature_token: input.signatureToken ?? null,
    stream: input.stream ? 1 : 0,
    schedule: input.schedule ? JSON.stringify(input.schedule) : null,
    report_if_empty: input.reportIfEmpty ? 1 : 0,
    initial_record_time: input.initialRecordTime ? new Date(input.initialRecordTime).toISOString() : now,
    last_seq: await startingSeq(unit.tx, input.initialRecordTime),
    created_at: now,
    last_notified_at: null,
  };
  await subs.insertSubscription(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.subscription.create',
    subjectType: 'epcis-subscription',
    subjectId: row.id,
    after: { query: query.name, dest: row.dest, stream: input.stream === true, schedule: input.schedule ?? null },
  });
  return row;
}

/** Unsubscribes (audited). */
export async function subscriptionRemover(unit: Unit, row: subs.SubscriptionRow): Promise<void> {
  await subs.deleteSubscription(unit.tx, row.id);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.subscription.delete',
    subjectType: 'epcis-subscription',
    subjectId: row.id,
    before: { query: row.query_name, dest: row.dest },
  });
}

/** A subscription as clients see it (openapi.yaml AbstractQuerySubscriptionResponse); never its token. */
export function presentSubscription(row: subs.SubscriptionRow) {
  return {
    subscriptionID: row.id,
    queryName: row.query_name,
    dest: row.dest,
    createdAt: row.created_at,
    ...(row.last_notified_at ? { lastNotifiedAt: row.last_notified_at } : {}),
    initialRecordTime: row.initial_record_time,
    reportIfEmpty: row.report_if_empty === 1,
    signed: row.signature_token !== null,
    ...(row.stream === 1 ? { stream: true } : { schedule: JSON.parse(row.schedule ?? '{}') as QuerySchedule }),
  };
}

/** A delivery as clients see it. */
export function presentDelivery(row: subs.DeliveryRow) {
  return {
    id: row.id,
    createdAt: row.created_at,
    status: row.status,
    attempts: Number(row.attempts),
    eventCount: Number(row.event_count),
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    deliveredAt: row.delivered_at,
  };
}
