import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findUserById } from '../kernel/auth/store.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import { caseActionTaker } from './case-service.ts';
import type { CaseActor } from './case-steps.ts';
import type { CaseRow } from './store.ts';
import * as store from './store.ts';

// The demo's simulated grid workers and handlers: in demo mode they sign (签收) and handle (处置)
// most of the cases dispatched to them after a while, as people would, so the screens show the
// closed loop moving; about one case in five they leave alone, so reminders, escalations and red
// lights show too. Everything goes through the workflow like a person's action.

/** How a simulated person treats one case: minutes after dispatch to accept, after accepting to handle. */
export function simulatedPlan(code: string): { ignore: boolean; acceptAfterMin: number; handleAfterMin: number } {
  const h = createHash('sha256').update(code).digest();
  return { ignore: h[0]! % 5 === 0, acceptAfterMin: 2 + (h[1]! % 25), handleAfterMin: 10 + (h[2]! % 110) };
}

/** What the simulated workers need. */
export type SimulatedWorkerDeps = { db: Kysely<Database>; clock: Clock; wake: OutboxListener };

async function actorOf(db: Kysely<Database>, userId: string): Promise<CaseActor | null> {
  const u = await findUserById(db, userId);
  if (!u || u.disabled || (u.role !== 'worker' && u.role !== 'handler')) return null;
  return {
    userId: u.id,
    name: u.display_name,
    role: u.role,
    scope: { placeId: u.scope_place_id, path: u.scope_path, gridId: u.scope_grid_id },
  };
}

/** The timed task's run: one step for each case that is due for one; returns how many steps were taken. */
export async function simulatedWorkers(deps: SimulatedWorkerDeps, now: Date): Promise<number> {
  let steps = 0;
  for (const c of await store.casesInStates(deps.db, ['dispatched', 'accepted'], 200)) {
    const plan = simulatedPlan(c.code);
    if (plan.ignore || !c.assignee_id) continue;
    const due = (at: string | null, minutes: number) =>
      at !== null && Date.parse(at) + minutes * 60_000 <= now.getTime();
    const action =
      c.state === 'dispatched' && due(c.received_at, plan.acceptAfterMin)
        ? 'accept'
        : c.state === 'accepted' && due(c.accepted_at, plan.handleAfterMin)
          ? 'handle'
          : null;
    if (!action) continue;
    const actor = await actorOf(deps.db, c.assignee_id);
    if (!actor) continue;
    await inTransaction(deps.db, deps.clock, 'demo:simulated-worker', async (unit) => {
      const fresh: CaseRow | undefined = await store.findCase(unit.tx, c.id);
      if (!fresh || fresh.version !== c.version) return; // someone real got there first
      await caseActionTaker(unit, deps.wake, actor, fresh, {
        action,
        ...(action === 'handle'
          ? { note: '已现场处置（演示：模拟网格员）', photos: [`demo:after/${c.code}.jpg`] }
          : {}),
      });
      steps += 1;
    });
  }
  return steps;
}
