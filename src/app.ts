import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.ts';
import { allCaseRoutes } from './cases/module.ts';
import { auditRoutes } from './kernel/audit/routes.ts';
import { authRoutes } from './kernel/auth/routes.ts';
import { registerAuthentication } from './kernel/http/authenticate.ts';
import { registerProblemHandlers, webSocketErrorHandler } from './kernel/http/errors.ts';
import { registerInputGuards } from './kernel/http/input-guards.ts';
import { opsRoutes } from './kernel/http/ops.ts';
import { rateLimitStore } from './kernel/http/rate-limits.ts';
import { allNotifyRoutes } from './notify/module.ts';
import { open311Module } from './open311/module.ts';
import { rulesRoutes } from './rules/routes.ts';
import { signalsRoutes } from './signals/routes.ts';
import { epcisRoutes } from './trace/epcis/routes.ts';
import { traceRoutes } from './trace/graph/routes.ts';
import { geojsonRoutes } from './twin/geojson-routes.ts';
import { twinRoutes } from './twin/routes.ts';
import { uploadRoutes } from './uploads/routes.ts';
import { webRoutes } from './web/routes.ts';

/** A registered route, for the security tests and the docs. */
export type RouteEntry = { method: string; url: string; public: boolean };

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

/** Composes the modules into one Fastify app. Nothing else lives here. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log, bodyLimit: ctx.config.bodyLimit, trustProxy: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  registerInputGuards(app);
  const routes: RouteEntry[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        public: route.config?.public === true || route.url.startsWith('/api/docs'),
      });
    }
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false, store: rateLimitStore(ctx.db, ctx.clock) });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 }, errorHandler: webSocketErrorHandler });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'civictwin API',
        description: '数字孪生社区治理与食品安全监管平台 — the district’s places, grids, devices, people and audit.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from `civictwin user token <username>`' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ct_session',
            description: 'browser session from POST /api/auth/login',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  registerAuthentication(app, ctx);

  opsRoutes(app, ctx);
  authRoutes(app, ctx);
  auditRoutes(app, ctx);
  twinRoutes(app, ctx);
  geojsonRoutes(app, ctx);
  signalsRoutes(app, ctx);
  rulesRoutes(app, ctx);
  allCaseRoutes(app, ctx);
  allNotifyRoutes(app, ctx);
  traceRoutes(app, ctx);
  await open311Module(app, ctx);
  epcisRoutes(app, ctx);
  await uploadRoutes(app, ctx);
  await webRoutes(app, ctx);
  return app;
}
