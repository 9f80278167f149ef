import { describe, expect, it } from 'vitest';
import type { CaseActionInput, CaseDetailView } from '../../api/cases.ts';
import { flushQueue, type QueueDeps, type QueuedAction } from './action-queue.ts';

class Offline extends Error {}

/** A fake server: cases by id with a state; `down` makes every call fail like a lost network. */
function fakeServer(states: Record<string, string>) {
  const sent: string[] = [];
  const server = {
    down: false,
    sent,
    getCase: async (id: string) => {
      if (server.down) throw new Offline();
      return { id, state: states[id] } as CaseDetailView;
    },
    act: async (id: string, input: CaseActionInput) => {
      if (server.down) throw new Offline();
      sent.push(`${id}:${input.action}`);
      states[id] = input.action === 'accept' ? 'accepted' : 'handled';
      return { id, state: states[id] } as CaseDetailView;
    },
  };
  return server;
}

function deps(server: ReturnType<typeof fakeServer>, items: QueuedAction[]): QueueDeps & { items: QueuedAction[] } {
  const d = {
    items,
    load: () => d.items,
    save: (next: QueuedAction[]) => {
      d.items = next;
    },
    getCase: server.getCase,
    act: server.act,
    isTransient: (err: unknown) => err instanceof Offline,
  };
  return d;
}

const queued = (key: string, caseId: string, action: 'accept' | 'handle', fromState: string): QueuedAction => ({
  key,
  caseId,
  input: { action },
  fromState,
  queuedAt: 0,
  attempts: 0,
});

describe('the worker’s offline action queue', () => {
  it('keeps everything while offline and sends it in order once back', async () => {
    const server = fakeServer({ c1: 'dispatched' });
    const d = deps(server, [queued('a', 'c1', 'accept', 'dispatched'), queued('b', 'c1', 'handle', 'accepted')]);
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
    expect(server.sent).toEqual(['c1:accept', 'c1:handle']);
    expect(d.items).toEqual([]);
  });

  it('does not resend an action whose first attempt got through (the case moved on)', async () => {
    const server = fakeServer({ c1: 'accepted' }); // the accept arrived, only its answer was lost
    const d = deps(server, [queued('a', 'c1', 'accept', 'dispatched')]);
    const outcomes = await flushQueue(d);
    expect(outcomes).toEqual([{ key: 'a', result: 'skipped', state: 'accepted' }]);
    expect(server.sent).toEqual([]);
    expect(d.items).toEqual([]);
  });

  it('drops an action the server refuses and goes on with the next', async () => {
    const server = fakeServer({ c1: 'dispatched', c2: 'dispatched' });
    server.act = async (id, input) => {
      if (id === 'c1') throw new Error('409 conflict');
      server.sent.push(`${id}:${input.action}`);
      return { id, state: 'accepted' } as CaseDetailView;
    };
    const d = deps(server, [queued('a', 'c1', 'accept', 'dispatched'), queued('b', 'c2', 'accept', 'dispatched')]);
    const outcomes = await flushQueue(d);
    expect(outcomes.map((o) => o.result)).toEqual(['refused', 'sent']);
    expect(server.sent).toEqual(['c2:accept']);
    expect(d.items).toEqual([]);
  });
});
