import type { FastifyError, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { problemOf } from './errors.ts';
import { tooDeep, xmlTooDeep } from './input-guards.ts';

describe('unstorable text from the database', () => {
  it('is a 400 problem (PostgreSQL 22021: U+0000 in text), not a logged 500', () => {
    const logged: unknown[] = [];
    const request = { url: '/api/x', log: { error: (e: unknown) => logged.push(e) } } as unknown as FastifyRequest;
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const body = problemOf(error as FastifyError, request);
    expect(body).toMatchObject({ status: 400, detail: expect.stringMatching(/U\+0000/) });
    expect(logged).toEqual([]);
    expect(problemOf(new Error('boom') as FastifyError, request).status).toBe(500);
  });
});

describe('nesting depth', () => {
  it('counts JSON arrays and objects, not brackets inside strings', () => {
    expect(tooDeep('[[[1]]]', 3)).toBe(false);
    expect(tooDeep('[[[[1]]]]', 3)).toBe(true);
    expect(tooDeep('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
    expect(tooDeep('{"a":"[[[[[[[[","b":"\\"[[[[["}', 2)).toBe(false);
    expect(tooDeep('[1],[2],[3],[4]', 1)).toBe(false);
  });
  it('counts XML elements, not self-closed ones, comments, CDATA or quoted attributes', () => {
    expect(xmlTooDeep('<a><b><c/></b></a>', 2)).toBe(false);
    expect(xmlTooDeep('<a><b><c>x</c></b></a>', 2)).toBe(true);
    expect(xmlTooDeep('<?xml version="1.0"?><a t="<b><c>"><!-- <b><c><d> --><![CDATA[<b><c><d>]]><b/></a>', 1)).toBe(
      false,
    );
    expect(xmlTooDeep('<a><b></b><b></b><b></b></a>', 2)).toBe(false);
  });
});
