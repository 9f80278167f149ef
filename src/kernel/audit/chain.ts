import { createHash } from 'node:crypto';

/** The hash before the first record. */
export const genesisHash = '0'.repeat(64);

/** One audit record as stored: every field that the hash covers, plus the hash. */
export type AuditRecord = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: string | null;
  after: string | null;
  prevHash: string;
  hash: string;
};

/** JSON with object keys sorted, so equal values always serialise (and hash) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The hash of a record: SHA-256 over its fields and the previous record's hash. */
export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const fields = [r.seq, r.at, r.actor, r.action, r.subjectType, r.subjectId, r.before, r.after, r.prevHash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type ChainVerdict =
  | { ok: true; records: number; headHash: string }
  | { ok: false; records: number; firstBad: number; reason: string };

/**
 * Recomputes the chain one record at a time (so a long log streams through): `push` each record
 * in `seq` order, then `finish` with the stored chain head (last seq and hash), which catches
 * records removed from the end.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prev = genesisHash;
  private count = 0;
  private failure: ChainVerdict | undefined;

  /** Checks the next record; returns the verdict once the chain is known to be broken. */
  push(r: AuditRecord): ChainVerdict | undefined {
    if (this.failure) return this.failure;
    this.count++;
    const fail = (firstBad: number, reason: string) => {
      this.failure = { ok: false, records: this.count, firstBad, reason };
      return this.failure;
    };
    if (r.seq !== this.expectedSeq) {
      return r.seq > this.expectedSeq
        ? fail(
            this.expectedSeq,
            `record ${this.expectedSeq}${r.seq - this.expectedSeq > 1 ? `–${r.seq - 1}` : ''} is missing`,
          )
        : fail(r.seq, `record ${r.seq} is out of order`);
    }
    if (r.prevHash !== this.prev) {
      return fail(
        r.seq,
        `record ${r.seq} does not follow record ${r.seq - 1} (a record was inserted, removed or altered)`,
      );
    }
    if (recordHash(r) !== r.hash) {
      return fail(r.seq, `record ${r.seq} was altered (its hash does not match its content)`);
    }
    this.prev = r.hash;
    this.expectedSeq++;
    return undefined;
  }

  finish(head: { seq: number; hash: string }): ChainVerdict {
    if (this.failure) return this.failure;
    const last = this.expectedSeq - 1;
    if (head.seq > last) {
      return {
        ok: false,
        records: this.count,
        firstBad: last + 1,
        reason: `records ${last + 1}–${head.seq} are missing from the end`,
      };
    }
    if (head.seq < last) {
      return {
        ok: false,
        records: this.count,
        firstBad: head.seq + 1,
        reason: `record ${head.seq + 1} was appended outside the chain`,
      };
    }
    if (head.hash !== this.prev) {
      return { ok: false, records: this.count, firstBad: last, reason: `the chain head does not match record ${last}` };
    }
    return { ok: true, records: this.count, headHash: this.prev };
  }
}

/** Verifies a whole chain held in memory. */
export function verifyChain(records: Iterable<AuditRecord>, head: { seq: number; hash: string }): ChainVerdict {
  const verifier = new ChainVerifier();
  for (const r of records) if (verifier.push(r)) break;
  return verifier.finish(head);
}
