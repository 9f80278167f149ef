import { useCallback, useEffect, useRef, useState } from 'react';
import type { CaseView } from './cases.ts';

/** A pushed event of `GET /api/live` (docs/cases.md "Push"); `data` as the event type says. */
export type LiveEvent = { v: 1; seq: number; type: string; at: string; data: unknown };

/** A case event's data: the case as the viewer may see it. */
export type LiveCaseData = CaseView & { step?: { action?: string } };

/** The connection's state, for the screens' status dot. */
export type LiveStatus = 'connecting' | 'live' | 'offline';

/** The WebSocket URL of the live feed on this origin (the session cookie authenticates it). */
export function liveUrl(channels: readonly string[], since: number | null): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const params = new URLSearchParams();
  if (channels.length) params.set('channels', channels.join(','));
  if (since !== null) params.set('since', String(since));
  const qs = params.toString();
  return `${proto}//${window.location.host}/api/live${qs ? `?${qs}` : ''}`;
}

/** Wait before the n-th reconnect: 1, 2, 4 … s, capped at 30 s, with jitter so clients spread out. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * Subscribes to the live feed while mounted. Reconnects after a drop with `?since=<last seq>` so
 * what happened meanwhile is replayed first — a case that arrived during the outage still shows.
 * `onEvent` is read through a ref: a new function does not reconnect. `onResync` runs when the
 * feed (re)connects, so a screen can reload what it shows once.
 */
export function useLiveFeed(
  channels: readonly string[] | null,
  onEvent: (event: LiveEvent) => void,
  onResync?: () => void,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };
  const key = channels ? channels.join(',') : null;

  useEffect(() => {
    if (key === null) return;
    const list = key ? key.split(',') : [];
    let socket: WebSocket | null = null;
    let lastSeq: number | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const connect = () => {
      setStatus('connecting');
      socket = new WebSocket(liveUrl(list, lastSeq));
      socket.onmessage = (msg) => {
        let parsed: { type?: string; seq?: number };
        try {
          parsed = JSON.parse(String(msg.data));
        } catch {
          return;
        }
        if (parsed.type === 'hello') {
          attempt = 0;
          setStatus('live');
          handlers.current.onResync?.();
          return;
        }
        if (typeof parsed.seq === 'number') {
          lastSeq = Math.max(lastSeq ?? 0, parsed.seq);
          handlers.current.onEvent(parsed as LiveEvent);
        }
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        setStatus('offline');
        timer = setTimeout(connect, reconnectDelayMs(attempt++));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [key]);

  return status;
}

/**
 * A counter and its `bump`: bumping makes the counter go up at most once per `minIntervalMs`.
 * Screens pass the counter as a dependency to re-fetch a summary when live events arrive; bursts
 * (many alarms a second) cost one fetch per interval, not one per event.
 */
export function useThrottledTick(minIntervalMs = 2000): [number, () => void] {
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const bump = useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      setTick((n) => n + 1);
    }, wait);
  }, [minIntervalMs]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return [tick, bump];
}
