import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { conflict, Problem } from '../kernel/problems.ts';
import * as store from './idempotency-store.ts';

// `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header) on the case API's writes:
// a client that lost an answer sends the same request with the same key again and gets the first
// answer back; the action is not done twice. The key is stored per user, in the transaction of
// the request, with its answer — so the key and what the request did commit together or not at all.

/** How long a key is remembered: long enough for a phone that spent a weekend offline. */
export const idempotencyKeyDays = 7;

/** The request header, for the routes' schema (and so the OpenAPI docs). */
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(
      /^(?:"[\x20-\x21\x23-\x7e]{1,200}"|[\x21-\x7e]{1,200})$/,
      '1–200 visible ASCII characters, optionally quoted',
    )
    .optional()
    .describe(
      'a unique key per request (a UUID): a retry with the same key and body returns the first answer and does nothing again; ' +
        'the same key with another body → 422. Remembered per user for 7 days.',
    ),
});

/** A request that carries a key: who sent it, the key, and what the request was. */
export type IdempotentRequest = { userId: string; key: string; fingerprint: string };

/** Objects with their keys sorted, so the same body always gives the same fingerprint. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

/** The key of a request (its header without the quotes of the draft's sf-string form), or null without one. */
export function idempotentRequestOf(
  userId: string,
  header: string | string[] | undefined,
  request: { method: string; path: string; body: unknown },
): IdempotentRequest | null {
  if (typeof header !== 'string') return null;
  const key = header.replace(/^"(.*)"$/, '$1');
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${request.path}\n${JSON.stringify(canonical(request.body))}`)
    .digest('hex');
  return { userId, key, fingerprint };
}

/** An answer, and whether it is the stored answer of an earlier request with the same key. */
export type IdempotentAnswer<T> = { status: number; body: T; replayed: boolean };

/**
 * Runs `run` once per key: claims the key in the unit's transaction, runs, and stores the answer
 * beside what `run` wrote. A key already answered returns that answer (nothing runs); a key used
 * for another request → 422; a key whose first request has not finished → 409. Without a key,
 * `run` simply runs. A failure rolls the claim back with everything else: the retry runs afresh.
 */
export async function idempotently<T>(
  unit: Unit,
  request: IdempotentRequest | null,
  status: number,
  run: () => Promise<T>,
): Promise<IdempotentAnswer<T>> {
  if (!request) return { status, body: await run(), replayed: false };
  const claimed = await store.claimKey(unit.tx, {
    user_id: request.userId,
    key: request.key,
    fingerprint: request.fingerprint,
    created_at: unit.clock.now().toISOString(),
  });
  if (!claimed) {
    const row = await store.findKey(unit.tx, request.userId, request.key);
    if (row && row.fingerprint !== request.fingerprint)
      throw new Problem(
        422,
        'idempotency-key-reused',
        '幂等键已用于其他请求 Idempotency-Key reused',
        'this Idempotency-Key was sent with a different request; use a new key for a new request',
      );
    if (!row || row.status === null || row.response === null)
      throw conflict('a request with this Idempotency-Key is still being processed; retry in a moment');
    return { status: row.status, body: JSON.parse(row.response) as T, replayed: true };
  }
  const body = await run();
  await store.answerKey(unit.tx, request.userId, request.key, status, JSON.stringify(body));
  return { status, body, replayed: false };
}

/** Sends an answer; a replayed one says so (`Idempotent-Replayed: true`, as Stripe's API does). */
export function sendIdempotent<T>(reply: FastifyReply, answer: IdempotentAnswer<T>) {
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(answer.status).send(answer.body);
}

/** Forgets keys older than `idempotencyKeyDays` (a timed task of the case module). */
export async function idempotencyKeyPruner(db: Executor, now: Date): Promise<number> {
  return store.deleteKeysBefore(db, new Date(now.getTime() - idempotencyKeyDays * 86_400_000).toISOString());
}
