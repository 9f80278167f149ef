import type { FastifyError, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { problemOf } from './errors.ts';

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
