import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReason, type WebPaths, webAppBuilder } from './builder.ts';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A tiny web project: index.html, one module, a Vite config. */
function tinyProject(): WebPaths {
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-web-'));
  temps.push(webDir);
  fs.mkdirSync(path.join(webDir, 'src'));
  fs.writeFileSync(
    path.join(webDir, 'index.html'),
    '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>',
  );
  fs.writeFileSync(path.join(webDir, 'src/main.js'), 'document.body.textContent = "你好 " + process.env.NODE_ENV;\n');
  fs.writeFileSync(path.join(webDir, 'vite.config.ts'), 'export default {};\n');
  return {
    webDir,
    distDir: path.join(webDir, 'dist'),
    extraInputs: [path.join(webDir, 'index.html'), path.join(webDir, 'vite.config.ts')],
  };
}

const touch = (file: string, at: Date) => fs.utimesSync(file, at, at);

describe('web app builder', () => {
  it('builds when dist is missing, not when it is current, again when a source is newer', async () => {
    const paths = tinyProject();
    const log = pino({ level: 'silent' });
    expect(buildReason(paths)).toBe('missing');

    await expect(webAppBuilder(log, paths)).resolves.toBe('missing');
    const index = path.join(paths.distDir, 'index.html');
    expect(fs.readFileSync(index, 'utf8')).toMatch(
      /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/,
    );
    expect(buildReason(paths)).toBeNull();
    await expect(webAppBuilder(log, paths)).resolves.toBeNull();
    // A production build even inside Vitest (NODE_ENV=test): React's development build is 2× larger and slower.
    const [bundle] = fs.readdirSync(path.join(paths.distDir, 'assets'));
    expect(fs.readFileSync(path.join(paths.distDir, 'assets', bundle ?? ''), 'utf8')).toContain('你好 production');

    touch(index, new Date(Date.now() - 60_000));
    expect(buildReason(paths)).toBe('stale');
    await expect(webAppBuilder(log, paths)).resolves.toBe('stale');
    expect(buildReason(paths)).toBeNull();
    // The build replaced dist whole: no temporary folder is left beside it.
    expect(fs.readdirSync(paths.webDir).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
  });

  it('shares one build among concurrent callers', async () => {
    const paths = tinyProject();
    const log = pino({ level: 'silent' });
    const [a, b] = [webAppBuilder(log, paths), webAppBuilder(log, paths)];
    expect(a).toBe(b);
    await expect(a).resolves.toBe('missing');
  });

  it('keeps the old build and rejects when the sources do not build', async () => {
    const paths = tinyProject();
    const log = pino({ level: 'silent' });
    await webAppBuilder(log, paths);
    const before = fs.readFileSync(path.join(paths.distDir, 'index.html'), 'utf8');
    fs.writeFileSync(path.join(paths.webDir, 'src/main.js'), 'import { nothing } from "./absent.js";\n');
    touch(path.join(paths.webDir, 'src/main.js'), new Date(Date.now() + 60_000));
    await expect(webAppBuilder(log, paths)).rejects.toThrow();
    expect(fs.readFileSync(path.join(paths.distDir, 'index.html'), 'utf8')).toBe(before);
    expect(fs.readdirSync(paths.webDir).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
  });

  it('removes what a killed build left behind, not what a live one is writing', async () => {
    const paths = tinyProject();
    const dead = path.join(paths.webDir, 'dist.tmp-999999999-1');
    const live = path.join(paths.webDir, `dist.tmp-${process.ppid}-1`);
    for (const dir of [dead, live]) fs.mkdirSync(dir);
    await webAppBuilder(pino({ level: 'silent' }), paths);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });

  it('serves a shipped build as current when there are no sources', () => {
    const paths = tinyProject();
    fs.mkdirSync(paths.distDir);
    fs.writeFileSync(path.join(paths.distDir, 'index.html'), '<!doctype html>');
    fs.rmSync(path.join(paths.webDir, 'src'), { recursive: true });
    for (const f of paths.extraInputs) fs.rmSync(f);
    expect(buildReason(paths)).toBeNull();
  });
});
