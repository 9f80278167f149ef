import type { Page, Problem } from './types.ts';

/** An answer other than 2xx, with the problem the API described. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }
}

// The session cookie is http-only; writes echo this token (synchroniser-token CSRF defence).
let csrfToken: string | undefined;

/** Remembers the CSRF token from the login answer or `GET /api/me`. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The CSRF header a cookie-authenticated write must carry, for requests `api` cannot send (raw uploads). */
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Further request headers (`Idempotency-Key`). */
  headers?: Record<string, string>;
};

/** Calls the API on this origin with the session cookie; throws `ApiError` on a problem. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, isProblem(data) ? data : null);
  return data as T;
}

function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && 'status' in x && 'title' in x;
}

/**
 * Whether an endpoint exists and answers this user (2xx). The screens use it to show a panel only
 * when the API behind it is there — never a panel with made-up numbers.
 */
export async function probe(path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(path, { method: 'GET', credentials: 'same-origin', signal: signal ?? null });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Every item of a paged list: the first page says how many there are, the others are fetched a
 * few at a time (browsers open about six connections per origin; leave room for the rest).
 */
export async function fetchAllPages<T>(
  path: string,
  params: Record<string, string> = {},
  options: { pageSize?: number; concurrency?: number; signal?: AbortSignal } = {},
): Promise<T[]> {
  const pageSize = options.pageSize ?? 500;
  const url = (page: number) =>
    `${path}?${new URLSearchParams({ ...params, page: String(page), pageSize: String(pageSize) })}`;
  const first = await api<Page<T>>(url(1), { signal: options.signal });
  const pages = Math.ceil(first.total / pageSize);
  const rest: T[][] = new Array(Math.max(0, pages - 1));
  let next = 2;
  const worker = async () => {
    while (next <= pages) {
      const page = next++;
      rest[page - 2] = (await api<Page<T>>(url(page), { signal: options.signal })).items;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, pages - 1) }, worker));
  return first.items.concat(...rest);
}
