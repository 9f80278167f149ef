import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/civictwin.js');

/** The real CLI, as an operator runs it, on a throw-away data folder (embedded database). */
describe('civictwin CLI', { timeout: 120_000 }, () => {
  let dataDir: string;
  const env = () => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
  const cli = (...args: string[]) => run('node', [bin, ...args], { env: env() });
  const fails = async (...args: string[]) => {
    try {
      await cli(...args);
    } catch (err) {
      return err as { code: number; stderr: string; stdout: string };
    }
    throw new Error(`civictwin ${args.join(' ')} succeeded`);
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('explains itself with --help, including the environment', async () => {
    const { stdout } = await cli('--help');
    for (const word of ['demo', 'serve', 'migrate', 'import', 'export', 'user', 'audit', 'DATA_DIR', 'DATABASE_URL'])
      expect(stdout).toContain(word);
  });

  it('migrates, imports places, adds a user, issues a token, exports, and verifies the audit log', async () => {
    expect((await cli('migrate')).stdout).toContain('database up to date');
    const file = path.join(dataDir, 'places.geojson');
    const square = (x: number) => ({
      type: 'Polygon',
      coordinates: [
        [
          [x, 30.6],
          [x + 0.01, 30.6],
          [x + 0.01, 30.61],
          [x, 30.61],
          [x, 30.6],
        ],
      ],
    });
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: square(104.1),
            properties: { kind: 'community', code: 'C1', name: '杉板桥社区', parentCode: 'S1' },
          },
          {
            type: 'Feature',
            geometry: square(104.1),
            properties: { kind: 'subdistrict', code: 'S1', name: '跳蹬河街道', parentCode: 'D1' },
          },
          { type: 'Feature', geometry: square(104.1), properties: { kind: 'district', code: 'D1', name: '成华区' } },
          {
            type: 'Feature',
            geometry: square(104.1),
            properties: { kind: 'grid', code: '510108003001001', name: '第1网格', parentCode: 'C1' },
          },
        ],
      }),
    );
    expect(JSON.parse((await cli('import', 'places', file)).stdout)).toEqual({
      placesCreated: 3,
      placesUpdated: 0,
      gridsCreated: 1,
      gridsUpdated: 0,
    });
    expect(
      (await cli('user', 'add', 'wg1', '--role', 'worker', '--name', '王网格', '--grid', '510108003001001')).stdout,
    ).toMatch(/created wg1 \(worker\), password: \S+/);
    const token = (await cli('user', 'token', 'wg1')).stdout.trim();
    expect(token).toMatch(/^ct_[A-Za-z0-9_-]{40,}$/);
    const exported = JSON.parse((await cli('export', 'places')).stdout);
    expect(exported.features.map((f: { properties: { code: string } }) => f.properties.code).sort()).toEqual([
      '510108003001001',
      'C1',
      'D1',
      'S1',
    ]);
    expect((await cli('audit', 'verify')).stdout).toMatch(/audit log intact: 6 records/);
  });

  it('rejects a bad file whole, naming the bad feature', async () => {
    const file = path.join(dataDir, 'bad.geojson');
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: null,
            properties: { kind: 'compound', code: 'K1', name: '好小区', parentCode: 'C1' },
          },
          {
            type: 'Feature',
            geometry: null,
            properties: { kind: 'compound', code: 'K2', name: '坏小区', parentCode: 'NOPE' },
          },
        ],
      }),
    );
    const err = await fails('import', 'places', file);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('/features/1/properties/parentCode');
    const exported = JSON.parse((await cli('export', 'places')).stdout);
    expect(exported.features.map((f: { properties: { code: string } }) => f.properties.code)).not.toContain('K1');
  });

  it('refuses an unknown role and an unknown user, and bad configuration', async () => {
    expect((await fails('user', 'add', 'x1', '--role', 'king')).stderr).toMatch(/king/);
    expect((await fails('user', 'token', 'nobody')).stderr).toContain('no user nobody');
    const bad = await run('node', [bin, 'migrate'], { env: { ...env(), PORT: 'eighty' } }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PORT');
  });

  it('exits non-zero and names the first bad record when the audit log was tampered with', async () => {
    const db = new Database(path.join(dataDir, 'civictwin.sqlite'));
    db.prepare(`update audit_log set actor = 'user:mallory' where seq = 2`).run();
    db.close();
    const altered = await fails('audit', 'verify');
    expect(altered.code).toBe(1);
    expect(altered.stderr).toContain('first bad record 2');

    const db2 = new Database(path.join(dataDir, 'civictwin.sqlite'));
    db2.prepare(`update audit_log set actor = 'cli' where seq = 2`).run();
    expect((await cli('audit', 'verify')).stdout).toContain('intact');
    db2.prepare('delete from audit_log where seq = 4').run();
    db2.close();
    const removed = await fails('audit', 'verify');
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain('first bad record 4');
  });
});
