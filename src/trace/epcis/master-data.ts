/**
 * EPCIS master data (EPCIS 2.0 §6.5, CBV 2.0 §8): business locations and read points (SGLN),
 * parties (PGLN), products (EPC classes / GTIN). Captured from documents (`epcisHeader` or an
 * EPCISMasterDataDocument) or set through the API; an administrator links a location or party to
 * a twin place and to the enterprise user that owns it, which is what lets that enterprise capture there.
 */
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import { findUserById } from '../../kernel/auth/store.ts';
import type { Executor, Unit } from '../../kernel/db/unit-of-work.ts';
import { badRequest } from '../../kernel/problems.ts';
import { placeLoader } from '../../twin/places.ts';
import { type EventEntry, isObject, type Json } from './document.ts';
import { normaliseIdentifier } from './extract.ts';
import { EpcisProblem } from './problems.ts';
import * as store from './store.ts';

/** CBV vocabulary type URIs (EPCIS 2.0 §6.5; `Party` as CBV 2.0 names it). */
export const VTYPE = {
  businessLocation: 'urn:epcglobal:epcis:vtype:BusinessLocation',
  readPoint: 'urn:epcglobal:epcis:vtype:ReadPoint',
  epcClass: 'urn:epcglobal:epcis:vtype:EPCClass',
  party: 'urn:epcglobal:epcis:vtype:Party',
} as const;

/** The API's names for the vocabularies. */
export const vocabularyAliases = {
  locations: VTYPE.businessLocation,
  readPoints: VTYPE.readPoint,
  parties: VTYPE.party,
  products: VTYPE.epcClass,
} as const;
/** `locations`, `readPoints`, `parties`, `products`. */
export type VocabularyAlias = keyof typeof vocabularyAliases;

/** Vocabularies whose elements confer the right to capture (only administrators create or link them). */
const GUARDED: ReadonlySet<string> = new Set([VTYPE.businessLocation, VTYPE.readPoint, VTYPE.party]);

/** Both location vocabularies: an event's bizLocation or readPoint is looked up in either. */
export const LOCATION_VOCABULARIES = [VTYPE.businessLocation, VTYPE.readPoint] as const;

