/**
 * The recall scope as an FSMA 204 "electronic sortable spreadsheet" (21 CFR 1.1455(c)(3)(ii)): one
 * row per critical tracking event and traceability lot, with its key data elements — traceability
 * lot code, product description, quantity and unit, location, date and time, reference document,
 * source (ship-from) and destination (ship-to). Packing and unpacking (Aggregation/Association
 * events) are not critical tracking events: the goods they move appear opened up in the shipping
 * and receiving rows. CSV (RFC 4180) and XLSX.
 */
import ExcelJS from 'exceljs';
import { bizStepOf, bizTransactionsOf, destinationsOf, type Endpoints, sourcesOf } from './event-fields.ts';
import { whereOf } from './graph.ts';
import { elementString, gtinOf } from './identifiers.ts';
import { nameOf, type RecallScope } from './recall-scoper.ts';

/** One row of the spreadsheet. */
export type FsmaRow = {
  cte: string;
  tlc: string;
  product: string;
  quantity: number | null;
  uom: string;
  location: string;
  /** Event time, UTC ISO-8601 (sorts as text). */
  time: string;
  timeZone: string;
  references: string;
  source: string;
  destination: string;
  container: string;
  bizStep: string;
  eventID: string;
};

/** Columns in order, with bilingual headers (the regulator reads Chinese; FSMA names the elements). */
const COLUMNS: ReadonlyArray<{ key: keyof FsmaRow; header: string; width: number }> = [
  { key: 'cte', header: '关键追踪事件 Critical tracking event', width: 22 },
  { key: 'tlc', header: '追溯批次码 Traceability lot code', width: 34 },
  { key: 'product', header: '产品描述 Product description', width: 28 },
  { key: 'quantity', header: '数量 Quantity', width: 10 },
  { key: 'uom', header: '单位 Unit of measure', width: 10 },
  { key: 'location', header: '地点 Location', width: 26 },
  { key: 'time', header: '日期时间 Date/time (UTC)', width: 20 },
  { key: 'timeZone', header: '当地时区 Local UTC offset', width: 10 },
  { key: 'references', header: '参考单据 Reference document', width: 40 },
  { key: 'source', header: '来源 Source (ship-from)', width: 30 },
  { key: 'destination', header: '目的地 Destination (ship-to)', width: 30 },
  { key: 'container', header: '物流单元 Logistic unit', width: 24 },
  { key: 'bizStep', header: '业务步骤 EPCIS bizStep', width: 14 },
  { key: 'eventID', header: 'EPCIS 事件 Event ID', width: 40 },
];

/** CBV 2.0 business steps → FSMA 204 critical tracking events (21 CFR 1.1325–1.1350). */
const CTE: Readonly<Record<string, string>> = {
  shipping: '发货 Shipping',
  departing: '发货 Shipping',
  receiving: '收货 Receiving',
  arriving: '收货 Receiving',
  accepting: '收货 Receiving',
  commissioning: '初始包装 Initial packing',
  creating_class_instance: '初始包装 Initial packing',
};

function cteOf(type: string, bizStep: string | null): string {
  if (type === 'TransformationEvent') return '转化 Transformation';
  if (bizStep && CTE[bizStep]) return CTE[bizStep];
  return `其他 Other${bizStep ? ` (${bizStep})` : ''}`;
}

/** The rows of a recall scope, sorted by time, then lot code. */
export function fsmaRowsOf(scope: RecallScope): FsmaRow[] {
  const { trace, ledger, names } = scope;
  const name = (id: string | undefined) => (id ? nameOf(names, id) : '');
  const endpoint = (e: Endpoints) =>
    [e.location, e.owning_party ?? e.possessing_party]
      .filter((v): v is string => typeof v === 'string')
      .map(name)
      .join(' / ');
  // Product description: master data of the lot, else of its GTIN, else the GTIN itself.
  const productOf = (id: string) => {
    const gtin = gtinOf(id);
    return names.get(id) ?? (gtin ? (names.get(`https://id.gs1.org/01/${gtin}`) ?? `GTIN ${gtin}`) : name(id));
  };
  const rows: FsmaRow[] = [];
  for (const event of trace.events) {
    if (event.type === 'AggregationEvent' || event.type === 'AssociationEvent') continue;
    const doc = event.document;
    const bizStep = bizStepOf(doc);
    const common = {
      cte: cteOf(event.type, bizStep),
      location: name(whereOf(event) ?? undefined),
      time: event.time,
      timeZone: typeof doc.eventTimeZoneOffset === 'string' ? `UTC${doc.eventTimeZoneOffset}` : '',
      references: bizTransactionsOf(doc)
        .map((t) => (t.type ? `${t.type}: ${t.id}` : t.id))
        .join('; '),
      source: endpoint(sourcesOf(doc)),
      destination: endpoint(destinationsOf(doc)),
      bizStep: bizStep ?? '',
      eventID: event.eventId,
    };
    const groups = new Map<string, FsmaRow>();
    for (const g of ledger.goodsOf(event)) {
      const key = `${g.lot} ${g.uom ?? ''} ${g.container ?? ''}`;
      const row = groups.get(key);
      if (row) {
        row.quantity = row.quantity !== null && g.quantity !== null ? row.quantity + g.quantity : null;
        continue;
      }
      groups.set(key, {
        ...common,
        tlc: elementString(g.lot),
        product: productOf(g.lot),
        quantity: g.quantity,
        uom: g.uom ?? 'EA',
        container: g.container ? elementString(g.container) : '',
      });
    }
    rows.push(...groups.values());
  }
  return rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.tlc.localeCompare(b.tlc)));
}

/**
 * A CSV cell: quoted when needed (RFC 4180), and text that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'` (OWASP CSV injection) — partners' data is untrusted.
 */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The spreadsheet as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese headers), CRLF lines. */
export function fsmaCsv(rows: readonly FsmaRow[]): string {
  const lines = [COLUMNS.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(COLUMNS.map((c) => csvCell(row[c.key])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The spreadsheet as XLSX: a real header row, autofilter, frozen header, times as dates (UTC). */
export async function fsmaXlsx(rows: readonly FsmaRow[], createdAt: Date): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'civictwin';
  workbook.created = createdAt;
  workbook.modified = createdAt;
  const sheet = workbook.addWorksheet('FSMA 204', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c) => ({
    key: c.key,
    header: c.header,
    width: c.width,
    ...(c.key === 'time' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow({ ...row, time: new Date(row.time) });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
