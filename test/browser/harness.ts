import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { demoDistrictLoader } from '../../src/demo/loader.ts';
import { type Runtime, startRuntime } from '../../src/server.ts';
import { webAppBuilder } from '../../src/web/builder.ts';

/** Debian's Chromium (`apt-get install chromium`); browser tests and the screen bench need it. */
export const chromiumPath = '/usr/bin/chromium';

/** Whether the browser tests can run here. */
export const hasChromium = fs.existsSync(chromiumPath);

/** The password of every demo account in browser tests. */
export const demoPassword = 'browser-test-password';

// STACK-NOTES: SwiftShader for WebGL (MapLibre), and no background traffic on a closed network.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];

/** A real civictwin server on 127.0.0.1 (random port) with the demo district, and its web app built. */
export type TestServer = { url: string; app: FastifyInstance; runtime: Runtime; close: () => Promise<void> };

/**
 * Starts the server the way `civictwin demo` does — runtime, demo district, app, listen — on an
 * embedded in-memory database, after building the web app if `web/dist` is missing or stale.
 * `beforeListen` may add data (the screen bench adds devices).
 */
export async function startTestServer(
  options: { beforeListen?: (runtime: Runtime) => Promise<void> } = {},
): Promise<TestServer> {
  const config = loadConfig({
    DATA_DIR: ':memory:',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    CIVICTWIN_DEMO_PASSWORD: demoPassword,
    LOGIN_RATE_LIMIT: '100',
  });
  const runtime = await startRuntime(config, { demo: true });
  await demoDistrictLoader(runtime.ctx, demoPassword);
  await options.beforeListen?.(runtime);
  await webAppBuilder(runtime.ctx.log);
  const app = await buildApp(runtime.ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    runtime,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

/** A headless Chromium with its own profile in a temp folder; `close` removes the folder. */
export async function launchChromium(viewport = { width: 1920, height: 1080 }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Records every request the pages of a context make that leaves `origin` (data: and blob: URLs
 * stay in the browser). The big screen promises that nothing is fetched from outside.
 */
export function outsideRequests(context: BrowserContext, origin: string): string[] {
  const outside: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) outside.push(url);
  });
  return outside;
}

/** Signs in through the login page and waits until the app has sent the user to their landing page. */
export async function signIn(page: Page, baseUrl: string, username: string, password = demoPassword) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 20_000 });
}

/** Where screenshots go (`test-results/`, kept by CI). */
export function screenshotPath(name: string): string {
  const dir = path.resolve(import.meta.dirname, '../../test-results');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
