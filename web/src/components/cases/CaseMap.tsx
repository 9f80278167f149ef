import { type GeoJSONSource, Map as MapLibreMap, type StyleSpecification, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef } from 'react';
import type { GridView } from '../../api/types.ts';

// MapLibre cannot find its worker inside a Vite bundle by itself (STACK-NOTES).
setWorkerUrl(workerUrl);

/** A point on the small map: a case, coloured by its SLA light. */
export type MapPoint = { id: string; lngLat: [number, number]; light: 'green' | 'yellow' | 'red' | null };

/** Props of the small case map. */
export type CaseMapProps = {
  points: readonly MapPoint[];
  grids?: readonly GridView[];
  selectedId?: string | null;
  /** Where a resident clicked to place a report; drawn as a pin. */
  picked?: [number, number] | null;
  /** Makes the map a location picker. */
  onPick?: (lngLat: [number, number]) => void;
  onPointClick?: (id: string) => void;
  className?: string;
};

const lightColour = { green: '#2e9d57', yellow: '#e0a100', red: '#d93a3a', none: '#1f6fd1' };

const pointsOf = (points: readonly MapPoint[], selectedId: string | null | undefined): FeatureCollection => ({
  type: 'FeatureCollection',
  features: points.map((p) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: p.lngLat },
    properties: { id: p.id, light: p.light ?? 'none', selected: p.id === selectedId },
  })),
});

const gridsOf = (grids: readonly GridView[]): FeatureCollection => ({
  type: 'FeatureCollection',
  features: grids.map((g) => ({
    type: 'Feature',
    geometry: g.geometry as Polygon | MultiPolygon,
    properties: { id: g.id },
  })),
});

const pickedOf = (p: [number, number] | null | undefined): FeatureCollection => ({
  type: 'FeatureCollection',
  features: p ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }] : [],
});

/** Our own layers on a plain light background: nothing is fetched from outside (issue 6). */
function caseMapStyle(): StyleSpecification {
  const empty = { type: 'geojson' as const, data: { type: 'FeatureCollection' as const, features: [] } };
  return {
    version: 8,
    sources: { grids: empty, points: empty, picked: empty },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#eef2f7' } },
      { id: 'grids-fill', type: 'fill', source: 'grids', paint: { 'fill-color': '#cfe3f7', 'fill-opacity': 0.5 } },
      { id: 'grids-line', type: 'line', source: 'grids', paint: { 'line-color': '#5b8fc7', 'line-width': 1 } },
      {
        id: 'points',
        type: 'circle',
        source: 'points',
        paint: {
          'circle-radius': ['case', ['get', 'selected'], 10, 7],
          'circle-color': [
            'match',
            ['get', 'light'],
            'green',
            lightColour.green,
            'yellow',
            lightColour.yellow,
            'red',
            lightColour.red,
            lightColour.none,
          ],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': ['case', ['get', 'selected'], 3, 1.5],
        },
      },
      {
        id: 'picked',
        type: 'circle',
        source: 'picked',
        paint: {
          'circle-radius': 9,
          'circle-color': '#d93a3a',
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 3,
        },
      },
    ],
  };
}

/** Bounds of everything drawn, or null when there is nothing. */
function boundsOf(props: CaseMapProps): [number, number, number, number] | null {
  const xs: number[] = [];
  const ys: number[] = [];
  const add = ([x, y]: readonly number[]) => {
    if (x === undefined || y === undefined) return;
    xs.push(x);
    ys.push(y);
  };
  for (const p of props.points) add(p.lngLat);
  if (props.picked) add(props.picked);
  for (const g of props.grids ?? []) {
    const geometry = g.geometry as Polygon | MultiPolygon;
    const ring = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0]?.[0];
    for (const c of ring ?? []) add(c);
  }
  if (!xs.length) return null;
  const pad = 0.0004;
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
}

/**
 * A small MapLibre map of cases (points coloured by SLA light) over the user's grids; with
 * `onPick` it is a location picker. Sets `data-ready="true"` once drawn, for the browser tests.
 */
export function CaseMap(props: CaseMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const loaded = useRef(false);
  const latest = useRef(props);
  latest.current = props;
  const framed = useRef(false);

  const sync = () => {
    const map = mapRef.current;
    if (!map || !loaded.current) return;
    const p = latest.current;
    (map.getSource('points') as GeoJSONSource).setData(pointsOf(p.points, p.selectedId));
    (map.getSource('grids') as GeoJSONSource).setData(gridsOf(p.grids ?? []));
    (map.getSource('picked') as GeoJSONSource).setData(pickedOf(p.picked));
    const b = boundsOf(p);
    if (b && !framed.current) {
      framed.current = true;
      map.fitBounds(b, { padding: 20, duration: 0, maxZoom: 17 });
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: made once per mount; props read through `latest`
  useEffect(() => {
    if (!container.current) return;
    const map = new MapLibreMap({
      container: container.current,
      style: caseMapStyle(),
      center: [104.11, 30.67],
      zoom: 13,
      attributionControl: false,
      fadeDuration: 0,
    });
    mapRef.current = map;
    map.on('load', () => {
      loaded.current = true;
      sync();
      map.once('idle', () => container.current?.setAttribute('data-ready', 'true'));
    });
    map.on('click', (e) => {
      const hit = map.queryRenderedFeatures(e.point, { layers: ['points'] })[0];
      const id = hit?.properties?.id;
      if (typeof id === 'string' && latest.current.onPointClick) latest.current.onPointClick(id);
      else latest.current.onPick?.([Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))]);
    });
    return () => {
      loaded.current = false;
      mapRef.current = null;
      map.remove();
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: redraws when what it shows changes
  useEffect(sync, [props.points, props.grids, props.selectedId, props.picked]);

  return <div ref={container} className={props.className ?? 'case-map'} data-testid="case-map" />;
}
