import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { allPlacesInScope, findPlace, findPlacesByCode, type PlaceRow } from '../twin/store.ts';
import type { CasePort, RequestRecord } from './case-port.ts';
import { open311BadRequest, open311NotFound } from './errors.ts';
import { attributesOf, type FormFields } from './form.ts';
import { answersChecker, type Open311Service, open311Service } from './services.ts';
import * as store from './store.ts';

// GeoReport v2 "POST Service Request": the form, checked field by field (every problem reported
// at once, in the specification's error format), becomes a case through the case port; what the
// reporter told about themselves is kept beside it, never in the case's public record.

/** What a POST produced. */
export type ReceivedReport = { service: Open311Service; record: RequestRecord; token: string | null };

const everywhere = { placeId: null, path: null, gridId: null };
// The case engine's own rules for a reporter's phone and e-mail (src/cases/schema.ts caseInput).
const phonePattern = /^\+?[0-9 -]{5,20}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One value of a form field (null if absent or empty); a repeated field is an error. */
function single(form: FormFields, name: string, errors: string[]): string | null {
  const v = form[name];
  if (Array.isArray(v)) {
    errors.push(`${name} was given more than once`);
    return null;
  }
  const trimmed = v?.trim();
  return trimmed ? trimmed : null;
}

function limited(form: FormFields, name: string, max: number, errors: string[]): string | null {
  const v = single(form, name, errors);
  if (v !== null && v.length > max) {
    errors.push(`${name} is limited to ${max} characters`);
    return null;
  }
  return v;
}

/**
 * The place an address names: the most specific place whose name it contains (a compound's
 * name is longer than its community's), or the jurisdiction's root place, where the dispatcher
 * reads the address and locates the report. Null only when there are no places at all.
 */
export async function placeForAddress(db: Executor, address: string): Promise<PlaceRow | null> {
  const places = await allPlacesInScope(db, everywhere);
  const named = places
    .filter((p) => p.name.length >= 2 && address.includes(p.name))
    .sort((a, b) => b.name.length - a.name.length || b.path.length - a.path.length);
  return named[0] ?? places.find((p) => p.parent_id === null) ?? null;
}

/** The reporter's name in the usual order: family name first for Chinese names. */
function fullName(first: string | null, last: string | null): string | null {
  if (!first && !last) return null;
  const cjk = /[\u3400-\u9fff]/.test(`${first ?? ''}${last ?? ''}`);
  return (cjk ? `${last ?? ''}${first ?? ''}` : `${first ?? ''} ${last ?? ''}`).trim().slice(0, 64);
}

/**
 * Receives one report from an app: checks it, creates the case, keeps the reporter's details and
 * answers, issues a token for batch services, and audits the submission — all in the unit.
 */
export async function reportReceiver(
  unit: Unit,
  port: CasePort,
  key: store.KeyRow,
  form: FormFields,
  jurisdictionId: string | null,
): Promise<ReceivedReport> {
  const errors: string[] = [];
  const code = single(form, 'service_code', errors);
  if (!code && errors.length === 0) throw open311BadRequest('service_code was not provided');
  if (!code) throw open311BadRequest(...errors);
  const service = open311Service(code);
  if (!service) throw open311NotFound(`service_code ${code} not found`);

  const latText = single(form, 'lat', errors);
  const longText = single(form, 'long', errors);
  const addressString = limited(form, 'address_string', 300, errors);
  const addressId = limited(form, 'address_id', 100, errors);
  let location: [number, number] | null = null;
  if (latText !== null || longText !== null) {
    const lat = Number(latText);
    const long = Number(longText);
    if (latText === null || longText === null) errors.push('lat and long must both be sent');
    else if (!Number.isFinite(lat) || Math.abs(lat) > 90) errors.push('lat must be a WGS84 latitude');
    else if (!Number.isFinite(long) || Math.abs(long) > 180) errors.push('long must be a WGS84 longitude');
    else location = [long, lat];
  } else if (addressString === null && addressId === null && errors.length === 0) {
    errors.push('A full location parameter must be submitted: lat and long, address_string or address_id');
  }
  let place: PlaceRow | null = null;
  if (addressId !== null) {
    place = (await findPlacesByCode(unit.tx, [addressId]))[0] ?? (await findPlace(unit.tx, addressId)) ?? null;
    if (!place) errors.push(`address_id ${addressId} is not an address we know`);
  }

  const description = limited(form, 'description', 4000, errors) ?? '';
  const email = limited(form, 'email', 254, errors);
  if (email !== null && !emailPattern.test(email)) errors.push('email is not an e-mail address');
  const phone = limited(form, 'phone', 20, errors);
  if (phone !== null && !phonePattern.test(phone)) errors.push('phone must be a phone number (digits, spaces, -, +)');
  const mediaUrl = limited(form, 'media_url', 500, errors);
  if (mediaUrl !== null && !/^https?:\/\/\S+$/i.test(mediaUrl)) errors.push('media_url must be an http(s) URL');
  const firstName = limited(form, 'first_name', 64, errors);
  const lastName = limited(form, 'last_name', 64, errors);
  const deviceId = limited(form, 'device_id', 200, errors);
  const accountId = limited(form, 'account_id', 200, errors);
  const checked = answersChecker(service, attributesOf(form));
  errors.push(...checked.errors);
  if (errors.length > 0) throw open311BadRequest(...errors);

  const record = await port.createResidentReport(unit, {
    serviceCode: service.code,
    description,
    location,
    placeId: place?.id ?? null,
    placeOfAddress:
      addressString === null ? null : async () => (await placeForAddress(unit.tx, addressString))?.id ?? null,
    address: addressString,
    mediaUrl,
    reporterName: fullName(firstName, lastName),
    reporterPhone: phone,
    reporterEmail: email,
    app: { keyId: key.id, name: key.app_name },
    answers: checked.answers,
  });
  const token = service.type === 'batch' ? randomUUID() : null;
  const now = unit.clock.now().toISOString();
  await store.insertReport(unit.tx, {
    case_id: record.caseId,
    key_id: key.id,
    token,
    jurisdiction_id: jurisdictionId,
    email,
    device_id: deviceId,
    account_id: accountId,
    first_name: firstName,
    last_name: lastName,
    phone,
    address_string: addressString,
    address_id: addressId,
    attributes: JSON.stringify(checked.answers),
    created_at: now,
  });
  await store.updateKey(unit.tx, key.id, { last_used_at: now });
  // The case's own audit record says what was reported; this one says which app sent it.
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'open311.report',
    subjectType: 'case',
    subjectId: record.caseId,
    after: { app: key.app_name, keyId: key.id, serviceCode: service.code, requestId: record.id, token: token !== null },
  });
  return { service, record, token };
}
