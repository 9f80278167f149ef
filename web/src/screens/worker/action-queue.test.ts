import { describe, expect, it } from 'vitest';
import type { CaseActionInput, CaseDetailView, ReportInput } from '../../api/cases.ts';
import { flushQueue, type QueueDeps, type QueuedItem, sendReport } from './action-queue.ts';

class Offline extends Error {}
class Refused extends Error {}

/**
 * A fake case API that keeps idempotency keys as the real one does (a key answered once answers
 * the same again). `down` fails every call before it arrives; `loseAnswers` lets a call through
 * and then loses its answer, as a connection dropping mid-request does.
 */
function fakeServer(states: Record<string, string>) {
  const done: string[] = [];
  const answers = new Map<string, CaseDetailView>();
  let created = 0;
  const server = {
    down: false,
    loseAnswers: false,
    done,
    async call(key: string, work: () => CaseDetailView): Promise<CaseDetailView> {
      if (server.down) throw new Offline();
      const answer = answers.get(key) ?? work();
      answers.set(key, answer);
      if (server.loseAnswers) throw new Offline();
      return answer;
    },
    act: (id: string, input: CaseActionInput, key: string) =>
      server.call(key, () => {
        const next = { accept: 'accepted', handle: 'handled', selfHandle: 'handled' }[input.action as string];
        if (!next || (input.action === 'accept' && states[id] !== 'dispatched')) throw new Refused('409');
        done.push(`${id}:${input.action}`);
        states[id] = next;
        return { id, state: next } as CaseDetailView;
      }),
    report: (input: ReportInput, key: string) =>
      server.call(key, () => {
        const id = `new-${++created}`;
        done.push(`${id}:report:${input.category}`);
        states[id] = 'reported';
        return { id, state: 'reported' } as CaseDetailView;
      }),
  };
  return server;
}

function deps(server: ReturnType<typeof fakeServer>, items: QueuedItem[]): QueueDeps & { items: QueuedItem[] } {
  const d = {
    items,
    load: () => d.items,
    save: (next: QueuedItem[]) => {
      d.items = next;
    },
    act: server.act,
    report: server.report,
    isTransient: (err: unknown) => err instanceof Offline,
  };
  return d;
}

const action = (key: string, caseId: string, act: 'accept' | 'handle'): QueuedItem => ({
  key,
  caseId,
  input: { action: act },
  queuedAt: 0,
  attempts: 0,
});

describe('the worker’s offline queue', () => {
  it('keeps everything while offline and sends it in order once back', async () => {
    const server = fakeServer({ c1: 'dispatched' });
    const d = deps(server, [action('a', 'c1', 'accept'), action('b', 'c1', 'handle')]);
    server.down = true;
    const first = await flushQueue(d);
    expect(first.map((o) => o.result)).toEqual(['kept']);
    expect(d.items.map((i) => [i.key, i.attempts])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    server.down = false;
    const second = await flushQueue(d);
    expect(second.map((o) => o.result)).toEqual(['sent', 'sent']);
    expect(server.done).toEqual(['c1:accept', 'c1:handle']);
    expect(d.items).toEqual([]);
  });

  it('does not act twice when an attempt got through and only its answer was lost', async () => {
    const server = fakeServer({ c1: 'dispatched' });
    const d = deps(server, [action('a', 'c1', 'accept')]);
    server.loseAnswers = true;
    expect((await flushQueue(d)).map((o) => o.result)).toEqual(['kept']);
    expect(server.done).toEqual(['c1:accept']); // done on the server, unknown to the phone
    server.loseAnswers = false;
    const again = await flushQueue(d);
    expect(again).toMatchObject([{ key: 'a', result: 'sent', after: { state: 'accepted' } }]);
    expect(server.done).toEqual(['c1:accept']);
    expect(d.items).toEqual([]);
  });

  it('sends a queued patrol report and its 自行处置 once each, whatever answers were lost', async () => {
    const server = fakeServer({});
    const report: QueuedItem = {
      kind: 'report',
      key: 'r',
      input: { category: 'storefront_mess', location: [104.1, 30.6] },
      selfHandleNote: '已督促清理',
      queuedAt: 0,
      attempts: 0,
    };
    const d = deps(server, [report]);
    server.loseAnswers = true;
    await flushQueue(d);
    await flushQueue(d);
    server.loseAnswers = false;
    expect((await flushQueue(d)).map((o) => o.result)).toEqual(['sent']);
    expect(server.done).toEqual(['new-1:report:storefront_mess', 'new-1:selfHandle']);
    expect(d.items).toEqual([]);
    // Without 自行处置, only the report.
    const plain = await sendReport(server, { key: 'r2', input: { category: 'road_damage' }, selfHandleNote: null });
    expect(plain.state).toBe('reported');
  });

  it('drops an item the server refuses and goes on with the next', async () => {
    const server = fakeServer({ c1: 'accepted', c2: 'dispatched' });
    const d = deps(server, [action('a', 'c1', 'accept'), action('b', 'c2', 'accept')]);
    const outcomes = await flushQueue(d);
    expect(outcomes.map((o) => o.result)).toEqual(['refused', 'sent']);
    expect(server.done).toEqual(['c2:accept']);
    expect(d.items).toEqual([]);
  });
});
