// The alarm events' contract with src/rules (issue 3). The rules engine owns the schema
// (`src/rules/events.ts`); the case engine and push import it through this one file, so that a
// change of the contract touches one import.

export { type AlarmEventPayload, alarmEventPayloadSchema } from '../rules/events.ts';

/** The alarm domain events the case engine consumes. */
export const alarmEventTypes = ['alarm.raised', 'alarm.updated', 'alarm.acknowledged', 'alarm.cleared'] as const;
export type AlarmEventType = (typeof alarmEventTypes)[number];
