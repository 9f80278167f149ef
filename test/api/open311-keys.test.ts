import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/kernel/auth/secrets.ts';
import { addressRateLimit } from '../../src/open311/routes.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { expectErrors, issueKey, postForm } from './open311-fixtures/helpers.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/civictwin.js');

/** API keys per app (admin API and CLI), the jurisdiction setting, and the rate limits. */
describe(`Open311 keys, settings and rate limits (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  const report = { service_code: 'exposed_garbage', lat: '30.665', long: '104.105' };

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
  });
  afterAll(() => t.stop());

  it('issues a key once, lists keys without it, and revokes it (audited)', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/api/open311/keys',
      headers: admin.headers,
      payload: { appName: 'FixMyStreet 成华', rateLimit: 30 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^o311_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect((await postForm(t, { api_key: key, ...report })).statusCode).toBe(200);

    const list = await t.inject({ method: 'GET', url: '/api/open311/keys', headers: admin.headers });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((k: { id: string }) => k.id === id);
    expect(item).toMatchObject({
      appName: 'FixMyStreet 成华',
      rateLimit: 30,
      revokedAt: null,
      lastUsedAt: expect.any(String),
    });
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain(hashSecret(key));

    expect(
      (await t.inject({ method: 'DELETE', url: `/api/open311/keys/${id}`, headers: admin.headers })).statusCode,
    ).toBe(204);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/open311/keys/${id}`, headers: admin.headers })).statusCode,
    ).toBe(409);
    expect(
      (await t.inject({ method: 'DELETE', url: '/api/open311/keys/nope', headers: admin.headers })).statusCode,
    ).toBe(404);
    for (const format of ['xml', 'json'] as const)
      expect(expectErrors(await postForm(t, { api_key: key, ...report }, format), 403, format)).toEqual([
        'Invalid api_key received -- can’t proceed with create_request.',
      ]);

    const audit = await t.inject({
      method: 'GET',
      url: `/api/audit?subjectType=open311_key&subjectId=${id}`,
      headers: admin.headers,
    });
    expect(audit.json().items.map((r: { action: string }) => r.action)).toEqual([
      'open311.key.issue',
      'open311.key.revoke',
    ]);
    expect(audit.body).not.toContain(key);
  });

  it('refuses invalid input (400), callers without authentication (401), other roles (403 forbidden) and scoped admins (403 outside-scope)', async () => {
    const bad = await t.inject({
      method: 'POST',
      url: '/api/open311/keys',
      headers: admin.headers,
      payload: { appName: '' },
    });
    expect(bad.statusCode).toBe(400);
    for (const [method, url] of [
      ['GET', '/api/open311/keys'],
      ['POST', '/api/open311/keys'],
      ['DELETE', '/api/open311/keys/x'],
      ['GET', '/api/open311/settings'],
      ['PUT', '/api/open311/settings'],
    ] as const) {
      const payload = method === 'POST' || method === 'PUT' ? { appName: 'x' } : undefined;
      expect((await t.inject({ method, url, ...(payload ? { payload } : {}) })).statusCode, `${method} ${url}`).toBe(
        401,
      );
      const leader = await t.user('leader');
      const res = await t.inject({ method, url, headers: leader.headers, ...(payload ? { payload } : {}) });
      expect([res.statusCode, res.json().type], `${method} ${url}`).toEqual([
        403,
        'https://civictwin.org/problems/forbidden',
      ]);
      const adminB = await t.user('admin', { placeId: w.communityB.id });
      const scoped = await t.inject({ method, url, headers: adminB.headers, ...(payload ? { payload } : {}) });
      expect([scoped.statusCode, scoped.json().type], `${method} ${url}`).toEqual([
        403,
        'https://civictwin.org/problems/outside-scope',
      ]);
    }
    const keys = await t.inject({ method: 'GET', url: '/api/open311/keys', headers: admin.headers });
    expect(keys.json().items.map((k: { appName: string }) => k.appName)).not.toContain('x');
  });

  it('answers 404 for another jurisdiction once one is configured; discovery shows the settings', async () => {
    const key = await issueKey(t, admin, 'jurisdiction test');
    expect((await postForm(t, { api_key: key, jurisdiction_id: 'elsewhere.gov', ...report })).statusCode).toBe(200);
    const put = await t.inject({
      method: 'PUT',
      url: '/api/open311/settings',
      headers: admin.headers,
      payload: { jurisdictionId: 'chenghua.gov.cn', contact: '028-12345' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ jurisdictionId: 'chenghua.gov.cn', contact: '028-12345' });
    for (const format of ['xml', 'json'] as const) {
      expect(
        expectErrors(
          await postForm(t, { api_key: key, jurisdiction_id: 'elsewhere.gov', ...report }, format),
          404,
          format,
        ),
      ).toEqual(['jurisdiction_id elsewhere.gov not found']);
      expectErrors(
        await t.inject({ url: `/open311/v2/services.${format}?jurisdiction_id=elsewhere.gov` }),
        404,
        format,
      );
    }
    expect((await postForm(t, { api_key: key, jurisdiction_id: 'chenghua.gov.cn', ...report })).statusCode).toBe(200);
    expect((await t.inject({ url: '/open311/v2/requests.json?jurisdiction_id=' })).statusCode).toBe(200);
    const discovery = (await t.inject({ url: '/open311/discovery.json' })).json();
    expect(discovery.contact).toBe('028-12345');
    expect(discovery.changeset).toBe('2026-11-26T09:00:00+08:00');
  });

  it('limits each key to its reports per minute, in the GeoReport format with Retry-After', async () => {
    const slow = await issueKey(t, admin, 'slow app', 2);
    const other = await issueKey(t, admin, 'other app', 2);
    for (let i = 0; i < 2; i++) expect((await postForm(t, { api_key: slow, ...report })).statusCode).toBe(200);
    const limited = await postForm(t, { api_key: slow, ...report }, 'xml');
    expect(expectErrors(limited, 429, 'xml')[0]).toMatch(/^Too many reports from this api_key/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postForm(t, { api_key: other, ...report })).statusCode).toBe(200);
  });

  it('limits each client address across the Open311 routes', async () => {
    const from = (remoteAddress: string) => t.inject({ url: '/open311/discovery.json', remoteAddress });
    for (let i = 0; i < addressRateLimit; i++) expect((await from('10.9.9.9')).statusCode).toBe(200);
    const limited = await from('10.9.9.9');
    expect(expectErrors(limited, 429, 'json')[0]).toMatch(/^Too many requests from your address/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.9.9.10')).statusCode).toBe(200);
    expect((await t.inject({ url: '/open311/v2/services.json', remoteAddress: '10.9.9.9' })).statusCode).toBe(429);
  });
});

