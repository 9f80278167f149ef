/**
 * Errors as RFC 9457 problem details. Throw a `Problem` anywhere below a route; the app's error
 * handler turns it into an `application/problem+json` answer.
 */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Where in the input the problem is (JSON pointers), for validation errors. */
  errors?: { pointer: string; detail: string }[];
  [extension: string]: unknown;
};

const base = 'https://civictwin.org/problems/';

/** An error that knows how it should be presented to the client. */
export class Problem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, slug: string, title: string, detail?: string, extensions: Record<string, unknown> = {}) {
    super(detail ?? title);
    this.status = status;
    this.type = slug.startsWith('http') ? slug : base + slug;
    this.title = title;
    this.extensions = extensions;
  }

  toJSON(instance?: string): ProblemDetails {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.message !== this.title ? { detail: this.message } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const badRequest = (detail: string, errors?: ProblemDetails['errors']) =>
  new Problem(400, 'bad-request', '请求无效 Bad request', detail, errors ? { errors } : {});
export const unauthorized = (detail = 'authentication required') =>
  new Problem(401, 'unauthorized', '未登录 Authentication required', detail);
export const forbidden = (detail = 'not allowed for your role') =>
  new Problem(403, 'forbidden', '无权操作 Forbidden', detail);
export const outsideScope = (detail = 'outside your area of responsibility') =>
  new Problem(403, 'outside-scope', '超出管辖范围 Outside your scope', detail);
export const notFound = (what: string) => new Problem(404, 'not-found', '未找到 Not found', `${what} not found`);
export const conflict = (detail: string) => new Problem(409, 'conflict', '冲突 Conflict', detail);

/** Escapes one JSON-pointer token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON pointer from a path such as zod's `issue.path`. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${pointerToken(String(p))}`).join('');
}
