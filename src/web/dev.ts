import path from 'node:path';
import { loadConfig } from '../config.ts';
import { demoDistrictLoader, demoPassword, demoPasswordSyncer } from '../demo/loader.ts';
import { serve, startRuntime } from '../server.ts';
import { defaultWebPaths } from './builder.ts';

/**
 * `npm run dev`: the API with the demo district (as `civictwin demo`, on PORT) and Vite's dev
 * server with hot reload (on 5173) in one process; Vite proxies the server's paths to the API, so
 * the session cookie and CSRF work as in production. The server does not build `web/dist` here.
 */
async function main(): Promise<void> {
  const config = { ...loadConfig(), webAutoBuild: false };
  const runtime = await startRuntime(config, { demo: true });
  const password = demoPassword(runtime.ctx);
  if (!(await demoDistrictLoader(runtime.ctx, password))) await demoPasswordSyncer(runtime.ctx, password);
  const api = await serve(runtime);
  const target = api.url.replace('localhost', '127.0.0.1');
  const proxied = ['/api', '/trace', '/epcis', '/open311', '/healthz', '/readyz', '/metrics'];

  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: path.join(defaultWebPaths.webDir, 'vite.config.ts'),
    root: defaultWebPaths.webDir,
    server: {
      proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target, changeOrigin: false, ws: true }])),
    },
  });
  await vite.listen();
  vite.printUrls();
  process.stdout.write(`  API (demo district) on ${api.url}; demo accounts' password: ${password}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void vite.close());
}

await main();
