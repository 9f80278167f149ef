import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';

// All SQL of the Open311 module, on its own tables only.

export type KeyRow = Database['open311_keys'];
export type ReportRow = Database['open311_reports'];
export type RequestRow = Database['open311_requests'];
export type UpdateRow = Database['open311_updates'];

// Keys

export async function insertKey(db: Executor, row: KeyRow): Promise<void> {
  await db.insertInto('open311_keys').values(row).execute();
}

export async function findKeyByHash(db: Executor, keyHash: string): Promise<KeyRow | undefined> {
  return db.selectFrom('open311_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findKey(db: Executor, id: string): Promise<KeyRow | undefined> {
  return db.selectFrom('open311_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listKeys(db: Executor): Promise<KeyRow[]> {
  return db.selectFrom('open311_keys').selectAll().orderBy('created_at').orderBy('app_name').execute();
}

export async function updateKey(db: Executor, id: string, patch: Partial<KeyRow>): Promise<void> {
  await db.updateTable('open311_keys').set(patch).where('id', '=', id).execute();
}

// Reports (what the reporter sent besides the case)

export async function insertReport(db: Executor, row: ReportRow): Promise<void> {
  await db.insertInto('open311_reports').values(row).execute();
}

export async function findReportByToken(db: Executor, token: string): Promise<ReportRow | undefined> {
  return db.selectFrom('open311_reports').selectAll().where('token', '=', token).executeTakeFirst();
}

// Requests (the public read model)

export async function findRequestRow(db: Executor, requestId: string): Promise<RequestRow | undefined> {
  return db.selectFrom('open311_requests').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}

export async function findRequestRowByCase(db: Executor, caseId: string): Promise<RequestRow | undefined> {
  return db.selectFrom('open311_requests').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

/** Inserts a request, or replaces it when `row` comes from a later case event than the stored one. */
export async function upsertRequest(db: Executor, row: RequestRow): Promise<void> {
  const { case_id: _, ...rest } = row;
  await db
    .insertInto('open311_requests')
    .values(row)
    .onConflict((oc) => oc.column('case_id').doUpdateSet(rest).where('open311_requests.event_seq', '<', row.event_seq))
    .execute();
}

/** Filters of `GET requests`, resolved to columns. */
export type RequestRowFilter = {
  requestIds?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  states?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  hiddenWhileReported?: readonly string[] | undefined;
  limit: number;
  offset: number;
};

export async function listRequests(db: Executor, f: RequestRowFilter): Promise<RequestRow[]> {
  let q = db.selectFrom('open311_requests').selectAll();
  if (f.requestIds) q = q.where('request_id', 'in', f.requestIds.length ? f.requestIds : ['']);
  if (f.serviceCodes) q = q.where('service_code', 'in', f.serviceCodes.length ? f.serviceCodes : ['']);
  if (f.states) q = q.where('state', 'in', f.states.length ? f.states : ['']);
  if (f.from) q = q.where('requested_at', '>=', f.from);
  if (f.to) q = q.where('requested_at', '<=', f.to);
  const hidden = f.hiddenWhileReported;
  if (hidden?.length)
    q = q.where((eb) => eb.not(eb.and([eb('service_code', 'in', [...hidden]), eb('state', '=', 'reported')])));
  return q.orderBy('requested_at', 'desc').orderBy('request_id', 'desc').limit(f.limit).offset(f.offset).execute();
}

// Updates

export async function insertUpdate(db: Executor, row: UpdateRow): Promise<void> {
  await db
    .insertInto('open311_updates')
    .values(row)
    .onConflict((oc) => oc.column('update_id').doNothing())
    .execute();
}

export async function listUpdates(db: Executor, from: string, to: string, limit: number): Promise<UpdateRow[]> {
  return db
    .selectFrom('open311_updates')
    .selectAll()
    .where('updated_at', '>=', from)
    .where('updated_at', '<=', to)
    .orderBy('updated_at')
    .orderBy('update_id')
    .limit(limit)
    .execute();
}

// Settings

/** An installation-wide setting with the time it last changed (the kernel's helper gives only the value). */
export async function findSettingRow(db: Executor, key: string) {
  return db.selectFrom('settings').select(['value', 'updated_at']).where('key', '=', key).executeTakeFirst();
}
