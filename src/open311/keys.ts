import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import { hashSecret, randomSecret } from '../kernel/auth/secrets.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { conflict } from '../kernel/problems.ts';
import * as store from './store.ts';

// API keys per app (GeoReport v2 "Requires API Key" for POST requests): an admin issues one per
// app; the key is shown once and stored as its SHA-256 hash (a random 256-bit secret needs no
// slow hash), like the bearer tokens of src/kernel/auth.

/** Reports per minute a new key may POST unless the admin says otherwise. */
export const defaultKeyRateLimit = 60;

/** What an admin gives to issue a key. */
export const newKeySchema = z.object({
  appName: z.string().trim().min(1).max(100).describe('the app the key is for, e.g. 成华 e 家 or FixMyStreet'),
  rateLimit: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(defaultKeyRateLimit)
    .describe('reports per minute this key may POST'),
});
export type NewKey = z.input<typeof newKeySchema>;

/** Prefix of every key, so a leaked one is recognisable in logs and secret scanners. */
const keyPrefix = 'o311_';

/** Issues a key for an app: returns the stored row and the key itself, which is never stored. */
export async function keyIssuer(unit: Unit, input: NewKey): Promise<{ row: store.KeyRow; key: string }> {
  const { appName, rateLimit } = newKeySchema.parse(input);
  const key = randomSecret(keyPrefix);
  const row: store.KeyRow = {
    id: randomUUID(),
    app_name: appName,
    key_hash: hashSecret(key),
    key_prefix: key.slice(0, keyPrefix.length + 6),
    rate_limit: rateLimit,
    created_by: unit.actor,
    created_at: unit.clock.now().toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await store.insertKey(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'open311.key.issue',
    subjectType: 'open311_key',
    subjectId: row.id,
    after: { appName, rateLimit, prefix: row.key_prefix },
  });
  return { row, key };
}

/** Revokes a key: its app can no longer POST; its reports stay. */
export async function keyRevoker(unit: Unit, row: store.KeyRow): Promise<store.KeyRow> {
  if (row.revoked_at) throw conflict(`the key of ${row.app_name} is already revoked`);
  const revoked = { ...row, revoked_at: unit.clock.now().toISOString() };
  await store.updateKey(unit.tx, row.id, { revoked_at: revoked.revoked_at });
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'open311.key.revoke',
    subjectType: 'open311_key',
    subjectId: row.id,
    before: { appName: row.app_name, revokedAt: null },
    after: { appName: row.app_name, revokedAt: revoked.revoked_at },
  });
  return revoked;
}

/** The live key row of an API key, or null if unknown or revoked. */
export async function keyVerifier(db: Executor, key: string): Promise<store.KeyRow | null> {
  if (!key.startsWith(keyPrefix) || key.length > 200) return null;
  const row = await store.findKeyByHash(db, hashSecret(key));
  return row && !row.revoked_at ? row : null;
}
