import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { TwinIndex } from './twin-index.ts';

/** The bus topic on which nodes say that their twin index changed. */
export const twinTopic = 'twin';

/**
 * Keeps the spatial index of several nodes in step: a node that changed grids or compounds says so
 * on the bus (once per turn of the event loop, however many changed), and every other node reloads
 * its index from the database. A reload that overlapped a change of this node's own runs again, so
 * the later state always wins. One node (in-process bus): nothing to do, its own changes are skipped.
 */
export function shareTwinIndex(deps: {
  bus: EventBus;
  twin: TwinIndex;
  db: Kysely<Database>;
  clock: Clock;
  onError: (err: unknown) => void;
}): void {
  const { bus, twin, db, clock, onError } = deps;
  const node = randomUUID();
  let announced = false;
  twin.onChange(() => {
    if (announced) return;
    announced = true;
    setImmediate(() => {
      announced = false;
      const at = clock.now().toISOString();
      bus.publish(twinTopic, [
        { seq: 0, type: 'twin.index-changed', subjectType: 'node', subjectId: node, payload: null, at },
      ]);
    });
  });

  let running: Promise<void> | undefined;
  let again = false;
  const reload = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        const before = twin.changes;
        await twin.load(db);
        if (twin.changes !== before) again = true;
      } while (again);
    })()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  };
  bus.subscribe(twinTopic, (events) => {
    if (events.some((e) => e.type === 'twin.index-changed' && e.subjectId !== node)) reload();
  });
}
