import { describe, expect, it } from 'vitest';
import { type AuditRecord, genesisHash, recordHash, verifyChain } from './chain.ts';

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = genesisHash;
  for (let seq = 1; seq <= n; seq++) {
    const r = {
      seq,
      at: `2026-11-26T08:00:0${seq}.000Z`,
      actor: 'user:admin',
      action: 'place.update',
      subjectType: 'place',
      subjectId: `p${seq}`,
      before: '{"name":"a"}',
      after: '{"name":"b"}',
      prevHash: prev,
    };
    const hash = recordHash(r);
    out.push({ ...r, hash });
    prev = hash;
  }
  return out;
}
const headOf = (rs: AuditRecord[]) => ({ seq: rs.at(-1)?.seq ?? 0, hash: rs.at(-1)?.hash ?? genesisHash });

describe('the audit hash chain', () => {
  it('accepts an intact chain and an empty one', () => {
    const rs = chain(5);
    expect(verifyChain(rs, headOf(rs))).toEqual({ ok: true, records: 5, headHash: rs[4]?.hash });
    expect(verifyChain([], { seq: 0, hash: genesisHash }).ok).toBe(true);
  });

  it('names an altered record', () => {
    const rs = chain(5);
    rs[2] = { ...rs[2]!, after: '{"name":"c"}' };
    expect(verifyChain(rs, headOf(chain(5)))).toMatchObject({ ok: false, firstBad: 3 });
  });

  it('names the gap where a record was removed', () => {
    const rs = chain(5);
    const head = headOf(rs);
    rs.splice(1, 1);
    expect(verifyChain(rs, head)).toMatchObject({ ok: false, firstBad: 2, reason: expect.stringContaining('missing') });
  });

  it('catches a removed last record through the head', () => {
    const rs = chain(5);
    const head = headOf(rs);
    expect(verifyChain(rs.slice(0, 4), head)).toMatchObject({ ok: false, firstBad: 5 });
  });

  it('catches a record inserted and the rest renumbered', () => {
    const rs = chain(5);
    const head = headOf(rs);
    const forged = { ...rs[1]!, subjectId: 'forged' };
    const renumbered = [rs[0]!, forged, ...rs.slice(1).map((r) => ({ ...r, seq: r.seq + 1 }))];
    const verdict = verifyChain(renumbered, head);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.firstBad).toBe(2);
  });

  it('catches a record appended outside the chain', () => {
    const rs = chain(5);
    const head = headOf(rs);
    const extra = { ...rs[4]!, seq: 6, prevHash: rs[4]!.hash };
    expect(verifyChain([...rs, { ...extra, hash: recordHash(extra) }], head)).toMatchObject({ ok: false, firstBad: 6 });
  });
});
