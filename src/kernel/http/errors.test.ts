import type { FastifyError, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { problemOf, webSocketErrorHandler } from './errors.ts';

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

describe('WebSocket errors', () => {
  it('logs what a client broke as a warning, anything else as an error, and ends the socket', () => {
    const logged: string[] = [];
    let ended = 0;
    const request = { log: { warn: () => logged.push('warn'), error: () => logged.push('error') } };
    const socket = { terminate: () => void ended++ };
    const oversize = Object.assign(new RangeError('Max payload size exceeded'), {
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    });
    webSocketErrorHandler(oversize, socket, request);
    webSocketErrorHandler(new Error('boom'), socket, request);
    expect(logged).toEqual(['warn', 'error']);
    expect(ended).toBe(2);
  });
});
