/**
 * Identifiers as the trace engine sees them: normalised exactly as capture indexes them
 * (`toCanonicalDigitalLink`, else the URI as given), and classified by their GS1 key so that a
 * lot, a serialised item, a logistic unit and a location read differently in graphs and exports.
 */
import { toCanonicalDigitalLink } from '../event-hash/digital-link.ts';

const CANONICAL = 'https://id.gs1.org/';

/** Recent normalisations: events name the same lots, pallets and places again and again. */
const recent = new Map<string, string>();
const RECENT_MAX = 50_000;

/** An identifier URI → the form `epcis_event_ids.identifier` holds (EPC URI or Digital Link → canonical DL). */
export function normaliseIdentifier(uri: string): string {
  const known = recent.get(uri);
  if (known !== undefined) return known;
  const trimmed = uri.trim();
  const normal = toCanonicalDigitalLink(trimmed) ?? trimmed;
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(uri, normal);
  return normal;
}

/** Whether text is an absolute URI (RFC 3986 scheme), the only thing EPCIS accepts as an identifier. */
export function isAbsoluteUri(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(text.trim());
}

/**
 * What an identifier names: `lot` (GTIN + lot, EPC class `lgtin`), `item` (GTIN + serial, `sgtin`),
 * `product` (a GTIN without lot or serial, e.g. an `idpat:sgtin` pattern), `container` (SSCC),
 * `location` (GLN, `sgln`), `party` (party GLN, `pgln`), or any other `identifier`.
 */
export type IdentifierKind = 'lot' | 'item' | 'product' | 'container' | 'location' | 'party' | 'identifier';

/** A canonical identifier taken apart. */
export type IdentifierInfo = {
  kind: IdentifierKind;
  /** GTIN-14 of a lot, item or product. */
  gtin?: string;
  /** Lot/batch number (AI 10) of a lot. */
  lot?: string;
  /** Serial (AI 21) of an item. */
  serial?: string;
  /** The GS1 key of a container (SSCC), location (GLN) or party (GLN). */
  key?: string;
  /** A short human label for graphs and tables. */
  label: string;
};

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Takes a (canonical) identifier apart; anything that is not a canonical Digital Link is `identifier`. */
export function describeIdentifier(id: string): IdentifierInfo {
  if (!id.startsWith(CANONICAL)) return { kind: 'identifier', label: id };
  const [ai, key, qualifier, value] = id.slice(CANONICAL.length).split('/');
  if (ai === '01' && key) {
    if (qualifier === '10' && value)
      return { kind: 'lot', gtin: key, lot: decode(value), label: `批次 ${decode(value)}` };
    if (qualifier === '21' && value)
      return { kind: 'item', gtin: key, serial: decode(value), label: `单品 ${key.slice(-6)}·${decode(value)}` };
    if (!qualifier) return { kind: 'product', gtin: key, label: `产品 GTIN ${key}` };
  }
  if (ai === '00' && key) return { kind: 'container', key, label: `托盘 SSCC …${key.slice(-8)}` };
  if (ai === '414' && key) {
    const ext = qualifier === '254' && value ? `/${decode(value)}` : '';
    return { kind: 'location', key, label: `GLN ${key}${ext}` };
  }
  if (ai === '417' && key) return { kind: 'party', key, label: `主体 GLN ${key}` };
  return { kind: 'identifier', label: id };
}

/**
 * The GS1 element string of a lot, item or container — `(01)06901234000019(10)PA1` — which is how
 * a traceability lot code (FSMA 204 §1.1310) reads on a label; other identifiers as given.
 */
export function elementString(id: string): string {
  const info = describeIdentifier(id);
  if (info.kind === 'lot') return `(01)${info.gtin}(10)${info.lot}`;
  if (info.kind === 'item') return `(01)${info.gtin}(21)${info.serial}`;
  if (info.kind === 'product') return `(01)${info.gtin}`;
  if (info.kind === 'container') return `(00)${info.key}`;
  return id;
}

/** The GTIN a lot, item or product identifier carries, else undefined. */
export function gtinOf(id: string): string | undefined {
  return describeIdentifier(id).gtin;
}
