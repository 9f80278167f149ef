import type { Database } from '../db/tables.ts';
import type { Executor } from '../db/unit-of-work.ts';

export type UserRow = Database['users'];
/** A user with the path of their scope's root place (null when unscoped). */
export type UserWithScope = UserRow & { scope_path: string | null };

function usersWithScope(db: Executor) {
  return db
    .selectFrom('users')
    .leftJoin('places', 'places.id', 'users.scope_place_id')
    .selectAll('users')
    .select('places.path as scope_path');
}

export async function findUserByUsername(db: Executor, username: string): Promise<UserWithScope | undefined> {
  return usersWithScope(db).where('users.username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<UserWithScope | undefined> {
  return usersWithScope(db).where('users.id', '=', id).executeTakeFirst();
}

export async function findUsersByIds(db: Executor, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export type UserFilter = { scopePath: string | null; role?: string | undefined; limit: number; offset: number };

/** Users whose scope lies inside `scopePath` (all users when null). */
export async function listUsers(db: Executor, f: UserFilter): Promise<{ rows: UserWithScope[]; total: number }> {
  let q = usersWithScope(db);
  let c = db.selectFrom('users').leftJoin('places', 'places.id', 'users.scope_place_id');
  if (f.scopePath !== null) {
    q = q.where('places.path', 'like', `${f.scopePath}%`);
    c = c.where('places.path', 'like', `${f.scopePath}%`);
  }
  if (f.role) {
    q = q.where('users.role', '=', f.role);
    c = c.where('users.role', '=', f.role);
  }
  const rows = await q.orderBy('users.username').limit(f.limit).offset(f.offset).execute();
  const total = await c.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function insertUser(db: Executor, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(db: Executor, id: string, patch: Partial<UserRow>): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

export async function insertSession(db: Executor, row: Database['sessions']): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSession(db: Executor, idHash: string) {
  return db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteExpiredSessions(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
}

export async function insertApiToken(db: Executor, row: Database['api_tokens']): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export async function findApiToken(db: Executor, tokenHash: string) {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function touchApiToken(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** The tree path of a scope's root place. */
export async function placePath(db: Executor, placeId: string): Promise<string | undefined> {
  const row = await db.selectFrom('places').select('path').where('id', '=', placeId).executeTakeFirst();
  return row?.path;
}
