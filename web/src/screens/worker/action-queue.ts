import type { CaseActionInput, CaseDetailView } from '../../api/cases.ts';

// A grid worker's phone loses the network in stairwells and basements. Actions wait in
// localStorage and are retried. The case API has no idempotency key, so "without doing anything
// twice" rests on the workflow itself: each queued action remembers the state it was taken in, and
// before resending, the queue reads the case; if it has moved on (an earlier attempt did get through
// and only the answer was lost, or someone else acted), the action is dropped, not repeated. The
// server refuses an action its state does not allow (409) anyway, so a race cannot apply it twice.

/** One action waiting to be sent. */
export type QueuedAction = {
  key: string;
  caseId: string;
  input: CaseActionInput;
  /** The case state the action was taken in. */
  fromState: string;
  queuedAt: number;
  attempts: number;
};

/** What the queue needs from the outside (the API and storage), so it can be tested without them. */
export type QueueDeps = {
  load: () => QueuedAction[];
  save: (items: QueuedAction[]) => void;
  getCase: (id: string) => Promise<CaseDetailView>;
  act: (id: string, input: CaseActionInput) => Promise<CaseDetailView>;
  /** Whether an error means "try again later" (no network, 5xx, 429) rather than "refused". */
  isTransient: (err: unknown) => boolean;
};

/** What happened to one queued action in a flush. */
export type FlushOutcome =
  | { key: string; result: 'sent'; after: CaseDetailView }
  | { key: string; result: 'skipped'; state: string }
  | { key: string; result: 'refused'; error: unknown }
  | { key: string; result: 'kept'; error: unknown };

/** A fresh key for a queued action (for the list and the storage, not the server). */
export function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Sends the waiting actions in the order they were taken. A transient failure stops the flush
 * (later actions often depend on earlier ones: accept before handle) and keeps the rest.
 */
export async function flushQueue(deps: QueueDeps): Promise<FlushOutcome[]> {
  const items = deps.load();
  const outcomes: FlushOutcome[] = [];
  let rest = [...items];
  for (const item of items) {
    try {
      const current = await deps.getCase(item.caseId);
      if (current.state !== item.fromState) {
        outcomes.push({ key: item.key, result: 'skipped', state: current.state });
      } else {
        const after = await deps.act(item.caseId, item.input);
        outcomes.push({ key: item.key, result: 'sent', after });
      }
      rest = rest.filter((i) => i.key !== item.key);
    } catch (error) {
      if (deps.isTransient(error)) {
        rest = rest.map((i) => (i.key === item.key ? { ...i, attempts: i.attempts + 1 } : i));
        outcomes.push({ key: item.key, result: 'kept', error });
        break;
      }
      rest = rest.filter((i) => i.key !== item.key);
      outcomes.push({ key: item.key, result: 'refused', error });
    }
  }
  deps.save(rest);
  return outcomes;
}

const storageKey = 'civictwin.worker.queue';

/** The queue in localStorage, per user (a shared phone keeps each person's queue apart). */
export function storageQueue(userId: string): Pick<QueueDeps, 'load' | 'save'> {
  const key = `${storageKey}:${userId}`;
  return {
    load: () => {
      try {
        const raw = localStorage.getItem(key);
        return raw ? (JSON.parse(raw) as QueuedAction[]) : [];
      } catch {
        return [];
      }
    },
    save: (items) => {
      try {
        if (items.length) localStorage.setItem(key, JSON.stringify(items));
        else localStorage.removeItem(key);
      } catch {
        // storage full or disabled: the action stays in memory for this page only
      }
    },
  };
}
