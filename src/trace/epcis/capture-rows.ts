/**
 * The rows a prepared capture writes (capture-prepare.ts), built event by event on the capture
 * thread: the event row, the stored JSON-LD, identifiers and facets of each candidate, where the
 * candidates happened, and the chunks the writer takes (capture-store.ts).
 */
import type { CaptureDocument, Json } from './document.ts';
import { eventColumns, eventFacets, namedIdentifiers, normaliseIdentifier } from './extract.ts';
import { prefixesFor } from './validate.ts';

/** Where the candidates happened: normalised location keys, and how the input names them (for a 403). */
export type Place = { biz: string | null; read: string | null; bizAt: string; readAt: string };

/** Candidates per row chunk. */
export const CHUNK = 500;

/** The rows of candidates `from` … `from + CHUNK - 1` (each row starts with its candidate `k`). */
export type RowChunk = {
  from: number;
  /** `[k, event_id, event_hash, event_type, event_time, tz, action, biz_step, disposition, read_point, biz_location, transformation_id, read_point_key, biz_location_key, place]` */
  events: string;
  /** Each candidate's JSON-LD as stored (eventID and recordTime filled in), one per line (JSON has no raw newline). */
  documents: string;
  /** `[k, identifier, role, quantity, uom]` */
  ids: string;
  /** `[k, facet, text_value, num_value]` */
  facets: string;
};

/** The event as stored: its own fields, the eventID (the hash when it had none), the record time. */
function storedForm(doc: CaptureDocument, event: Json, eventId: string, recordTime: string): Json {
  const { '@context': own, ...rest } = event;
  return {
    ...(doc.type === 'event' || own === undefined ? {} : { '@context': own }),
    ...rest,
    eventID: eventId,
    recordTime,
  };
}

const idOf = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as Json).id === 'string'
      ? ((v as Json).id as string)
      : null;

/** The rows of the events to store, built event by event, and where they happened. */
export class CaptureRows {
  private readonly places: Place[] = [];
  private readonly placeIndex = new Map<string, number>();
  private readonly hashes: string[] = [];
  private readonly explicit: [number, string, string][] = [];
  private readonly declaring = new Set<number>();
  private readonly events: unknown[][] = [];
  private readonly bodies: Json[] = [];
  private readonly documents: string[] = [];
  private readonly ids: unknown[][] = [];
  private facets: unknown[][] = [];

  constructor(
    private readonly doc: CaptureDocument,
    private readonly recordTime: string,
  ) {}

  private readonly placeOfEvent = new Map<Json, number>();

  /** Where an event happened (its place), remembered for {@link add}. */
  locate(event: Json, pointer: string): number {
    let place = this.placeOfEvent.get(event);
    if (place === undefined) {
      const biz = idOf(event.bizLocation);
      const read = idOf(event.readPoint);
      place = this.placeOf(
        biz === null ? null : normaliseIdentifier(biz),
        read === null ? null : normaliseIdentifier(read),
        pointer,
      );
      this.placeOfEvent.set(event, place);
    }
    return place;
  }

  /** Adds a candidate; returns its index `k`. */
  add(event: Json, pointer: string, hash: string, eventId: string): number {
    const k = this.hashes.length;
    const place = this.locate(event, pointer);
    const { biz: bizKey, read: readKey } = this.places[place]!;
    this.hashes.push(hash);
    if (typeof event.eventID === 'string') this.explicit.push([k, eventId, this.doc.locate(`${pointer}/eventID`)]);
    if (event.errorDeclaration !== undefined) this.declaring.add(k);
    const c = eventColumns(event);
    this.events.push([
      k,
      eventId,
      hash,
      c.event_type,
      c.event_time,
      c.event_time_zone_offset,
      c.action,
      c.biz_step,
      c.disposition,
      c.read_point,
      c.biz_location,
      c.transformation_id,
      readKey,
      bizKey,
      place,
    ]);
    this.bodies.push(event);
    this.documents.push(this.storedText(event, eventId));
    for (const n of namedIdentifiers(event)) this.ids.push([k, n.identifier, n.role, n.quantity, n.uom]);
    this.addFacets(k, event);
    return k;
  }

