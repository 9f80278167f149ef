import type { FeatureCollection } from 'geojson';
import type { ExpressionSpecification, LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';

/** Source ids of the twin's own layers. */
export const twinSources = ['communities', 'compounds', 'grids', 'devices'] as const;
export type TwinSourceId = (typeof twinSources)[number];

/** Colours of the twin layers on the dark theme. */
export const mapColours = {
  background: '#061325',
  community: '#3d5a80',
  compoundLine: '#5fa8ff',
  grid: '#39d0a8',
  selected: '#ffd166',
  deviceOnline: '#3ddc84',
  deviceOffline: '#ff5c5c',
  deviceUnknown: '#8fb3ff',
  // Blues and violets: never the amber and red that mean a compound's state.
  cluster: ['#2b8cff', '#6a5cff', '#b05cff'],
} as const;

/**
 * The plain background: no `glyphs`, no `sprite`, no tiles — nothing is fetched from anywhere. The
 * twin's layers go on top of it (or on top of a basemap when `BASEMAP_STYLE_URL` is set). The twin
 * draws no text, so MapLibre never needs glyphs.
 */
export function plainStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'civictwin plain',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': mapColours.background } }],
  };
}

const selected: ExpressionSpecification = ['boolean', ['feature-state', 'selected'], false];

/** Fill colour of a compound for each value of its `state` property, and for any other value. */
export type StateColours = { byState: Record<string, string>; otherwise: string };

/** The twin's layers, bottom to top. */
function twinLayerSpecs(colours: StateColours): LayerSpecification[] {
  const stateColour = [
    'match',
    ['get', 'state'],
    ...Object.entries(colours.byState).flat(),
    colours.otherwise,
  ] as unknown as ExpressionSpecification;
  return [
    {
      id: 'communities-line',
      type: 'line',
      source: 'communities',
      paint: { 'line-color': mapColours.community, 'line-width': 2.5, 'line-opacity': 0.9 },
    },
    {
      id: 'compounds-fill',
      type: 'fill',
      source: 'compounds',
      paint: { 'fill-color': stateColour, 'fill-opacity': ['case', selected, 0.85, 0.5] },
    },
    {
      id: 'compounds-line',
      type: 'line',
      source: 'compounds',
      paint: {
        'line-color': ['case', selected, mapColours.selected, mapColours.compoundLine],
        'line-width': ['case', selected, 3, 1],
        'line-opacity': 0.85,
      },
    },
    {
      id: 'grids-line',
      type: 'line',
      source: 'grids',
      paint: { 'line-color': mapColours.grid, 'line-width': 1.4, 'line-dasharray': [3, 2], 'line-opacity': 0.8 },
    },
    {
      id: 'devices-clusters',
      type: 'circle',
      source: 'devices',
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': [
          'step',
          ['get', 'point_count'],
          mapColours.cluster[0],
          50,
          mapColours.cluster[1],
          200,
          mapColours.cluster[2],
        ],
        // Area grows with the count, so a glance compares clusters without labels (labels need glyphs).
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'point_count']], 1, 7, 10, 18, 40, 40],
        'circle-opacity': 0.75,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.2,
        'circle-stroke-opacity': 0.6,
      },
    },
    {
      id: 'devices-points',
      type: 'circle',
      source: 'devices',
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': [
          'match',
          ['get', 'status'],
          'online',
          mapColours.deviceOnline,
          'offline',
          mapColours.deviceOffline,
          mapColours.deviceUnknown,
        ],
        'circle-radius': 4,
        'circle-stroke-color': '#061325',
        'circle-stroke-width': 1,
      },
    },
  ];
}

/** The twin's data, one GeoJSON collection per source. */
export type TwinLayerData = Record<TwinSourceId, FeatureCollection>;

/** The twin's sources with their data; devices are clustered in MapLibre's worker. */
function twinSourceSpecs(data: TwinLayerData): StyleSpecification['sources'] {
  return {
    communities: { type: 'geojson', data: data.communities },
    compounds: { type: 'geojson', data: data.compounds, promoteId: 'id' },
    grids: { type: 'geojson', data: data.grids },
    devices: { type: 'geojson', data: data.devices, cluster: true, clusterRadius: 42, clusterMaxZoom: 17 },
  };
}

/**
 * The default style with the twin's sources, data and layers in it from the start: MapLibre parses
 * everything at once and its first full frame already shows the twin (no empty frames to redraw —
 * they are what costs on a software-rendered or busy display).
 */
export function twinStyle(data: TwinLayerData, colours: StateColours): StyleSpecification {
  const plain = plainStyle();
  return { ...plain, sources: twinSourceSpecs(data), layers: [...plain.layers, ...twinLayerSpecs(colours)] };
}

/** Adds the twin's sources and layers on top of a loaded basemap style. */
export function addTwinLayers(map: MapLibreMap, data: TwinLayerData, colours: StateColours): void {
  for (const [id, source] of Object.entries(twinSourceSpecs(data))) map.addSource(id, source);
  for (const layer of twinLayerSpecs(colours)) map.addLayer(layer);
}
