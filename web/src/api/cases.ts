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

/** Takes a workflow action (the client sends the CSRF token); 409 when the state does not allow it. */
export function actOnCase(id: string, input: CaseActionInput) {
  return api<CaseDetailView>(`/api/cases/${encodeURIComponent(id)}/actions`, { method: 'POST', body: input });
}

/** Reports a case (上报). */
export function reportCase(input: Partial<CaseInput> & { category: string }) {
  return api<CaseDetailView>('/api/cases', { method: 'POST', body: input });
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
