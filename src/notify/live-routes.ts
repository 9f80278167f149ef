import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { viewerDepartments } from '../cases/case-access.ts';
import { canSeeCase } from '../cases/policy.ts';
import { findCase } from '../cases/store.ts';
import { inScope, type Principal } from '../kernel/auth/principal.ts';
import { principalFromSession, principalFromToken } from '../kernel/auth/service.ts';
import { sessionCookie } from '../kernel/http/authenticate.ts';
import { badRequest, Problem, unauthorized } from '../kernel/problems.ts';
import { findPlace } from '../twin/store.ts';
import { LiveConnection, type LiveHub } from './live-hub.ts';

const departmentsOf = new WeakMap<FastifyRequest, string[]>();
const channelPattern = /^(user|place|case):[A-Za-z0-9_-]{1,64}$/;

/** Query of `/api/live`. */
export const liveQuery = z.object({
  token: z.string().optional().describe('bearer API token (browsers cannot set headers on a WebSocket)'),
  since: z.coerce.number().int().min(0).optional().describe('outbox seq last received: replay what was missed'),
  channels: z.string().optional().describe('comma-separated: place:<id>, case:<id> (your user:<id> is implicit)'),
});

/** Messages a client may send. */
const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), channels: z.array(z.string()).max(100) }),
  z.object({ type: z.literal('unsubscribe'), channels: z.array(z.string()).max(100) }),
  z.object({ type: z.literal('ping') }),
]);

/**
 * Authenticates a WebSocket upgrade: `?token=` or `Authorization: Bearer`, else the session cookie.
 * A cookie-authenticated upgrade must come from the same origin (cross-site WebSocket hijacking:
 * browsers send cookies on cross-site upgrades, and CSRF tokens cannot ride on them).
 */
async function liveAuthenticate(req: FastifyRequest, ctx: AppContext): Promise<Principal> {
  const q = liveQuery.safeParse(req.query);
  if (!q.success)
    throw badRequest(
      'bad /api/live query',
      q.error.issues.map((i) => ({ pointer: `/query/${i.path.join('/')}`, detail: i.message })),
    );
  const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = q.data.token ?? header;
  if (token) {
    const p = await principalFromToken(ctx.db, ctx.clock, token);
    if (!p) throw unauthorized('unknown or revoked API token');
    return p;
  }
  const cookie = req.cookies?.[sessionCookie];
  if (!cookie) throw unauthorized();
  const p = await principalFromSession(ctx.db, ctx.clock, cookie);
  if (!p) throw unauthorized('session expired or signed out; log in again');
  const origin = req.headers.origin;
  if (origin && new URL(origin).host !== req.headers.host)
    throw new Problem(403, 'cross-origin', '跨站请求被拒绝 Cross-origin refused', `WebSocket from ${origin} refused`);
  return p;
}

/** Checks that the viewer may listen on a channel; returns why not, or null. */
async function channelRefusal(ctx: AppContext, conn: LiveConnection, channel: string): Promise<string | null> {
  if (!channelPattern.test(channel)) return 'not a channel name';
  const [kind, id] = channel.split(':') as [string, string];
  const viewer = conn.principal;
  if (kind === 'user') return id === viewer.userId ? null : 'only your own user channel';
  if (kind === 'case') {
    const c = await findCase(ctx.db, id);
    return c && canSeeCase(viewer, c, conn.departmentIds) ? null : 'no such case in your scope';
  }
  const place = await findPlace(ctx.db, id);
  if (!place) return 'no such place';
  // A place inside the scope, or one above the viewer's scope root (its events are filtered down to the scope).
  const above = viewer.scope.path?.startsWith(place.path);
  return above || inScope({ ...viewer.scope, gridId: null }, { path: place.path, gridId: null })
    ? null
    : 'outside your scope';
}

async function subscribe(ctx: AppContext, conn: LiveConnection, channels: string[]) {
  const ok: string[] = [];
  for (const channel of channels) {
    const refusal = await channelRefusal(ctx, conn, channel);
    if (refusal) conn.send({ type: 'error', code: 'channel-refused', channel, detail: refusal });
    else {
      conn.channels.add(channel);
      ok.push(channel);
    }
  }
  return ok;
}

/**
 * `GET /api/live` (WebSocket): pushes case.created, case.updated, alarm.raised, alarm.cleared and
 * twin.state to the caller's channels, filtered by their role and scope; `?since=<seq>` replays
 * what a reconnecting client missed. Public to the global authentication hook only because
 * browsers cannot send headers on a WebSocket: it authenticates itself (token or session cookie).
 */
export function liveRoutes(app: FastifyInstance, ctx: AppContext, hub: LiveHub): void {
  app.get(
    '/api/live',
    {
      websocket: true,
      config: { public: true },
      // The request line may carry `?token=`: keep it out of the (info-level) access log.
      logLevel: 'warn',
      schema: {
        tags: ['push 推送'],
        summary: 'WebSocket: live cases, alarms and twin state for your channels (see src/notify/live-messages.ts)',
        querystring: liveQuery,
      },
      onRequest: async (req) => {
        req.principal = await liveAuthenticate(req, ctx);
        departmentsOf.set(req, await viewerDepartments(ctx.db, req.principal));
      },
    },
    // Listeners are attached before the first await, so no early client message is lost.
    async (socket, req) => {
      const principal = req.principal!;
      const q = liveQuery.parse(req.query);
      const conn = new LiveConnection(principal, departmentsOf.get(req) ?? [], socket);
      hub.add(conn);
      socket.on('close', () => hub.remove(conn));
      socket.on('message', (raw: Buffer) => {
        let parsed: z.infer<typeof clientMessage>;
        try {
          parsed = clientMessage.parse(JSON.parse(raw.toString('utf8')));
        } catch {
          conn.send({ type: 'error', code: 'bad-message', detail: 'expected {type: subscribe|unsubscribe|ping, …}' });
          return;
        }
        if (parsed.type === 'ping') conn.send({ type: 'pong' });
        else if (parsed.type === 'unsubscribe') {
          for (const c of parsed.channels) if (c !== `user:${principal.userId}`) conn.channels.delete(c);
          conn.send({ type: 'subscribed', channels: [...conn.channels] });
        } else
          void subscribe(ctx, conn, parsed.channels).then(() =>
            conn.send({ type: 'subscribed', channels: [...conn.channels] }),
          );
      });
      try {
        await subscribe(
          ctx,
          conn,
          q.channels
            ? q.channels
                .split(',')
                .map((c) => c.trim())
                .filter(Boolean)
            : [],
        );
        conn.send({ type: 'hello', v: 1, userId: principal.userId, channels: [...conn.channels] });
        if (q.since !== undefined) await hub.catchUp(conn, q.since);
        else await hub.start(conn);
      } catch (err) {
        req.log.error({ err }, 'live connection failed');
        socket.close(1011, 'server error');
      }
    },
  );
}
