import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { registerProblemHandlers } from '../kernel/http/errors.ts';
import { contentSecurityPolicy, spaPaths, webRoutes } from './routes.ts';

/** A bare app with only the web routes, over a dist folder the test writes. */
async function webApp(distDir: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  await app.register(fastifySwagger, {
    openapi: { info: { title: 't', version: '0' } },
    transform: jsonSchemaTransform,
  });
  const log = pino({ level: 'silent' });
  await webRoutes(app, { config: loadConfig(env), log }, { webDir: path.dirname(distDir), distDir, extraInputs: [] });
  return app;
}

describe('web routes', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-dist-'));
    fs.mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(dir, 'dist/assets/index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'dist/assets/maplibre-gl-worker-x1.mjs'), 'self.onmessage = () => {}');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
    app = await webApp(path.join(dir, 'dist'));
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends index.html for the app’s paths and their sub-paths, with a CSP and no caching', async () => {
    for (const url of ['/', ...spaPaths, '/screen/compound/1', '/console/cases?status=open']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('<title>app</title>');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-security-policy'], url).toContain("connect-src 'self';");
    }
  });

  it('serves hashed assets for a year, module workers as JavaScript', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const worker = await app.inject({ method: 'GET', url: '/assets/maplibre-gl-worker-x1.mjs' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['content-type']).toMatch(/javascript/);
  });

  it('never serves a file outside dist/assets, and answers unknown files with a 404 problem', async () => {
    for (const url of ['/assets/..%2F..%2Fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/../secret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('not for the web');
    }
    const missing = await app.inject({ method: 'GET', url: '/assets/absent-1.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('leaves every other path to the rest of the server', async () => {
    for (const url of ['/api/places', '/epcis/events', '/open311/v2/requests.json', '/trace', '/metrics', '/screenx']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
  });

  it('documents the web config in the OpenAPI document, and hides the app’s files from it', async () => {
    await app.ready();
    const paths = Object.keys((app as unknown as { swagger: () => { paths: object } }).swagger().paths);
    expect(paths).toEqual(['/api/web-config']);
  });

  it('says the app is being built while dist is missing', async () => {
    const empty = await webApp(path.join(dir, 'nothing-here'));
    const res = await empty.inject({ method: 'GET', url: '/screen' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body).toContain('正在构建前端');
    await empty.close();
  });

  it('tells the browser app the basemap, and opens the CSP to https only when there is one', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/web-config' })).json()).toEqual({ basemapStyleUrl: null });
    const url = 'https://basemap.example.cn/style.json';
    const withBasemap = await webApp(path.join(dir, 'dist'), { BASEMAP_STYLE_URL: url });
    expect((await withBasemap.inject({ method: 'GET', url: '/api/web-config' })).json()).toEqual({
      basemapStyleUrl: url,
    });
    expect((await withBasemap.inject({ method: 'GET', url: '/screen' })).headers['content-security-policy']).toContain(
      "connect-src 'self' https:",
    );
    await withBasemap.close();
    expect(contentSecurityPolicy(undefined)).not.toContain('https:');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'tiles.example.cn/style.json'])
      expect(() => loadConfig({ BASEMAP_STYLE_URL: bad }), bad).toThrow(/BASEMAP_STYLE_URL must be an http\(s\) URL/);
  });
});