const NAME_ATTRIBUTES = /(^|[#:/])name$/;

function attributesOf(element: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = Array.isArray(element.attributes) ? element.attributes : [];
  for (const a of list) if (isObject(a) && typeof a.id === 'string') out[a.id] = a.attribute ?? null;
  return out;
}

function nameOf(attributes: Record<string, unknown>): string | null {
  const entry = Object.entries(attributes).find(([id, v]) => NAME_ATTRIBUTES.test(id) && typeof v === 'string');
  return entry ? String(entry[1]) : null;
}

/** @throws EpcisProblem 403 when the caller may not write this element (see {@link masterDataCapturer}). */
function writeGuard(
  caller: Principal,
  type: string,
  existing: store.MasterDataRow | undefined,
  what: () => string,
): void {
  if (caller.role === 'admin') return;
  const mayWrite = existing ? existing.owner_id === caller.userId : !GUARDED.has(type);
  if (!mayWrite)
    throw new EpcisProblem(403, 'SecurityException', '无权操作 Forbidden', `${what()} is not yours to describe`);
}

/**
 * Checks, without writing, that the caller may store the vocabularies of a document (capture
 * checks before it accepts a document; {@link masterDataCapturer} checks again when it writes).
 * @throws EpcisProblem 403 (SecurityException) for an element the caller may not write.
 */
export async function masterDataChecker(
  tx: Executor,
  caller: Principal,
  vocabularies: readonly EventEntry[],
  locate: (pointer: string) => string,
): Promise<void> {
  if (caller.role === 'admin') return;
  for (const { event: vocabulary, pointer } of vocabularies) {
    const type = String(vocabulary.type);
    const elements = Array.isArray(vocabulary.vocabularyElementList) ? vocabulary.vocabularyElementList : [];
    for (const [i, element] of elements.entries()) {
      if (!isObject(element) || typeof element.id !== 'string') continue;
      const existing = await store.findMasterData(tx, type, normaliseIdentifier(element.id));
      writeGuard(caller, type, existing, () => `${locate(`${pointer}/vocabularyElementList/${i}`)}: ${element.id}`);
    }
  }
}

/**
 * Stores the vocabularies of a captured document. Administrators create or update any element
 * (keeping its place and owner links); an enterprise updates only elements it owns, and creates
 * only product (EPC class) or other non-location elements, owned by it.
 * @returns how many elements were written.
 * @throws EpcisProblem 403 (SecurityException) for an element the caller may not write.
 */
export async function masterDataCapturer(
  unit: Unit,
  caller: Principal,
  vocabularies: readonly EventEntry[],
  locate: (pointer: string) => string,
): Promise<number> {
  const now = unit.clock.now().toISOString();
  let written = 0;
  for (const { event: vocabulary, pointer } of vocabularies) {
    const type = String(vocabulary.type);
    const elements = Array.isArray(vocabulary.vocabularyElementList) ? vocabulary.vocabularyElementList : [];
    for (const [i, element] of elements.entries()) {
      if (!isObject(element) || typeof element.id !== 'string') continue;
      const id = normaliseIdentifier(element.id);
      const existing = await store.findMasterData(unit.tx, type, id);
      writeGuard(caller, type, existing, () => `${locate(`${pointer}/vocabularyElementList/${i}`)}: ${element.id}`);
      const attributes = attributesOf(element);
      const children = Array.isArray(element.children)
        ? element.children.filter((c): c is string => typeof c === 'string').map(normaliseIdentifier)
        : [];
      await store.upsertMasterData(unit.tx, {
        vocabulary: type,
        id,
        uri: element.id,
        name: nameOf(attributes) ?? existing?.name ?? null,
        attributes: JSON.stringify(attributes),
        children: JSON.stringify(children),
        place_id: existing?.place_id ?? null,
        place_path: existing?.place_path ?? null,
        owner_id: existing?.owner_id ?? (caller.role === 'admin' ? null : caller.userId),
        created_at: existing?.created_at ?? now,
        updated_at: now,
      });
      written++;
    }
  }
  return written;
}

/** What the master data API sets on one element. */
export type MasterDataInput = {
  name?: string | null | undefined;
  attributes?: Record<string, unknown> | undefined;
  children?: string[] | undefined;
  placeId?: string | null | undefined;
  ownerId?: string | null | undefined;
};

/**
 * Creates or changes one element through the API (audited): its name, attributes, children, and
 * (administrators) the twin place and enterprise user it is linked to.
 */
export async function masterDataLinker(
  unit: Unit,
  vocabulary: string,
  uri: string,
  input: MasterDataInput,
): Promise<store.MasterDataRow> {
  const id = normaliseIdentifier(uri);
  const before = await store.findMasterData(unit.tx, vocabulary, id);
  const now = unit.clock.now().toISOString();
  let placeId = before?.place_id ?? null;
  let placePath = before?.place_path ?? null;
  if (input.placeId !== undefined) {
    placeId = input.placeId;
    placePath = input.placeId === null ? null : (await placeLoader(unit.tx, input.placeId)).path;
  }
  let ownerId = before?.owner_id ?? null;
  if (input.ownerId !== undefined) {
    if (input.ownerId !== null) {
      const owner = await findUserById(unit.tx, input.ownerId);
      if (owner?.role !== 'enterprise')
        throw badRequest('the owner must be an enterprise user', [
          { pointer: '/ownerId', detail: 'not an enterprise user' },
        ]);
    }
    ownerId = input.ownerId;
  }
  const attributes = input.attributes ?? (before ? (JSON.parse(before.attributes) as Record<string, unknown>) : {});
  const row: store.MasterDataRow = {
    vocabulary,
    id,
    uri,
    name: input.name !== undefined ? input.name : (before?.name ?? nameOf(attributes)),
    attributes: JSON.stringify(attributes),
    children: input.children ? JSON.stringify(input.children.map(normaliseIdentifier)) : (before?.children ?? '[]'),
    place_id: placeId,
    place_path: placePath,
    owner_id: ownerId,
    created_at: before?.created_at ?? now,
    updated_at: now,
  };
  await store.upsertMasterData(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: before ? 'epcis.master-data.update' : 'epcis.master-data.create',
    subjectType: 'epcis-master-data',
    subjectId: `${vocabulary} ${id}`,
    ...(before ? { before: auditView(before) } : {}),
    after: auditView(row),
  });
  return row;
}

function auditView(row: store.MasterDataRow) {
  return { uri: row.uri, name: row.name, placeId: row.place_id, ownerId: row.owner_id, children: row.children };
}

/** Location master data by normalised id (bizLocation and readPoint vocabularies). */
export async function locationsByIds(tx: Executor, ids: readonly string[]): Promise<Map<string, store.MasterDataRow>> {
  const rows = await store.masterDataByIds(tx, LOCATION_VOCABULARIES, ids);
  const out = new Map<string, store.MasterDataRow>();
  // A BusinessLocation element wins over a ReadPoint element with the same id.
  for (const r of rows) if (!out.has(r.id) || r.vocabulary === VTYPE.businessLocation) out.set(r.id, r);
  return out;
}

/**
 * The given locations and all their descendants by master data `children` (EPCIS 2.0 §8.2.7.1,
 * WD_ parameters), normalised like the events' `biz_location_key` / `read_point_key`.
 */
export async function withDescendants(tx: Executor, vocabulary: string, uris: readonly string[]): Promise<string[]> {
  const edges = new Map<string, { uri: string; children: string[] }>();
  for (const r of await store.hierarchy(tx, [vocabulary]))
    edges.set(r.id, { uri: r.uri, children: JSON.parse(r.children) });
  const seen = new Set<string>(uris.map(normaliseIdentifier));
  const queue = [...seen];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    for (const child of edges.get(id)?.children ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return [...seen];
}