  /** A later copy adds an error declaration to candidate `k`; false when it has one already. */
  declare(k: number, declaration: unknown): boolean {
    const event = this.bodies[k]!;
    if (event.errorDeclaration !== undefined) return false;
    const declared = { ...event, errorDeclaration: declaration };
    this.bodies[k] = declared;
    this.declaring.add(k);
    this.documents[k] = this.storedText(declared, this.events[k]![1] as string);
    this.facets = this.facets.filter((f) => f[0] !== k);
    this.addFacets(k, declared);
    return true;
  }

  /** The stored form's text; for the usual event (no eventID, recordTime or context of its own) without a copy. */
  private storedText(event: Json, eventId: string): string {
    if (event.eventID !== undefined || event.recordTime !== undefined || event['@context'] !== undefined)
      return JSON.stringify(storedForm(this.doc, event, eventId, this.recordTime));
    const text = JSON.stringify(event);
    const tail = `"eventID":${JSON.stringify(eventId)},"recordTime":${JSON.stringify(this.recordTime)}}`;
    return text === '{}' ? `{${tail}` : `${text.slice(0, -1)},${tail}`;
  }

  private addFacets(k: number, event: Json): void {
    for (const f of eventFacets(event, prefixesFor(this.doc, event))) this.facets.push([k, f.facet, f.text, f.num]);
  }

  private placeOf(biz: string | null, read: string | null, pointer: string): number {
    const key = `${biz ?? ''}\u0000${read ?? ''}`;
    let place = this.placeIndex.get(key);
    if (place === undefined) {
      place = this.places.length;
      this.placeIndex.set(key, place);
      const bizAt = this.doc.locate(`${pointer}/bizLocation`);
      this.places.push({ biz, read, bizAt, readAt: this.doc.locate(`${pointer}/readPoint`) });
    }
    return place;
  }

  /** The rows in chunks of {@link CHUNK} candidates. */
  private chunks(): RowChunk[] {
    const out: RowChunk[] = [];
    const byChunk = (rows: unknown[][]) => {
      const parts: unknown[][][] = [];
      for (const row of rows) {
        const c = Math.floor((row[0] as number) / CHUNK);
        const part = parts[c] ?? [];
        parts[c] = part;
        part.push(row);
      }
      return parts;
    };
    const ids = byChunk(this.ids);
    const facets = byChunk(this.facets);
    for (let from = 0; from < this.events.length; from += CHUNK) {
      const c = from / CHUNK;
      out.push({
        from,
        events: JSON.stringify(this.events.slice(from, from + CHUNK)),
        documents: this.documents.slice(from, from + CHUNK).join('\n'),
        ids: JSON.stringify(ids[c] ?? []),
        facets: JSON.stringify(facets[c] ?? []),
      });
    }
    return out;
  }

  /** The prepared rows; none when nothing is to be stored (`keep` false: a rejected document). */
  result(keep: boolean) {
    const { doc } = this;
    const vocabularyAt: Record<string, string> = {};
    for (const { event: vocabulary, pointer } of doc.vocabularies) {
      const elements = Array.isArray(vocabulary.vocabularyElementList) ? vocabulary.vocabularyElementList : [];
      elements.forEach((_, i) => {
        const at = `${pointer}/vocabularyElementList/${i}`;
        vocabularyAt[at] = doc.locate(at);
      });
    }
    return {
      count: keep ? this.hashes.length : 0,
      hashes: JSON.stringify(keep ? this.hashes : []),
      explicit: keep ? this.explicit : [],
      declaring: keep ? [...this.declaring] : [],
      chunks: keep ? this.chunks() : [],
      places: this.places,
      context: Object.keys(doc.prefixes).length > 0 ? JSON.stringify(doc.prefixes) : null,
      docType: doc.type,
      prefixes: doc.prefixes,
      vocabularies: doc.vocabularies,
      vocabularyAt,
    };
  }
}
