import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { actorOf } from '../kernel/auth/principal.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { parseBBox } from '../kernel/geo/geometry.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { limits, pageOf, pageQuery } from '../kernel/http/paging.ts';
import { badRequest } from '../kernel/problems.ts';
import { deviceCreator, deviceLoader, deviceRemover, deviceUpdater } from './devices.ts';
import { gridCreator, gridLoader, gridPeople, gridRemover, gridUpdater } from './grids.ts';
import { placeCreator, placeLoader, placeRemover, placeUpdater } from './places.ts';
import { twinPolicy } from './policy.ts';
import { presentDevice, presentGrid, presentPlace } from './presenters.ts';
import {
  deviceInput,
  devicePatch,
  deviceView,
  gridInput,
  gridPatch,
  gridView,
  placeInput,
  placeKindSchema,
  placePatch,
  placeView,
} from './schema.ts';
import * as store from './store.ts';

const idParams = z.object({ id: z.string() });
const placesTag = { tags: ['twin 数字孪生'] };

/** `/api/places`, `/api/grids`, `/api/devices`: the twin over HTTP. */
export function twinRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tx = <T>(actor: string, fn: Parameters<typeof inTransaction<T>>[3]) =>
    inTransaction(ctx.db, ctx.clock, actor, fn);
  const scopedPlace = (p: store.PlaceRow) => ({ path: p.path, gridId: p.grid_id });

  r.get('/api/places', {
    schema: {
      ...placesTag,
      summary: 'List places (paged, within your scope)',
      querystring: pageQuery.extend({
        kind: placeKindSchema.optional(),
        parent: z.string().optional().describe('id of the parent place'),
        bbox: z.string().optional().describe('minLng,minLat,maxLng,maxLat'),
      }),
      response: { 200: pageOf(placeView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readPlaces, 'read places');
      const bbox = req.query.bbox === undefined ? undefined : parseBBox(req.query.bbox);
      if (req.query.bbox !== undefined && !bbox)
        throw badRequest('bbox is minLng,minLat,maxLng,maxLat', [{ pointer: '/query/bbox', detail: 'malformed' }]);
      const { rows, total } = await store.listPlaces(
        ctx.db,
        caller.scope,
        { kind: req.query.kind, parentId: req.query.parent, bbox },
        limits(req.query),
      );
      return { items: rows.map(presentPlace), page: req.query.page, pageSize: req.query.pageSize, total };
    },
  });

  r.get('/api/places/:id', {
    schema: { ...placesTag, summary: 'One place', params: idParams, response: { 200: placeView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readPlaces, 'read places');
      const place = await placeLoader(ctx.db, req.params.id);
      requireInScope(caller, scopedPlace(place), `place ${place.code}`);
      return presentPlace(place);
    },
  });

  r.post('/api/places', {
    schema: { ...placesTag, summary: 'Create a place', body: placeInput, response: { 201: placeView } },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      const row = await tx(actorOf(caller), async (unit) => {
        if (caller.scope.path !== null) {
          const parent = req.body.parentId ? await store.findPlace(unit.tx, req.body.parentId) : undefined;
          requireInScope(caller, { path: parent?.path ?? '/', gridId: caller.scope.gridId }, 'the parent place');
        }
        return placeCreator(unit, ctx.twin, req.body);
      });
      return reply.status(201).send(presentPlace(row));
    },
  });

  r.patch('/api/places/:id', {
    schema: {
      ...placesTag,
      summary: 'Change a place',
      params: idParams,
      body: placePatch,
      response: { 200: placeView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      const row = await tx(actorOf(caller), async (unit) => {
        const place = await placeLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedPlace(place), `place ${place.code}`);
        if (req.body.parentId)
          requireInScope(caller, scopedPlace(await placeLoader(unit.tx, req.body.parentId)), 'the new parent');
        return placeUpdater(unit, ctx.twin, place, req.body);
      });
      return presentPlace(row);
    },
  });

  r.delete('/api/places/:id', {
    schema: { ...placesTag, summary: 'Delete a place with nothing under it', params: idParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      await tx(actorOf(caller), async (unit) => {
        const place = await placeLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedPlace(place), `place ${place.code}`);
        await placeRemover(unit, ctx.twin, place);
      });
      return reply.status(204).send();
    },
  });

  const gridsTag = { tags: ['twin 数字孪生'] };
  const scopedGrid = (g: store.GridRow) => ({ path: g.path, gridId: g.id });

  r.get('/api/grids', {
    schema: {
      ...gridsTag,
      summary: 'List grid cells (网格), paged, within your scope',
      querystring: pageQuery.extend({ community: z.string().optional().describe('id of the community') }),
      response: { 200: pageOf(gridView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readPlaces, 'read grids');
      const { rows, total } = await store.listGrids(
        ctx.db,
        caller.scope,
        { communityId: req.query.community },
        limits(req.query),
      );
      const people = await gridPeople(ctx.db, rows);
      return {
        items: rows.map((g) => presentGrid(g, people, caller)),
        page: req.query.page,
        pageSize: req.query.pageSize,
        total,
      };
    },
  });

  r.get('/api/grids/:id', {
    schema: { ...gridsTag, summary: 'One grid cell', params: idParams, response: { 200: gridView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readPlaces, 'read grids');
      const grid = await gridLoader(ctx.db, req.params.id);
      requireInScope(caller, scopedGrid(grid), `grid ${grid.code}`);
      return presentGrid(grid, await gridPeople(ctx.db, [grid]), caller);
    },
  });

  r.post('/api/grids', {
    schema: { ...gridsTag, summary: 'Draw a grid cell in a community', body: gridInput, response: { 201: gridView } },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      const row = await tx(actorOf(caller), async (unit) => {
        const community = await placeLoader(unit.tx, req.body.communityId);
        requireInScope(caller, scopedPlace(community), `community ${community.code}`);
        return gridCreator(unit, ctx.twin, req.body);
      });
      return reply.status(201).send(presentGrid(row, await gridPeople(ctx.db, [row]), caller));
    },
  });

  r.patch('/api/grids/:id', {
    schema: {
      ...gridsTag,
      summary: 'Change a grid cell',
      params: idParams,
      body: gridPatch,
      response: { 200: gridView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      const row = await tx(actorOf(caller), async (unit) => {
        const grid = await gridLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedGrid(grid), `grid ${grid.code}`);
        return gridUpdater(unit, ctx.twin, grid, req.body);
      });
      return presentGrid(row, await gridPeople(ctx.db, [row]), caller);
    },
  });

  r.delete('/api/grids/:id', {
    schema: { ...gridsTag, summary: 'Remove a grid cell', params: idParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change the twin');
      await tx(actorOf(caller), async (unit) => {
        const grid = await gridLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedGrid(grid), `grid ${grid.code}`);
        await gridRemover(unit, ctx.twin, grid);
      });
      return reply.status(204).send();
    },
  });

  const devicesTag = { tags: ['devices 设备'] };
  const scopedDevice = (d: store.DeviceRow) => ({ path: d.path, gridId: d.grid_id });

  r.get('/api/devices', {
    schema: {
      ...devicesTag,
      summary: 'List devices (paged, within your scope)',
      querystring: pageQuery.extend({
        kind: z.string().optional(),
        place: z.string().optional().describe('id of the place'),
        grid: z.string().optional().describe('id of the grid cell'),
        status: z.enum(['online', 'offline', 'unknown']).optional(),
      }),
      response: { 200: pageOf(deviceView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readDevices, 'read devices');
      const q = req.query;
      const { rows, total } = await store.listDevices(
        ctx.db,
        caller.scope,
        { kind: q.kind, placeId: q.place, gridId: q.grid, status: q.status },
        limits(q),
      );
      return { items: rows.map(presentDevice), page: q.page, pageSize: q.pageSize, total };
    },
  });

  r.get('/api/devices/:id', {
    schema: { ...devicesTag, summary: 'One device', params: idParams, response: { 200: deviceView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.readDevices, 'read devices');
      const device = await deviceLoader(ctx.db, req.params.id);
      requireInScope(caller, scopedDevice(device), `device ${device.code}`);
      return presentDevice(device);
    },
  });

  r.post('/api/devices', {
    schema: {
      ...devicesTag,
      summary: 'Register a device; the answer carries its access token, shown only once',
      body: deviceInput,
      response: { 201: deviceView.extend({ accessToken: z.string() }) },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'register devices');
      const [created] = await tx(actorOf(caller), async (unit) => {
        requireInScope(caller, scopedPlace(await placeLoader(unit.tx, req.body.placeId)), 'the device’s place');
        return deviceCreator(unit, ctx.twin, [req.body], ctx.demo);
      });
      if (!created) throw new Error('device not created');
      return reply.status(201).send({ ...presentDevice(created.row), accessToken: created.accessToken });
    },
  });

  r.patch('/api/devices/:id', {
    schema: {
      ...devicesTag,
      summary: 'Change a device',
      params: idParams,
      body: devicePatch,
      response: { 200: deviceView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'change devices');
      const row = await tx(actorOf(caller), async (unit) => {
        const device = await deviceLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedDevice(device), `device ${device.code}`);
        if (req.body.placeId)
          requireInScope(caller, scopedPlace(await placeLoader(unit.tx, req.body.placeId)), 'the new place');
        return deviceUpdater(unit, ctx.twin, device, req.body);
      });
      return presentDevice(row);
    },
  });

  r.delete('/api/devices/:id', {
    schema: { ...devicesTag, summary: 'Remove a device', params: idParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, twinPolicy.writeTwin, 'remove devices');
      await tx(actorOf(caller), async (unit) => {
        const device = await deviceLoader(unit.tx, req.params.id);
        requireInScope(caller, scopedDevice(device), `device ${device.code}`);
        await deviceRemover(unit, device);
      });
      return reply.status(204).send();
    },
  });
}
