import type { CaseActionInput, CaseDetailView, ReportInput } from '../../api/cases.ts';

// A grid worker's phone loses the network in stairwells and basements. Actions and patrol reports
// wait in localStorage and are retried. Each carries one `Idempotency-Key`, sent with its first
// attempt and with every retry: when an attempt did reach the server and only the answer was lost,
// the server answers the retry with that first answer and does nothing twice (docs/cases.md).

/** A workflow action waiting to be sent. */
export type QueuedAction = {
  kind?: 'action';
  /** The action's `Idempotency-Key`. */
  key: string;
  caseId: string;
  input: CaseActionInput;
  queuedAt: number;
  attempts: number;
};

/** A patrol report waiting to be sent, and its 自行处置 when it was fixed on the spot. */
export type QueuedReport = {
  kind: 'report';
  /** The report's `Idempotency-Key`; its self-handling uses `<key>:selfHandle`. */
  key: string;
  input: ReportInput;
  /** The self-handling's note, or null when the worker did not fix it on the spot. */
  selfHandleNote: string | null;
  queuedAt: number;
  attempts: number;
};

/** Anything waiting in the queue. */
export type QueuedItem = QueuedAction | QueuedReport;

/** What the queue needs from the outside (the API and storage), so it can be tested without them. */
export type QueueDeps = {
  load: () => QueuedItem[];
  save: (items: QueuedItem[]) => void;
  act: (id: string, input: CaseActionInput, key: string) => Promise<CaseDetailView>;
  report: (input: ReportInput, key: string) => Promise<CaseDetailView>;
  /** Whether an error means "try again later" (no network, 5xx, 429) rather than "refused". */
  isTransient: (err: unknown) => boolean;
};

/** What happened to one queued item in a flush. */
export type FlushOutcome =
  | { key: string; result: 'sent'; after: CaseDetailView }
  | { key: string; result: 'refused'; error: unknown }
  | { key: string; result: 'kept'; error: unknown };

/** Sends one patrol report, then its self-handling, each under its own key; returns the case after both. */
export async function sendReport(
  deps: Pick<QueueDeps, 'act' | 'report'>,
  item: Pick<QueuedReport, 'key' | 'input' | 'selfHandleNote'>,
): Promise<CaseDetailView> {
  const created = await deps.report(item.input, item.key);
  if (item.selfHandleNote === null) return created;
  const note = item.selfHandleNote;
  return deps.act(created.id, { action: 'selfHandle', ...(note ? { note } : {}) }, `${item.key}:selfHandle`);
}

/**
 * Sends the waiting items in the order they were made. A transient failure stops the flush
 * (later actions often depend on earlier ones: accept before handle) and keeps the rest; a refusal
 * (4xx: someone else moved the case on, a key reused) drops the item.
 */
export async function flushQueue(deps: QueueDeps): Promise<FlushOutcome[]> {
  const items = deps.load();
  const outcomes: FlushOutcome[] = [];
  let rest = [...items];
  for (const item of items) {
    try {
      const after =
        item.kind === 'report' ? await sendReport(deps, item) : await deps.act(item.caseId, item.input, item.key);
      outcomes.push({ key: item.key, result: 'sent', after });
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
        return raw ? (JSON.parse(raw) as QueuedItem[]) : [];
      } catch {
        return [];
      }
    },
    save: (items) => {
      try {
        if (items.length) localStorage.setItem(key, JSON.stringify(items));
        else localStorage.removeItem(key);
      } catch {
        // storage full or disabled: the item stays in memory for this page only
      }
    },
  };
}
