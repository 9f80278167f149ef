import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { appendAudit } from '../kernel/audit/audit.ts';
import { requireRole } from '../kernel/auth/policy.ts';
import { actorOf } from '../kernel/auth/principal.ts';
import type { Role } from '../kernel/auth/roles.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { notFound, Problem } from '../kernel/problems.ts';
import { type ImageType, imageTypes, maxImageBytes, sniffImageType } from './images.ts';
import { findUpload, storeUpload, uploadsDir } from './store.ts';

/** Who may upload photos: those who report or handle cases (issue 6) — residents and enterprises for their own reports. */
export const uploadRoles: readonly Role[] = ['worker', 'handler', 'dispatcher', 'admin', 'resident', 'enterprise'];

const tag = { tags: ['uploads 照片'] };
const uploadView = z.object({
  id: z.string().describe('photo reference for a case action: `upload:<sha256>`'),
  url: z.string(),
  contentType: z.enum(Object.keys(imageTypes) as [ImageType, ...ImageType[]]),
  bytes: z.number().int(),
});

const unsupportedType = (detail: string) =>
  new Problem(415, 'unsupported-media-type', '文件类型不支持 Unsupported media type', detail);

/**
 * `POST /api/uploads` (raw image bytes) and `GET /api/uploads/:sha`: photos for cases, stored
 * content-addressed under `<DATA_DIR>/uploads`. Registered in its own scope so that only here a
 * request body may be an image.
 */
export async function uploadRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const dir = uploadsDir(ctx.config.dataDir);
  await app.register(async (scope) => {
    // Only image bodies here; anything else is refused by Fastify with 415 before the handler.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      Object.keys(imageTypes),
      { parseAs: 'buffer', bodyLimit: maxImageBytes },
      (_req, body, done) => done(null, body),
    );
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/api/uploads', {
      bodyLimit: maxImageBytes,
      schema: {
        ...tag,
        summary: 'Upload a photo (raw JPEG, PNG or WebP bytes, at most 5 MiB)',
        description: 'The body is the image itself; its type is checked by its magic bytes.',
        response: { 201: uploadView },
      },
      handler: async (req, reply) => {
        const caller = callerOf(req);
        requireRole(caller, uploadRoles, 'upload photos');
        const body = req.body;
        if (!Buffer.isBuffer(body))
          throw unsupportedType('send the image bytes as image/jpeg, image/png or image/webp');
        const declared = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        const actual = sniffImageType(body);
        if (!actual) throw unsupportedType('the bytes are not a JPEG, PNG or WebP image');
        if (actual !== declared) throw unsupportedType(`the bytes are ${actual}, not ${declared}`);
        const stored = await storeUpload(dir, body, actual);
        await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
          appendAudit(unit.tx, unit.clock, {
            actor: unit.actor,
            action: 'upload.create',
            subjectType: 'upload',
            subjectId: stored.sha256,
            after: { contentType: stored.contentType, bytes: stored.bytes, new: stored.created },
          }),
        );
        return reply.status(201).send({
          id: `upload:${stored.sha256}`,
          url: `/api/uploads/${stored.sha256}`,
          contentType: stored.contentType,
          bytes: stored.bytes,
        });
      },
    });

    r.get('/api/uploads/:sha', {
      schema: {
        ...tag,
        summary: 'A photo (any signed-in user: references are unguessable SHA-256 hashes)',
        params: z.object({ sha: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex') }),
      },
      handler: async (req, reply) => {
        callerOf(req);
        const found = await findUpload(dir, req.params.sha);
        if (!found) throw notFound(`upload ${req.params.sha}`);
        // Content-addressed: the bytes behind a URL never change (RFC 8246 immutable).
        return reply
          .type(found.contentType)
          .header('cache-control', 'private, max-age=31536000, immutable')
          .header('x-content-type-options', 'nosniff')
          .send(fs.createReadStream(found.file));
      },
    });
  });
}
