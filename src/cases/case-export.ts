import type { CaseView } from './schema.ts';
import type { Cell } from './table-files.ts';

// The dispatch console's case list as a spreadsheet (`GET /api/cases/export`): one row per case,
// Chinese column headers, local times, and personal data exactly as the list masks it.

/** The most cases one export holds; more → narrow the filters (the answer is built in memory). */
export const maxExportRows = 20_000;

/** Names the export shows for ids: places, grids. */
export type ExportNames = { place: (id: string) => string; grid: (id: string | null) => string };

const sourceNames: Record<CaseView['source'], string> = {
  alarm: '设备告警',
  resident: '居民上报',
  patrol: '巡查上报',
  hotline: '12345热线',
  enterprise: '企业诉求',
  food_safety: '食品安全',
  elder_call: '紧急呼叫',
};
const satisfactionNames: Record<NonNullable<CaseView['satisfaction']>, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};

/** An instant as local wall time `YYYY-MM-DD HH:mm` at a fixed offset (the working calendar's zone). */
export function localTime(iso: string | null, offsetMinutes: number): string | null {
  if (!iso) return null;
  return new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** The columns: header and the cell of a case. */
const columns: [string, (c: CaseView, names: ExportNames, at: (iso: string | null) => string | null) => Cell][] = [
  ['案件编号', (c) => c.code],
  ['来源', (c) => sourceNames[c.source]],
  ['类别', (c) => c.category.name],
  ['标题', (c) => c.title],
  ['问题描述', (c) => c.description],
  ['状态', (c) => c.stateLabel],
  ['地点', (c, n) => n.place(c.placeId)],
  ['网格', (c, n) => n.grid(c.gridId)],
  ['地址', (c) => c.address],
  ['经度', (c) => c.location?.[0] ?? null],
  ['纬度', (c) => c.location?.[1] ?? null],
  ['上报人', (c) => c.reporter?.name ?? null],
  ['联系电话', (c) => c.reporter?.phone ?? null],
  ['上报时间', (c, _, at) => at(c.createdAt)],
  ['立案时间', (c, _, at) => at(c.registeredAt)],
  ['处置部门', (c) => c.department?.name ?? null],
  ['处置人', (c) => c.assignee?.name ?? null],
  ['首问负责人', (c) => c.firstResponsible?.name ?? null],
  ['签收时限', (c, _, at) => at(c.deadlines?.acceptBy ?? null)],
  ['处置时限', (c, _, at) => at(c.deadlines?.handleBy ?? null)],
  ['处置时间', (c, _, at) => at(c.handledAt)],
  ['结案时间', (c, _, at) => at(c.closedAt)],
  ['是否超期', (c) => (c.sla.overdue ? '是' : '否')],
  ['延期次数', (c) => c.extensionCount],
  ['返工次数', (c) => c.reworkCount],
  ['满意度', (c) => (c.satisfaction ? satisfactionNames[c.satisfaction] : null)],
];

/** Column widths of the workbook, in characters. */
export const exportWidths = columns.map(([header]) =>
  ['标题', '问题描述', '地址'].includes(header) ? 36 : header.endsWith('时间') || header.endsWith('时限') ? 17 : 12,
);

/** The header row and one row per case (cases as the list presents them to the caller). */
export function caseExportRows(cases: CaseView[], names: ExportNames, offsetMinutes: number): Cell[][] {
  const at = (iso: string | null) => localTime(iso, offsetMinutes);
  return [columns.map(([header]) => header), ...cases.map((c) => columns.map(([, cell]) => cell(c, names, at)))];
}
