import { z } from 'zod';

/** Everyone who uses civictwin, by what they do. */
export const roles = [
  'admin', // 系统管理员
  'leader', // 领导: big screen, KPIs
  'dispatcher', // 调度员/指挥中心: registers and dispatches cases
  'worker', // 网格员: grid worker
  'handler', // 职能部门处置人员: department handler
  'resident', // 居民
  'regulator', // 市场监管: food-safety regulator
  'enterprise', // 食品企业
  'organisation', // 社会组织
] as const;

export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Chinese names of the roles, for the UI and the CLI. */
export const roleLabels: Record<Role, string> = {
  admin: '系统管理员',
  leader: '领导',
  dispatcher: '调度员',
  worker: '网格员',
  handler: '处置人员',
  resident: '居民',
  regulator: '监管人员',
  enterprise: '企业用户',
  organisation: '社会组织',
};

/** Roles of the district's own staff (who may, for example, see each other's work phones). */
export const staffRoles: readonly Role[] = ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'regulator'];
