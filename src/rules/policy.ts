import type { Role } from '../kernel/auth/roles.ts';

/** Who may do what with rules and alarms. Everyone's reads are narrowed to their scope. */
export const rulesPolicy = {
  /** Rules are data administrators write (scoped admins: rules for their places only). */
  writeRules: ['admin'],
  /** Dispatchers and leaders read the rules to understand the alarms. */
  readRules: ['admin', 'leader', 'dispatcher'],
  /** Alarms: the staff who watch the district. */
  readAlarms: ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'regulator'],
  /** Acknowledging and clearing: the staff who act on them (leaders and regulators watch). */
  actOnAlarms: ['admin', 'dispatcher', 'worker', 'handler'],
  /** The twin's live state (alarm and device counts per place). */
  readTwinState: ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'regulator'],
} as const satisfies Record<string, readonly Role[]>;
