/**
 * The GS1 corpus, mutated: each JSON-LD document with one value at a time replaced by something
 * odd (empty, long, emoji, zero, negative, huge, null, a list, an object, an impossible date, a
 * malformed EPC). Capture and the event-hash helper must answer 4xx or accept it; a capture job
 * must never end in an ImplementationException (a hash or write error validation did not foresee).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/conformance/epcis/json');
const ODD: unknown[] = [
  '',
  'x'.repeat(3000),
  '\u{1F600}',
  0,
  -1,
  1e308,
  null,
  [],
  {},
  '2026-02-30T00:00:00Z',
  'urn:epc:id:sgtin:0.0.0',
];
/** Values changed per document, spread over its fields. */
const PER_DOCUMENT = 4;

type Path = (string | number)[];
function leafPaths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) leafPaths(x, [...at, i], out);
  } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leafPaths(x, [...at, k], out);
  else out.push(at);
  return out;
}
function withValue(doc: unknown, at: Path, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of at.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[at.at(-1) as string | number] = value;
  return copy;
}

describe(`EPCIS corpus, mutated (${engineUnderTest})`, { timeout: 300_000 }, () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.user('admin');
  });
  afterAll(() => t.stop());

  it('answers each mutation with a 4xx or takes it, and no capture job fails inside', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.jsonld'))) {
      const doc = JSON.parse(fs.readFileSync(path.join(CORPUS, file), 'utf8')) as unknown;
      const paths = leafPaths(doc).filter((p) => p[0] !== '@context');
      const step = Math.max(1, Math.floor(paths.length / PER_DOCUMENT));
      for (const at of paths.filter((_, i) => i % step === 0).slice(0, PER_DOCUMENT))
        for (const value of ODD) {
          const payload = JSON.stringify(withValue(doc, at, value));
          const where = `${file} /${at.join('/')} = ${JSON.stringify(value).slice(0, 20)}`;
          sent++;
          for (const url of ['/epcis/capture', '/api/trace/event-hashes']) {
            const res = await t.inject({
              method: 'POST',
              url,
              headers: { ...admin.headers, 'content-type': 'application/ld+json' },
              payload,
            });
            if (res.statusCode >= 500) failures.push(`${res.statusCode} ${url} ${where}`);
            if (url !== '/epcis/capture' || res.statusCode !== 202) continue;
            await captureWorkerOf(t.ctx).drain();
            const job = (
              await t.inject({ method: 'GET', url: String(res.headers.location), headers: admin.headers })
            ).json();
            if (job.running || JSON.stringify(job.errors).includes('ImplementationException'))
              failures.push(`job ${where}: ${JSON.stringify(job.errors).slice(0, 160)}`);
          }
        }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  });
});
