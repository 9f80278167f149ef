/**
 * Sign-in attempts are counted in the database, so several nodes share one count per client
 * address: a guesser gets LOGIN_RATE_LIMIT attempts a minute in all, not per node. The window
 * moves with the injectable clock; old counters are pruned by the hourly task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

describe(`shared rate limits (${engineUnderTest})`, () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await TestApp.start({ onDisk: true }); // LOGIN_RATE_LIMIT is 5 in tests
    b = await a.peer();
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  const login = (node: TestApp, ip: string) =>
    node.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'wrong-password' },
      remoteAddress: ip,
    });

  it('counts one address’s sign-in attempts across the nodes, per window of the clock', async () => {
    const codes: number[] = [];
    for (const node of [a, a, a, b, b, b]) codes.push((await login(node, '10.8.8.8')).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await login(a, '10.8.8.8');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address has its own count.
    expect((await login(b, '10.8.8.9')).statusCode).toBe(401);
    // The next minute on the clock starts a new window, on every node.
    a.clock.advance(60_000);
    expect((await login(b, '10.8.8.8')).statusCode).toBe(401);
    expect((await login(a, '10.8.8.8')).statusCode).toBe(401);
  });

  it('prunes counters of windows that ended a day ago', async () => {
    const count = async () =>
      Number(
        (
          await a.ctx.db
            .selectFrom('rate_limit_counters')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBeGreaterThan(0);
    a.clock.advance(86_400_000 + 60_000);
    await a.tick();
    expect(await count()).toBe(0);
  });
});
