import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = [setCookie ?? []].flat()[0] ?? '';
  return line.split(';')[0] ?? '';
}

describe(`sessions and tokens (${engineUnderTest})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
    await t.user('dispatcher', {}, 'correct-horse-1');
  });
  afterAll(() => t.stop());

  const login = (username: string, password: string, ip = '10.0.0.1') =>
    t.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip });

  it('logs in with an http-only cookie, answers /api/me, and needs the CSRF token to write', async () => {
    const res = await login('dispatcher-1', 'correct-horse-1');
    expect(res.statusCode).toBe(200);
    const setCookie = [res.headers['set-cookie']].flat().join(';');
    expect(setCookie).toMatch(/ct_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const { csrfToken, roleLabel } = res.json();
    expect(roleLabel).toBe('调度员');
    const cookie = cookieOf(res.headers['set-cookie']);
    const me = await t.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json().username).toBe('dispatcher-1');
    expect(me.json().csrfToken).toBe(csrfToken);

    const noCsrf = await t.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().type).toMatch(/csrf$/);
    const wrongCsrf = await t.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': 'x' },
    });
    expect(wrongCsrf.statusCode).toBe(403);

    const out = await t.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await login('dispatcher-1', 'nope-nope', '10.0.0.2');
    const unknown = await login('nobody', 'nope-nope', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
  });

  it('expires sessions with the clock', async () => {
    const res = await login('dispatcher-1', 'correct-horse-1', '10.0.0.3');
    const cookie = cookieOf(res.headers['set-cookie']);
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    t.clock.advance(13 * 3600_000);
    const expired = await t.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toMatch(/expired/);
  });

  it('rate-limits login attempts per client address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await login('dispatcher-1', 'wrong-password', '10.9.9.9')).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
    expect((await login('dispatcher-1', 'correct-horse-1', '10.9.9.8')).statusCode).toBe(200);
  });

  it('accepts bearer tokens without CSRF (machines)', async () => {
    const admin = await t.user('admin');
    const res = await t.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.headers,
      payload: {
        username: 'wg-new',
        displayName: '新网格员',
        role: 'worker',
        password: 'long-enough-1',
        phone: '13900001111',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().phone).toBe('13900001111');
    expect(JSON.stringify(res.json())).not.toMatch(/scrypt|password/);
    expect((await login('wg-new', 'long-enough-1', '10.0.0.4')).statusCode).toBe(200);
    const dup = await t.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.headers,
      payload: { username: 'wg-new', displayName: 'x', role: 'worker' },
    });
    expect(dup.statusCode).toBe(409);
  });

  it('masks users’ phones for a leader', async () => {
    const leader = await t.user('leader');
    const list = (await t.inject({ method: 'GET', url: '/api/users?role=dispatcher', headers: leader.headers })).json();
    expect(list.items[0].phone).toBe('138****5678');
  });

  it('stores passwords with scrypt and tokens only as hashes', async () => {
    const row = await t.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'dispatcher-1')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    const tokens = await t.ctx.db.selectFrom('api_tokens').select('token_hash').execute();
    for (const tok of tokens) expect(tok.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
