import type { Role } from '../kernel/auth/roles.ts';
import { twinPolicy } from '../twin/policy.ts';

/**
 * Who may do what with signals. Devices authenticate with their own access token (the
 * ThingsBoard-compatible routes and MQTT), not as users; gateways and bulk loaders send batches
 * with an administrator's API token, within that administrator's scope.
 */
export const signalsPolicy = {
  /** `POST /api/signals`: gateways and bulk loads, with an admin's token (scoped admins: their devices only). */
  ingestBatch: ['admin'],
  /** A device's stored signals: the staff who may see the device. */
  readSignals: twinPolicy.readDevices,
  /** Pipeline figures: administrators of the whole system. */
  readStats: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
