import { type GeoJSONSource, Map as MapLibreMap, prewarm, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef } from 'react';
import { addTwinLayers, type StateColours, type TwinLayerData, twinSources, twinStyle } from './twin-layers.ts';

// MapLibre 6 cannot find its worker inside a Vite bundle by itself (STACK-NOTES). Start the worker
// as soon as this code loads, while the screen's data is still arriving.
setWorkerUrl(workerUrl);
prewarm();

/** The performance mark set when the map first shows its data (the screen bench reads it). */
export const mapReadyMark = 'civictwin:map-ready';

/** The map's element, carrying its MapLibre instance for tests (`element.maplibreMap`). */
type MapHost = HTMLDivElement & { maplibreMap?: MapLibreMap };

/** Props of the district map. */
export type DistrictMapProps = {
  /** GeoJSON of each twin layer; null while loading. Replaced as a whole, never per feature in React. */
  layers: TwinLayerData | null;
  /** [minLng, minLat, maxLng, maxLat] to frame when the map is made. */
  bounds: [number, number, number, number] | null;
  /** A basemap style under the twin's layers (BASEMAP_STYLE_URL), or null for the plain background. */
  basemapStyleUrl: string | null;
  stateColours: StateColours;
  selectedCompoundId: string | null;
  onCompoundClick: (id: string) => void;
  /** Called once, when the map has drawn the layers (MapLibre's first `idle`). */
  onReady?: () => void;
  className?: string;
};

/**
 * The district on a MapLibre map: communities, compounds coloured by state, grid borders, and
 * devices clustered in MapLibre's worker (one GeoJSON source; React never renders a marker).
 * The map is made when the first data arrives, with the data in its style, so the first frame
 * shows the twin; later data replaces the sources. Sets `data-ready="true"` on its element once
 * the data is drawn, for tests and benchmarks.
 */
export function DistrictMap(props: DistrictMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const loaded = useRef(false);
  const shownLayers = useRef<TwinLayerData | null>(null);
  const selected = useRef<string | null>(null);
  const hasLayers = props.layers !== null;

  // Made once, when the first data is there; props are read through `latest`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: made once per mount, when the data first arrives
  useEffect(() => {
    const el = container.current as MapHost | null;
    const first = latest.current;
    if (!el || !first.layers) return;
    const { layers, bounds, basemapStyleUrl, stateColours } = first;
    performance.mark('civictwin:map-created');
    const map = new MapLibreMap({
      container: el,
      style: basemapStyleUrl ?? twinStyle(layers, stateColours),
      ...(bounds ? { bounds, fitBoundsOptions: { padding: 28 } } : { center: [104.1, 30.66], zoom: 12 }),
      attributionControl: basemapStyleUrl ? { compact: true } : false,
      fadeDuration: 0,
    });
    mapRef.current = map;
    shownLayers.current = layers;
    // For the browser tests and the screen bench (they find compounds on screen through it).
    el.maplibreMap = map;
    map.on('load', () => {
      if (basemapStyleUrl) addTwinLayers(map, layers, stateColours);
      loaded.current = true;
      applySelection();
      applyLayers();
    });
    map.once('idle', () => {
      performance.mark(mapReadyMark);
      el.setAttribute('data-ready', 'true');
      latest.current.onReady?.();
    });
    map.on('click', 'compounds-fill', (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') latest.current.onCompoundClick(id);
    });
    map.on('click', 'devices-clusters', (e) => {
      const feature = e.features?.[0];
      const clusterId = feature?.properties?.cluster_id;
      if (!feature || typeof clusterId !== 'number' || feature.geometry.type !== 'Point') return;
      const center = feature.geometry.coordinates as [number, number];
      void (map.getSource('devices') as GeoJSONSource)
        .getClusterExpansionZoom(clusterId)
        .then((zoom) => map.easeTo({ center, zoom }));
    });
    for (const layer of ['compounds-fill', 'devices-clusters']) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }
    return () => {
      loaded.current = false;
      shownLayers.current = null;
      selected.current = null;
      mapRef.current = null;
      map.remove();
    };
  }, [hasLayers]);

  /** Replaces the sources' data when new layers arrive after the map was made. */
  function applyLayers() {
    const map = mapRef.current;
    const { layers } = latest.current;
    if (!map || !loaded.current || !layers || shownLayers.current === layers) return;
    shownLayers.current = layers;
    for (const id of twinSources) (map.getSource(id) as GeoJSONSource | undefined)?.setData(layers[id]);
  }

  /** Highlights the selected compound (feature state: no data is re-sent). */
  function applySelection() {
    const map = mapRef.current;
    if (!map || !loaded.current) return;
    const next = latest.current.selectedCompoundId;
    if (selected.current === next) return;
    if (selected.current) map.setFeatureState({ source: 'compounds', id: selected.current }, { selected: false });
    selected.current = next;
    if (next) map.setFeatureState({ source: 'compounds', id: next }, { selected: true });
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when new layers arrive; it reads them through `latest`
  useEffect(applyLayers, [props.layers]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the selection changes; read through `latest`
  useEffect(applySelection, [props.selectedCompoundId]);

  return <div ref={container} className={props.className} data-testid="district-map" />;
}
