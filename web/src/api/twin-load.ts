import { api, fetchAllPages } from './client.ts';
import type { DeviceView, GridView, PlaceView, WebConfig } from './types.ts';

/** What the map screens draw: every place, grid and device the viewer may see (the API filters by scope). */
export type TwinData = { places: PlaceView[]; grids: GridView[]; devices: DeviceView[] };

/** Loads the whole twin in scope: all pages, the three lists in parallel. */
export function loadTwin(signal?: AbortSignal): Promise<TwinData> {
  return Promise.all([
    fetchAllPages<PlaceView>('/api/places', {}, { signal }),
    fetchAllPages<GridView>('/api/grids', {}, { signal }),
    fetchAllPages<DeviceView>('/api/devices', {}, { signal, concurrency: 4 }),
  ]).then(([places, grids, devices]) => ({ places, grids, devices }));
}

let prefetched: Promise<TwinData> | null = null;
let config: Promise<WebConfig> | null = null;

/**
 * Starts loading the twin and the web config while the screen's code (MapLibre, ECharts) is still
 * downloading; the screen takes the result with `takePrefetchedTwin`. Only the first screen
 * mount uses it: later mounts load afresh.
 */
export function prefetchTwin(): void {
  prefetched ??= loadTwin();
  prefetched.catch(() => undefined); // the screen reports the failure when it takes the promise
  void webConfig();
}

/** The prefetched load, once (null when none is pending). */
export function takePrefetchedTwin(): Promise<TwinData> | null {
  const p = prefetched;
  prefetched = null;
  return p;
}

/** `GET /api/web-config`, asked once per page load; the defaults if it fails. */
export function webConfig(): Promise<WebConfig> {
  config ??= api<WebConfig>('/api/web-config').catch(() => ({ basemapStyleUrl: null }));
  return config;
}
