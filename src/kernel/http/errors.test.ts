import type { FastifyError, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { problemOf } from './errors.ts';

describe('database errors as problems', () => {
  const request = { url: '/api/x', log: { error: () => undefined } } as unknown as FastifyRequest;
  const withCode = (code: string) => Object.assign(new Error(code), { code }) as unknown as FastifyError;

  it('answers a unique key taken by a concurrent request with 409', () => {
    for (const code of ['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'])
      expect(problemOf(withCode(code), request)).toMatchObject({
        status: 409,
        type: expect.stringMatching(/conflict$/),
      });
  });

  it('answers a lost deadlock, a serialization failure or a busy database with 503 (send again)', () => {
    for (const code of ['40P01', '40001', 'SQLITE_BUSY'])
      expect(problemOf(withCode(code), request)).toMatchObject({ status: 503, detail: expect.stringMatching(/again/) });
  });

  it('keeps anything else a logged 500', () => {
    expect(problemOf(withCode('SQLITE_CONSTRAINT_FOREIGNKEY'), request).status).toBe(500);
  });
});
