import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

/** A valid 1×1 PNG (RFC 2083): signature, IHDR, IDAT, IEND. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** JPEG's SOI and an APP0 marker: enough for the magic-byte check. */
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0 a photo')]);

describe(`uploads (${engineUnderTest})`, () => {
  let t: TestApp;
  let worker: TestUser;
  let regulator: TestUser;
  let leader: TestUser;
  let w: Awaited<ReturnType<typeof buildWorld>>;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    worker = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
    regulator = await t.user('regulator');
    leader = await t.user('leader');
  });
  afterAll(() => t.stop());

  const upload = (who: TestUser, body: Buffer, type: string) =>
    t.inject({ method: 'POST', url: '/api/uploads', headers: { ...who.headers, 'content-type': type }, payload: body });

  it('stores a PNG content-addressed, serves the same bytes back and audits the upload', async () => {
    const sha = createHash('sha256').update(png).digest('hex');
    const res = await upload(worker, png, 'image/png');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: `upload:${sha}`,
      url: `/api/uploads/${sha}`,
      contentType: 'image/png',
      bytes: png.length,
    });
    const again = await upload(worker, png, 'image/png');
    expect(again.json().id).toBe(`upload:${sha}`);

    const got = await t.inject({ method: 'GET', url: `/api/uploads/${sha}`, headers: leader.headers });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(got.rawPayload.equals(png)).toBe(true);

    const trail = await t.inject({
      method: 'GET',
      url: '/api/audit?pageSize=200',
      headers: (await t.user('admin')).headers,
    });
    const body = JSON.stringify(trail.json());
    expect(body).toContain('upload.create');
    expect(body).toContain(sha);
  });

  it('stores a JPEG', async () => {
    const res = await upload(worker, jpeg, 'image/jpeg');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ contentType: 'image/jpeg', bytes: jpeg.length });
    const got = await t.inject({ method: 'GET', url: res.json().url, headers: worker.headers });
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.rawPayload.equals(jpeg)).toBe(true);
  });

  it('lets a resident attach a photo to their own report, which the dispatcher then sees', async () => {
    const resident = await t.user('resident', { placeId: w.communityA.id });
    const dispatcher = await t.user('dispatcher', { placeId: w.district.id });
    const photo = await upload(resident, jpeg, 'image/jpeg');
    expect(photo.statusCode).toBe(201);
    const reported = await t.inject({
      method: 'POST',
      url: '/api/cases',
      headers: resident.headers,
      payload: { category: 'exposed_garbage', location: [104.105, 30.665], photos: [photo.json().id] },
    });
    expect(reported.statusCode, reported.body).toBe(201);
    const seen = await t.inject({
      method: 'GET',
      url: `/api/cases/${reported.json().id}`,
      headers: dispatcher.headers,
    });
    expect(seen.json().timeline[0]).toMatchObject({ action: 'report', photos: [photo.json().id] });
    const bytes = await t.inject({ method: 'GET', url: photo.json().url, headers: dispatcher.headers });
    expect(bytes.rawPayload.equals(jpeg)).toBe(true);
    // Enterprises report cases too, with photos.
    expect((await upload(await t.user('enterprise'), png, 'image/png')).statusCode).toBe(201);
  });

  it('refuses bytes that are not the declared image type (415 problem)', async () => {
    const text = await upload(worker, Buffer.from('<svg onload="alert(1)"/>'), 'image/png');
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
    expect((await upload(worker, png, 'image/jpeg')).statusCode).toBe(415);
    const json = await t.inject({ method: 'POST', url: '/api/uploads', headers: worker.headers, payload: { a: 1 } });
    expect(json.statusCode).toBe(415);
    expect((await upload(worker, Buffer.from('GIF89a'), 'image/gif')).statusCode).toBe(415);
  });

  it('refuses an image above 5 MiB (413 problem)', async () => {
    const big = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]);
    const res = await upload(worker, big, 'image/png');
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses roles that handle no cases (403) and callers without credentials (401)', async () => {
    const res = await upload(regulator, png, 'image/png');
    expect(res.statusCode).toBe(403);
    expect(res.json().type).toContain('forbidden');
    const anonymous = await t.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { 'content-type': 'image/png' },
      payload: png,
    });
    expect(anonymous.statusCode).toBe(401);
    const sha = createHash('sha256').update(png).digest('hex');
    expect((await t.inject({ method: 'GET', url: `/api/uploads/${sha}` })).statusCode).toBe(401);
  });

  it('answers 404 for an unknown hash and 400 for a malformed one', async () => {
    expect(
      (await t.inject({ method: 'GET', url: `/api/uploads/${'0'.repeat(64)}`, headers: worker.headers })).statusCode,
    ).toBe(404);
    expect(
      (await t.inject({ method: 'GET', url: '/api/uploads/..%2f..%2fetc', headers: worker.headers })).statusCode,
    ).toBe(400);
  });
});