describe.skipIf(engineUnderTest !== 'sqlite')('civictwin open311 key (CLI)', () => {
  let dataDir: string;
  const env = () => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
  const cli = (...args: string[]) => run('node', [bin, ...args], { env: env() });

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-open311-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('adds a key for an app and prints it once; lists and revokes keys; stores only the hash', async () => {
    const { stdout, stderr } = await cli('open311', 'key', 'add', '成华 e 家', '--rate-limit', '20');
    const key = stdout.trim();
    expect(key).toMatch(/^o311_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain('成华 e 家 (20 reports/minute)');
    const db = new Database(path.join(dataDir, 'civictwin.sqlite'), { readonly: true });
    const rows = db.prepare('select id, app_name, key_hash, rate_limit from open311_keys').all() as {
      id: string;
      app_name: string;
      key_hash: string;
      rate_limit: number;
    }[];
    db.close();
    expect(rows).toEqual([
      { id: expect.any(String), app_name: '成华 e 家', key_hash: hashSecret(key), rate_limit: 20 },
    ]);
    expect((await cli('open311', 'key', 'revoke', rows[0]!.id)).stdout).toContain('revoked the key of 成华 e 家');
    const listed = (await cli('open311', 'key', 'list')).stdout;
    expect(listed).toMatch(new RegExp(`^${rows[0]!.id}  ${key.slice(0, 11)}…  成华 e 家  20/min  revoked 20`));
    expect(listed).not.toContain(key);
  }, 120_000);
});
