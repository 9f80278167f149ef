import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/tables.ts';
import type { Executor, Unit } from '../db/unit-of-work.ts';
import { conflict, unauthorized } from '../problems.ts';
import type { Principal } from './principal.ts';
import { roleSchema } from './roles.ts';
import { hashPassword, hashSecret, randomSecret, verifyPassword } from './secrets.ts';
import * as store from './store.ts';

/** Input for a new account. */
export const newUserSchema = z.object({
  username: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore'),
  displayName: z.string().min(1).max(64),
  role: roleSchema,
  password: z.string().min(8, 'at least 8 characters').max(256).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 -]{5,20}$/)
    .optional(),
  scopePlaceId: z.string().nullable().optional(),
  scopeGridId: z.string().nullable().optional(),
});
export type NewUser = z.infer<typeof newUserSchema>;

/** Creates an account (audited). Refuses a taken username with 409. */
export async function userCreator(unit: Unit, input: NewUser): Promise<store.UserRow> {
  if (await store.findUserByUsername(unit.tx, input.username)) {
    throw conflict(`username ${input.username} is taken`);
  }
  const now = unit.clock.now().toISOString();
  const row: store.UserRow = {
    id: randomUUID(),
    username: input.username,
    display_name: input.displayName,
    role: input.role,
    password_hash: input.password ? await hashPassword(input.password) : null,
    phone: input.phone ?? null,
    scope_place_id: input.scopePlaceId ?? null,
    scope_grid_id: input.scopeGridId ?? null,
    disabled: 0,
    created_at: now,
    updated_at: now,
  };
  await store.insertUser(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'user.create',
    subjectType: 'user',
    subjectId: row.id,
    after: auditView(row),
  });
  return row;
}

/** Sets a user's password (audited, without the hash). */
export async function passwordSetter(unit: Unit, userId: string, password: string): Promise<void> {
  await store.updateUser(unit.tx, userId, {
    password_hash: await hashPassword(password),
    updated_at: unit.clock.now().toISOString(),
  });
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'user.set-password',
    subjectType: 'user',
    subjectId: userId,
  });
}

/** Issues a bearer API token for scripts and machines; the token is shown once, stored hashed. */
export async function apiTokenIssuer(unit: Unit, userId: string, name: string): Promise<string> {
  const token = randomSecret('ct_');
  const id = randomUUID();
  await store.insertApiToken(unit.tx, {
    id,
    user_id: userId,
    name,
    token_hash: hashSecret(token),
    created_at: unit.clock.now().toISOString(),
    last_used_at: null,
  });
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'token.issue',
    subjectType: 'user',
    subjectId: userId,
    after: { tokenId: id, name },
  });
  return token;
}

export type LoginResult = { sessionToken: string; csrfToken: string; principal: Principal };

/** Checks a password and opens a browser session (audited). 401 on any mismatch, same message. */
export async function sessionOpener(
  unit: Unit,
  username: string,
  password: string,
  ttlMs: number,
): Promise<LoginResult> {
  const user = await store.findUserByUsername(unit.tx, username);
  const ok = user?.password_hash ? await verifyPassword(password, user.password_hash) : false;
  if (!user || !ok || user.disabled) throw unauthorized('用户名或密码错误 wrong username or password');
  const sessionToken = randomSecret();
  const csrfToken = randomSecret();
  const now = unit.clock.now();
  const idHash = hashSecret(sessionToken);
  await store.insertSession(unit.tx, {
    id_hash: idHash,
    user_id: user.id,
    csrf_token: csrfToken,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlMs).toISOString(),
  });
  await appendAudit(unit.tx, unit.clock, {
    actor: `user:${user.username}`,
    action: 'user.login',
    subjectType: 'user',
    subjectId: user.id,
  });
  return { sessionToken, csrfToken, principal: principalOf(user, 'session', csrfToken, idHash) };
}

/** Ends a browser session (audited). */
export async function sessionCloser(unit: Unit, principal: Principal): Promise<void> {
  if (!principal.sessionIdHash) return;
  await store.deleteSession(unit.tx, principal.sessionIdHash);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'user.logout',
    subjectType: 'user',
    subjectId: principal.userId,
  });
}

/** Resolves a bearer token to its user; undefined when unknown. */
export async function principalFromToken(
  db: Kysely<Database>,
  clock: Clock,
  token: string,
): Promise<Principal | undefined> {
  const row = await store.findApiToken(db, hashSecret(token));
  if (!row) return undefined;
  const user = await store.findUserById(db, row.user_id);
  if (!user || user.disabled) return undefined;
  await store.touchApiToken(db, row.id, clock.now().toISOString());
  return principalOf(user, 'token');
}

/** Resolves a session cookie to its user; undefined when unknown or expired. */
export async function principalFromSession(
  db: Executor,
  clock: Clock,
  sessionToken: string,
): Promise<Principal | undefined> {
  const idHash = hashSecret(sessionToken);
  const session = await store.findSession(db, idHash);
  if (!session || session.expires_at <= clock.now().toISOString()) return undefined;
  const user = await store.findUserById(db, session.user_id);
  if (!user || user.disabled) return undefined;
  return principalOf(user, 'session', session.csrf_token, idHash);
}

function principalOf(
  user: store.UserWithScope,
  via: Principal['via'],
  csrfToken?: string,
  sessionIdHash?: string,
): Principal {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: roleSchema.parse(user.role),
    scope: { placeId: user.scope_place_id, path: user.scope_path, gridId: user.scope_grid_id },
    via,
    ...(csrfToken ? { csrfToken } : {}),
    ...(sessionIdHash ? { sessionIdHash } : {}),
  };
}

/** What the audit log keeps of a user: never the password hash. */
function auditView(row: store.UserRow) {
  return {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    scopePlaceId: row.scope_place_id,
    scopeGridId: row.scope_grid_id,
  };
}
