/**
 * CBV 2.0 §8.9 event hash ID against the GS1 reference implementation's conformance examples
 * (/work/shared/conformance/epcis/event-hash, read-only): every `.jsonld` / `.xml` example with a
 * `.hashes` and/or `.prehashes` file, one line per event in document order, and every
 * `expected_equal` document, whose events are the same event written differently.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventHash, eventHashesOfDocument } from './index.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/conformance/epcis/event-hash');
const EXAMPLES = path.join(CORPUS, 'examples');
const EXPECTED_EQUAL = path.join(CORPUS, 'expected_equal');

/** The non-empty lines of an expectations file (one per event; files end with a newline, one with two). */
const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

const contentType = (file: string): 'json' | 'xml' => (file.endsWith('.xml') ? 'xml' : 'json');
const hashDocument = (file: string) =>
  eventHashesOfDocument({ contentType: contentType(file), body: readFileSync(file, 'utf8') });
const sha256Id = (preHash: string): string =>
  `ni:///sha-256;${createHash('sha256').update(preHash).digest('hex')}?ver=CBV2.0`;

/** `[document, expectations file]`: tuples, so that test names show full file names (`%s` is not truncated). */
type Case = [file: string, expected: string];

/** Example documents paired with an expectations file (`.hashes` or `.prehashes`) of the same base name. */
function cases(kind: '.hashes' | '.prehashes'): Case[] {
  return readdirSync(EXAMPLES)
    .filter((f) => /\.(jsonld|xml)$/.test(f))
    .sort()
    .map((f): Case => [f, f.replace(/\.(jsonld|xml)$/, kind)])
    .filter(([, expected]) => existsSync(path.join(EXAMPLES, expected)));
}

/**
 * Corpus errata: `.prehashes` lines that are corrupt in the corpus itself. Each such line does not
 * hash to the `.hashes` line next to it, while our pre-hash does (see the "errata" tests below),
 * so the `.hashes` file is right and the `.prehashes` line is wrong.
 */
const PREHASH_ERRATA: ReadonlyMap<string, { events: readonly number[]; why: string }> = new Map([
  [
    'epcisDocWithAllGS1Keys.jsonld',
    {
      events: [0],
      why:
        'the line is garbled (fragments such as "epc=httpspc=", "/235=https://AB12", "https://i23456010d.gs1.org", ' +
        '"https://ref.gs5000115/1.org" spliced in; the same in the upstream GS1 reference repository)',
    },
  ],
  [
    'epcisDocWithDefaultSchemaInContext.jsonld',
    {
      events: [1],
      why:
        'the line is truncated inside the first bizTransaction ("urn:epcglobal:cbv:bt:06141410734" instead of ' +
        '"…:0614141073467:1152") and lacks the second bizTransaction (type po)',
    },
  ],
]);

const hashCases = cases('.hashes');
const prehashCases = cases('.prehashes');

describe('conformance corpus', () => {
  it('is where the tests expect it', () => {
    expect(existsSync(EXAMPLES), EXAMPLES).toBe(true);
    expect(existsSync(EXPECTED_EQUAL), EXPECTED_EQUAL).toBe(true);
    expect(hashCases.length).toBeGreaterThanOrEqual(25);
    expect(prehashCases.length).toBeGreaterThanOrEqual(24);
  });
});

describe('event hash IDs of the examples (.hashes)', () => {
  it.each(hashCases)('%s → %s', (file, expected) => {
    const { hashes, prehashes } = hashDocument(path.join(EXAMPLES, file));
    expect(hashes).toEqual(lines(path.join(EXAMPLES, expected)));
    expect(hashes).toEqual(prehashes.map(eventHash));
  });
});

describe('pre-hash strings of the examples (.prehashes)', () => {
  it.each(prehashCases.filter(([file]) => !PREHASH_ERRATA.has(file)))('%s → %s', (file, expected) => {
    expect(hashDocument(path.join(EXAMPLES, file)).prehashes).toEqual(lines(path.join(EXAMPLES, expected)));
  });

  // Kept, but expected to fail: the corpus line is corrupt (PREHASH_ERRATA), not our pre-hash.
  it.fails.each(prehashCases.filter(([file]) => PREHASH_ERRATA.has(file)))(
    '%s → %s (corpus erratum, expected to fail)',
    (file, expected) => {
      expect(hashDocument(path.join(EXAMPLES, file)).prehashes).toEqual(lines(path.join(EXAMPLES, expected)));
    },
  );
});

describe('corpus errata in .prehashes', () => {
  it.each([...PREHASH_ERRATA].map(([file, { events }]) => [file, events] as const))(
    '%s: the corpus line is wrong, our pre-hash hashes to the corpus hash',
    (file, events) => {
      const base = path.join(EXAMPLES, file.replace(/\.(jsonld|xml)$/, ''));
      const expectedPre = lines(`${base}.prehashes`);
      const expectedHashes = lines(`${base}.hashes`);
      const ours = hashDocument(path.join(EXAMPLES, file));
      ours.prehashes.forEach((pre, i) => {
        if (events.includes(i)) {
          // The corpus line is inconsistent with the corpus hash; ours is consistent with it.
          expect(sha256Id(expectedPre[i]!)).not.toBe(expectedHashes[i]);
          expect(sha256Id(pre)).toBe(expectedHashes[i]);
          expect(pre).not.toBe(expectedPre[i]);
        } else {
          expect(pre).toBe(expectedPre[i]);
        }
      });
    },
  );
});

describe('every other corpus pre-hash line hashes to its .hashes line', () => {
  it.each(prehashCases)('%s → %s', (file, expected) => {
    const pre = lines(path.join(EXAMPLES, expected));
    const hashes = lines(path.join(EXAMPLES, expected.replace('.prehashes', '.hashes')));
    const bad = PREHASH_ERRATA.get(file)?.events ?? [];
    expect(pre).toHaveLength(hashes.length);
    pre.forEach((line, i) => {
      if (!bad.includes(i)) expect(sha256Id(line)).toBe(hashes[i]);
    });
  });
});

describe('expected_equal: the same event in different representations hashes equal', () => {
  const files = readdirSync(EXPECTED_EQUAL)
    .filter((f) => /\.(json|jsonld|xml)$/.test(f))
    .sort();

  it.each(files)('%s', (file) => {
    const { hashes } = hashDocument(path.join(EXPECTED_EQUAL, file));
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hashes).size).toBe(1);
  });

  it('ReferenceEventHashAlgorithm.json hashes as the ReferenceEventHashAlgorithm example', () => {
    const { hashes } = hashDocument(path.join(EXPECTED_EQUAL, 'ReferenceEventHashAlgorithm.json'));
    expect(hashes[0]).toBe(lines(path.join(EXAMPLES, 'ReferenceEventHashAlgorithm.hashes'))[0]);
  });
});
