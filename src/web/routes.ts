import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { defaultWebPaths, type WebPaths, webAppBuilder } from './builder.ts';

/**
 * Paths the single-page app routes itself (web/src/app/routes.ts); each also with sub-paths.
 * Everything else (`/api`, `/epcis`, `/open311`, `/trace`, `/healthz`, `/readyz`, `/metrics`) stays the server's.
 */
export const spaPaths = ['/login', '/screen', '/console', '/worker', '/report', '/home'] as const;

/** What the browser app needs to know before it draws a map: public, no personal data. */
export const webConfigView = z.object({
  basemapStyleUrl: z
    .string()
    .nullable()
    .describe('MapLibre style drawn under the twin’s layers (BASEMAP_STYLE_URL); null: a plain background'),
});

// Hashed file names under /assets never change content: cache for a year. index.html: always revalidate.
const immutable = 'public, max-age=31536000, immutable';
const assetName = /^[A-Za-z0-9._-]+$/;
// `send` would write its own Cache-Control over ours.
const ownCacheHeader = { cacheControl: false } as const;

/**
 * Content-Security-Policy of the app's HTML. Without a basemap nothing may be fetched from
 * another origin (the "no remote tiles" promise, enforced by the browser); with one, its tiles,
 * glyphs and sprites may come from any https origin the style names.
 */
export function contentSecurityPolicy(basemapStyleUrl: string | undefined): string {
  const remote = basemapStyleUrl ? ' https:' : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and MapLibre set style attributes; ECharts draws on canvas.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${remote}`,
    `connect-src 'self'${remote}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Serves the built web app (`web/dist`) at `/` with a fallback to `index.html` for the app's own
 * paths, and `GET /api/web-config`. Every route here is public: the app's files hold no data, and
 * the data comes from the authenticated API. When the server starts listening, the app is built
 * if `web/dist` is missing or older than its sources (`WEB_AUTOBUILD`; never under `inject`, so API
 * tests don't build).
 */
export async function webRoutes(
  app: FastifyInstance,
  ctx: Pick<AppContext, 'config' | 'log'>,
  paths: WebPaths = defaultWebPaths,
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { distDir } = paths;
  await app.register(fastifyStatic, { root: distDir, serve: false });
  const csp = contentSecurityPolicy(ctx.config.basemapStyleUrl);
  const web = { public: true } as const;
  const hidden = { hide: true } as const;

  if (ctx.config.webAutoBuild)
    app.addHook('onListen', async () => {
      await webAppBuilder(ctx.log, paths).catch(() => undefined); // logged by the builder
    });

  /** index.html, or a page that says the app is being built and retries by itself. */
  const sendIndex = (reply: FastifyReply) => {
    void reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    if (!fs.existsSync(path.join(distDir, 'index.html'))) {
      return reply.status(503).header('retry-after', '3').type('text/html; charset=utf-8').send(buildingPage);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', distDir, ownCacheHeader);
  };

  r.get('/', { config: web, schema: hidden }, (_req, reply) => sendIndex(reply));
  for (const prefix of spaPaths) {
    r.get(prefix, { config: web, schema: hidden }, (_req, reply) => sendIndex(reply));
    r.get(`${prefix}/*`, { config: web, schema: hidden }, (_req, reply) => sendIndex(reply));
  }

  r.get(
    '/assets/:file',
    { config: web, schema: { ...hidden, params: z.object({ file: z.string().regex(assetName) }) } },
    (req, reply) =>
      reply
        .header('cache-control', immutable)
        .header('x-content-type-options', 'nosniff')
        .sendFile(req.params.file, path.join(distDir, 'assets'), ownCacheHeader),
  );
  r.get('/favicon.svg', { config: web, schema: hidden }, (_req, reply) =>
    reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.svg', distDir, ownCacheHeader),
  );

  r.get('/api/web-config', {
    config: web,
    schema: {
      tags: ['web 前端'],
      summary: 'Settings of the browser app (public): the basemap style',
      response: { 200: webConfigView },
    },
    handler: async () => ({ basemapStyleUrl: ctx.config.basemapStyleUrl ?? null }),
  });
}

const buildingPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>正在构建前端 Building the web app</title></head>
<body style="font-family:sans-serif;background:#0b1426;color:#dce6f5;display:grid;place-items:center;height:100vh;margin:0">
<p>正在构建前端，请稍候…<br><small>Building the web app, this page reloads by itself.</small></p></body></html>`;
