import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireRole } from '../kernel/auth/policy.ts';
import { actorOf } from '../kernel/auth/principal.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { placesExporter, placesImporter } from './geojson.ts';
import { twinPolicy } from './policy.ts';

/** GeoJSON in and out: `POST /api/places/import`, `GET /api/places/export`. */
export function geojsonRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['twin 数字孪生'];

  r.post('/api/places/import', {
    schema: {
      tags,
      summary: 'Import places and grids from a GeoJSON FeatureCollection (all or nothing)',
      description:
        'Feature properties: kind (district…facility, or grid), code, name, parentCode; grids also workerUsername, headUsername. Other properties become attributes.',
      body: z.unknown(),
      response: {
        200: z.object({
          placesCreated: z.number(),
          placesUpdated: z.number(),
          gridsCreated: z.number(),
          gridsUpdated: z.number(),
        }),
      },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'import places');
      return inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        placesImporter(unit, ctx.twin, req.body, caller.scope),
      );
    },
  });

  r.get('/api/places/export', {
    schema: { tags, summary: 'Places and grids within your scope as a GeoJSON FeatureCollection' },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readPlaces, 'export places');
      const collection = await placesExporter(ctx.db, caller.scope);
      return reply.type('application/geo+json').send(collection);
    },
  });
}
