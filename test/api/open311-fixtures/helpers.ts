import fs from 'node:fs';
import path from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { expect } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/test-app.ts';

// Shared by the Open311 API tests: documents parsed, spec examples read, reports posted.

export const fixtureDir = import.meta.dirname;

/** A W3C date-time that carries its zone (GeoReport v2 "Date/time format"). */
export const w3cWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

/** An XML document's root element; fails the test on a parse error. */
export function xmlRoot(text: string): Element {
  const start = text.indexOf('<?xml');
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, msg) => void (level !== 'warning' && errors.push(msg)),
  }).parseFromString(text.slice(Math.max(0, start)), 'text/xml');
  expect(errors).toEqual([]);
  if (!doc.documentElement) throw new Error('no root element');
  return doc.documentElement;
}

/** The element children of an element. */
export function childElements(el: Element): Element[] {
  return Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);
}

/** The text of each leaf child by name, in order (empty elements give ''). */
export function leaves(el: Element): [string, string][] {
  return childElements(el).map((c) => [c.nodeName, c.textContent ?? '']);
}

/**
 * The skeleton of an XML document: element names and nesting, a list of same-named items reduced
 * to its first item, so a document with one request compares with an example of two.
 */
export function skeleton(el: Element): unknown {
  const kids = childElements(el);
  if (kids.length === 0) return el.nodeName;
  const list = kids.length > 0 && kids.every((k) => k.nodeName === kids[0]?.nodeName) && kids.length > 1;
  const shown = list ? kids.slice(0, 1) : kids;
  return { [el.nodeName]: shown.map(skeleton) };
}

/** The skeleton of a JSON value: keys in order, arrays reduced to their first item, scalars to their kind. */
export function jsonSkeleton(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [jsonSkeleton(v[0])];
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, jsonSkeleton(x)]);
  return 'scalar';
}

/**
 * A spec example from the fixtures: XML root, or JSON (numbers with leading zeros quoted). The JSON
 * copies end in `.json.txt`: the specification's JSON is not strict JSON, and linters would refuse it.
 */
export function specXml(name: string): Element {
  return xmlRoot(fs.readFileSync(path.join(fixtureDir, `${name}.xml`), 'utf8'));
}
export function specJson(name: string): unknown {
  const text = fs
    .readFileSync(path.join(fixtureDir, `${name}.json.txt`), 'utf8')
    .replace(/^HTTP\/1\.1.*$/m, '')
    .replace(/("[a-z_]+"\s*:\s*)(0\d+)/g, '$1"$2"');
  return JSON.parse(text);
}

/** Issues an Open311 key through the admin API. */
export async function issueKey(t: TestApp, admin: TestUser, appName = 'app', rateLimit?: number): Promise<string> {
  const res = await t.inject({
    method: 'POST',
    url: '/api/open311/keys',
    headers: admin.headers,
    payload: { appName, ...(rateLimit ? { rateLimit } : {}) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key as string;
}

/** POSTs a form to `/open311/v2/requests.<format>`. */
export function postForm(
  t: TestApp,
  fields: Record<string, string | string[]>,
  format: 'xml' | 'json' = 'json',
  remoteAddress?: string,
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return t.inject({
    method: 'POST',
    url: `/open311/v2/requests.${format}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    payload: body.toString(),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

/** Expects a GeoReport v2 error document with this HTTP status, in the format asked for; returns the descriptions. */
export function expectErrors(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  format: 'xml' | 'json',
): string[] {
  expect(res.statusCode, res.body).toBe(status);
  if (format === 'json') {
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const items = JSON.parse(res.body) as { code: number; description: string }[];
    expect(Array.isArray(items)).toBe(true);
    for (const i of items) expect(Object.keys(i)).toEqual(['code', 'description']);
    return items.map((i) => i.description);
  }
  expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  const root = xmlRoot(res.body);
  expect(root.nodeName).toBe('errors');
  return childElements(root).map((e) => {
    expect(leaves(e).map(([n]) => n)).toEqual(['code', 'description']);
    return e.getElementsByTagName('description')[0]?.textContent ?? '';
  });
}
