import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { outsideScope, unauthorized } from '../kernel/problems.ts';
import type { DeviceContext } from '../twin/device-state.ts';
import { deviceLoader } from '../twin/devices.ts';
import { signalsPolicy } from './policy.ts';
import {
  batchBody,
  ingestResult,
  type SignalKind,
  signalKindSchema,
  signalView,
  telemetryPayloadDoc,
} from './schema.ts';
import * as store from './store.ts';

const deviceTag = { tags: ['device API 设备接入'] };
/** How many seqs one read of a device's signals looks at (the log has no device index). */
const recentScan = 200_000;
const tokenParams = z.object({ token: z.string().describe('the device’s access token') });

/**
 * Signals over HTTP: ThingsBoard's device API (`POST /api/v1/{token}/telemetry|attributes`, the
 * device's token in the path instead of a user's credentials), the gateway/bulk batch, and reads.
 * Every answer comes after the commit: 200 means stored.
 */
export function signalsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const devices = new WeakMap<FastifyRequest, DeviceContext>();
  app.addHook('onClose', async () => ctx.signals.stop());

  // The device is known before its body is read: an unknown token gets 401 whatever it sends.
  const deviceAuth = async (req: FastifyRequest) => {
    const { token } = req.params as { token: string };
    const device = await ctx.signals.ingest.deviceFor(token);
    if (!device) throw unauthorized('unknown device access token');
    devices.set(req, device);
  };
  const deviceOf = (req: FastifyRequest) => {
    const device = devices.get(req);
    if (!device) throw unauthorized('unknown device access token');
    return device;
  };
  const deviceRoute = (kind: SignalKind) => ({
    // Device-authenticated (token in the path), not user-authenticated: see `deviceAuth`.
    config: {
      public: true,
      // A device may send twenty messages a second; more is a fault (gateways send batches).
      rateLimit: {
        max: 1200,
        timeWindow: '1 minute',
        keyGenerator: (req: FastifyRequest) => (req.params as { token: string }).token,
      },
    },
    bodyLimit: ctx.config.signalMaxBytes,
    onRequest: deviceAuth,
    schema: {
      ...deviceTag,
      summary:
        kind === 'telemetry'
          ? 'A device’s telemetry (ThingsBoard format: {"k":v}, {"ts":ms,"values":{…}} or an array of these)'
          : 'A device’s client-side attributes (ThingsBoard format: {"k":v})',
      security: [],
      params: tokenParams,
      body: kind === 'telemetry' ? telemetryPayloadDoc : z.record(z.string(), z.unknown()),
      response: { 200: ingestResult },
    },
  });

  r.post('/api/v1/:token/telemetry', {
    ...deviceRoute('telemetry'),
    handler: async (req) => ctx.signals.ingest.fromDevice(deviceOf(req), 'telemetry', req.body, 'http'),
  });

  r.post('/api/v1/:token/attributes', {
    ...deviceRoute('attributes'),
    handler: async (req) => ctx.signals.ingest.fromDevice(deviceOf(req), 'attributes', req.body, 'http'),
  });

  r.post('/api/signals', {
    schema: {
      ...deviceTag,
      summary:
        'A gateway’s or bulk loader’s batch: items {device (code), values, ts?, id?, kind?} of many devices, stored all or nothing (admin)',
      body: batchBody,
      response: { 200: ingestResult },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, signalsPolicy.ingestBatch, 'send signals for devices');
      return ctx.signals.ingest.batch(req.body.items, caller.scope);
    },
  });

  r.get('/api/signals', {
    schema: {
      ...deviceTag,
      summary: 'One device’s recent signals, newest first (within your scope); continue with `before` = `nextBefore`',
      querystring: z.object({
        device: z.string().describe('id of the device'),
        kind: signalKindSchema.optional(),
        before: z.coerce.number().int().positive().optional().describe('signals with a seq below this'),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: { 200: z.object({ items: z.array(signalView), nextBefore: z.number().int().nullable() }) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, signalsPolicy.readSignals, 'read signals');
      const q = req.query;
      const device = await deviceLoader(ctx.db, q.device);
      requireInScope(caller, { path: device.path, gridId: device.grid_id }, `device ${device.code}`);
      const before = q.before ?? (await store.lastSeq(ctx.db)) + 1;
      const { rows, nextBefore } = await store.recentDeviceSignals(ctx.db, device.id, {
        kind: q.kind,
        before,
        limit: q.limit,
        scan: recentScan,
      });
      return {
        items: rows.map((s) => ({
          seq: s.seq,
          deviceId: s.device_id,
          kind: s.kind as SignalKind,
          ts: s.ts,
          receivedAt: s.received_at,
          source: s.source,
          values: JSON.parse(s.payload) as Record<string, unknown>,
        })),
        nextBefore,
      };
    },
  });

  r.get('/api/signals/stats', {
    schema: {
      ...deviceTag,
      summary:
        'The signal pipeline’s figures: commits, stored, duplicates, consumer position, alarms, dropped MQTT messages',
      response: {
        200: z.object({
          writer: z.object({ commits: z.number(), stored: z.number(), duplicates: z.number(), failed: z.number() }),
          consumer: z.object({ batches: z.number(), signals: z.number(), position: z.number(), failures: z.number() }),
          head: z.number(),
          rules: z.object({
            readings: z.number(),
            raised: z.number(),
            repeated: z.number(),
            cleared: z.number(),
            errors: z.number(),
          }),
          dropped: z.record(z.string(), z.record(z.string(), z.number())),
        }),
      },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, signalsPolicy.readStats, 'read the pipeline’s figures');
      if (caller.scope.path !== null) throw outsideScope('the pipeline’s figures cover the whole system');
      return {
        writer: ctx.signals.writer.stats,
        consumer: ctx.signals.consumer.stats,
        head: await store.lastSeq(ctx.db),
        rules: ctx.signals.rules.stats,
        dropped: Object.fromEntries(ctx.signals.ingest.dropped),
      };
    },
  });
}
