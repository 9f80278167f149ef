import { describe, expect, it } from 'vitest';
import { type FsmaRow, fsmaCsv } from './fsma-export.ts';

const row: FsmaRow = {
  cte: '发货 Shipping',
  tlc: '(01)06903456300011(10)L1',
  product: '=HYPERLINK("http://evil.example")',
  quantity: 2.5,
  uom: 'KGM',
  location: 'GLN 6903456000010',
  time: '2026-11-03T04:00:00.000Z',
  timeZone: 'UTC+08:00',
  references: 'desadv: a, b',
  source: '-1+1',
  destination: '@SUM(A1)',
  container: '',
  bizStep: 'shipping',
  eventID: 'ni:///sha-256;ab?ver=CBV2.0',
};

describe('FSMA 204 CSV', () => {
  it('quotes per RFC 4180 and defuses formulas partners could plant (OWASP CSV injection)', () => {
    const [header, line] = fsmaCsv([row]).slice(1).split('\r\n');
    expect(header?.split(',')).toHaveLength(14);
    expect(line).toBe(
      `发货 Shipping,(01)06903456300011(10)L1,"'=HYPERLINK(""http://evil.example"")",2.5,KGM,GLN 6903456000010,2026-11-03T04:00:00.000Z,UTC+08:00,"desadv: a, b",'-1+1,'@SUM(A1),,shipping,ni:///sha-256;ab?ver=CBV2.0`,
    );
  });

  it('starts with a byte-order mark and ends lines with CRLF', () => {
    const csv = fsmaCsv([]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(2);
  });
});
