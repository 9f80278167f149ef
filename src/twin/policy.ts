import type { Role } from '../kernel/auth/roles.ts';

/** Who may do what with the twin. Everyone's reads are further narrowed to their scope. */
export const twinPolicy = {
  /** Places and grids: every signed-in user, within their scope. */
  readPlaces: [
    'admin',
    'leader',
    'dispatcher',
    'worker',
    'handler',
    'resident',
    'regulator',
    'enterprise',
    'organisation',
  ],
  /** Devices: the staff who act on their signals. */
  readDevices: ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'regulator'],
  /** Shaping the twin is the administrators' job. */
  writeTwin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
