/**
 * The case API as the console, the worker app and the resident portal use it (docs/cases.md).
 * Types come from the server's Zod schemas (type-only imports: nothing of the server is bundled).
 */
import type { CaseActionInput, CaseDetailView, CaseInput, CaseView } from '../../../src/cases/schema.ts';
import { api } from './client.ts';
import type { GridView, Page } from './types.ts';

export type { CaseActionInput, CaseDetailView, CaseInput, CaseView } from '../../../src/cases/schema.ts';

/** A workflow action's name (`POST /api/cases/{id}/actions`). */
export type CaseAction = CaseActionInput['action'];

/** A case category and its time limits (`GET /api/case-categories`). */
export type CaseCategory = { code: string; name: string; nameEn: string; eventClass: string; severity: string };

/** Filters of `GET /api/cases`, as its query parameters. */
export type CaseFilters = {
  status?: string;
  category?: string;
  grid?: string;
  overdue?: 'true' | 'false';
  assignee?: string;
  source?: string;
};

/** One page of the cases this user may see, newest first. */
export function listCases(filters: CaseFilters, page = 1, pageSize = 100, signal?: AbortSignal) {
  const params = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return api<Page<CaseView>>(`/api/cases?${params}`, { signal });
}

/** One case with its timeline and joined alarms. */
export function getCase(id: string, signal?: AbortSignal) {
  return api<CaseDetailView>(`/api/cases/${encodeURIComponent(id)}`, { signal });
}

/** What a report sends (`POST /api/cases`): the category, and any of the rest. */
export type ReportInput = Partial<CaseInput> & { category: string };

/** A fresh idempotency key: one per request a person means to make (its retries reuse it). */
export function newRequestKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The `Idempotency-Key` header of a write that may be retried (`key` one per intended request). */
const once = (key: string | undefined): Record<string, string> => (key ? { 'idempotency-key': key } : {});

/**
 * Takes a workflow action (the client sends the CSRF token); 409 when the state does not allow it.
 * With `key`, sending it again (a retry after a lost answer) returns the first answer, not a second action.
 */
export function actOnCase(id: string, input: CaseActionInput, key?: string) {
  return api<CaseDetailView>(`/api/cases/${encodeURIComponent(id)}/actions`, {
    method: 'POST',
    body: input,
    headers: once(key),
  });
}

/** Reports a case (上报); with `key`, a retry creates no second case. */
export function reportCase(input: ReportInput, key?: string) {
  return api<CaseDetailView>('/api/cases', { method: 'POST', body: input, headers: once(key) });
}

/** The URL of the case list's export (`GET /api/cases/export`) with the list's filters. */
export function caseExportUrl(filters: CaseFilters, format: 'csv' | 'xlsx'): string {
  const params = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return `/api/cases/export?${params}`;
}

let categories: Promise<CaseCategory[]> | null = null;
/** The case categories (asked once per page load). */
export function caseCategories(): Promise<CaseCategory[]> {
  categories ??= api<CaseCategory[]>('/api/case-categories').catch((err) => {
    categories = null;
    throw err;
  });
  return categories;
}

/** The grids this user may see (for filters and the small maps). */
export async function visibleGrids(signal?: AbortSignal): Promise<GridView[]> {
  return (await api<Page<GridView>>('/api/grids?pageSize=500', { signal })).items;
}

/** States in which a case is still someone's work (not closed, evaluated or voided). */
export const openStates = ['reported', 'registered', 'dispatched', 'accepted', 'returned', 'handled', 'verified'];
