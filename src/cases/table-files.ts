import ExcelJS from 'exceljs';

// The one writer of the case module's downloads (KPI reports, the case list): rows of cells as
// CSV or as an XLSX workbook.

/** One cell: text, a number, or empty. */
export type Cell = string | number | null;

/** One worksheet of a workbook: its name, its rows, and optionally each column's width. */
export type Sheet = { name: string; rows: Cell[][]; widths?: number[] };

/** MIME types of the two formats. */
export const tableTypes = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * Text that a spreadsheet program would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a
 * leading apostrophe: a resident's description must never become a formula (OWASP "CSV injection").
 * Numbers stay numbers.
 */
export function inertText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const csvCell = (v: Cell) => {
  const s = v === null ? '' : typeof v === 'number' ? String(v) : inertText(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Rows as CSV (RFC 4180, CRLF), UTF-8 with a byte-order mark so spreadsheet programs read the Chinese. */
export function csvOf(rows: Cell[][]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Worksheets as an XLSX workbook (cells are written as values, never as formulas). */
export async function xlsxOf(sheets: Sheet[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    for (const row of sheet.rows) ws.addRow(row);
    for (const [i, width] of (sheet.widths ?? []).entries()) ws.getColumn(i + 1).width = width;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
