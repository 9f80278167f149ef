import { categoryByCode } from '../cases/time-limits.ts';
import type { RequestRecord, UpdateRecord } from './case-port.ts';
import { formatW3cDateTime } from './dates.ts';
import type { Open311Service } from './services.ts';
import { extendedStatusOf, statusOf } from './statuses.ts';
import { element, leaf, list, type XNode } from './xml.ts';

// GeoReport v2 documents, elements in the order of the specification's response tables. Requests
// are presented from `RequestRecord`s, which carry no person: a reporter's name, e-mail, phone,
// device and account never reach a GET.

/** `GET services`: the service list. */
export function servicesDocument(services: readonly Open311Service[]): XNode {
  return list(
    'services',
    services.map((s) =>
      element('service', [
        leaf('service_code', s.code),
        leaf('service_name', s.name),
        leaf('description', s.description),
        leaf('metadata', s.metadata),
        leaf('type', s.type),
        leaf('keywords', s.keywords),
        leaf('group', s.group),
      ]),
    ),
  );
}

/** `GET services/{service_code}`: the service definition with its attributes. */
export function serviceDefinitionDocument(s: Open311Service): XNode {
  return element('service_definition', [
    leaf('service_code', s.code),
    list(
      'attributes',
      s.attributes.map((a) =>
        element('attribute', [
          leaf('variable', a.variable),
          leaf('code', a.code),
          leaf('datatype', a.datatype),
          leaf('required', a.required),
          leaf('datatype_description', a.datatypeDescription),
          leaf('order', a.order),
          leaf('description', a.description),
          list(
            'values',
            a.values.map((v) => element('value', [leaf('key', v.key), leaf('name', v.name)])),
          ),
        ]),
      ),
    ),
  ]);
}

/** What presenting a request needs besides the record. */
export type RequestContext = { offsetMinutes: number; services: readonly Open311Service[] };

function requestElement(r: RequestRecord, c: RequestContext): XNode {
  const service = c.services.find((s) => s.code === r.serviceCode);
  const when = (at: string | null) => (at === null ? null : formatW3cDateTime(at, c.offsetMinutes));
  return element('request', [
    leaf('service_request_id', r.id),
    leaf('status', statusOf(r.state)),
    leaf('status_notes', r.statusNotes),
    leaf('service_name', service?.name ?? categoryByCode(r.serviceCode)?.name ?? r.serviceCode),
    leaf('service_code', r.serviceCode),
    leaf('description', r.description === '' ? null : r.description),
    leaf('agency_responsible', r.agencyResponsible),
    leaf('service_notice', service?.notice ?? null),
    leaf('requested_datetime', when(r.requestedAt)),
    leaf('updated_datetime', when(r.updatedAt)),
    leaf('expected_datetime', when(r.expectedAt)),
    leaf('address', r.address),
    leaf('address_id', r.addressId),
    leaf('zipcode', null),
    leaf('lat', r.lat),
    leaf('long', r.long),
    leaf('media_url', r.mediaUrl),
  ]);
}

/** `GET requests` and `GET requests/{id}`: service requests. */
export function requestsDocument(records: readonly RequestRecord[], c: RequestContext): XNode {
  return list(
    'service_requests',
    records.map((r) => requestElement(r, c)),
  );
}

/** `POST requests`: the id (realtime service) or the token (batch service), the notice, the account. */
export function createdDocument(
  answer: { id: string; token: null } | { id: null; token: string },
  notice: string | null,
  accountId: string | null,
): XNode {
  return list('service_requests', [
    element('request', [
      answer.token === null ? leaf('service_request_id', answer.id) : leaf('token', answer.token),
      leaf('service_notice', notice),
      leaf('account_id', accountId),
    ]),
  ]);
}

/** `GET tokens/{token}`: the id the token stands for (empty until the request is public). */
export function tokenDocument(id: string | null, token: string): XNode {
  return list('service_requests', [element('request', [leaf('service_request_id', id), leaf('token', token)])]);
}

/** mySociety `GET servicerequestupdates`: status changes with the extended statuses. */
export function updatesDocument(updates: readonly UpdateRecord[], offsetMinutes: number): XNode {
  return list(
    'service_request_updates',
    updates.map((u) =>
      element('request_update', [
        leaf('update_id', String(u.updateId)),
        leaf('service_request_id', u.requestId),
        leaf('status', extendedStatusOf(u.state, u.voidKind)),
        leaf('updated_datetime', formatW3cDateTime(u.updatedAt, offsetMinutes)),
        leaf('description', u.description),
      ]),
    ),
  );
}

/** What Service Discovery says about us. */
export type DiscoveryFacts = { changeset: string; contact: string; keyService: string; endpointUrl: string };

/** Service Discovery (`/open311/discovery`): our one GeoReport v2 endpoint and its formats. */
export function discoveryDocument(d: DiscoveryFacts): XNode {
  return element('discovery', [
    leaf('changeset', d.changeset),
    leaf('contact', d.contact),
    leaf('key_service', d.keyService),
    list('endpoints', [
      element('endpoint', [
        leaf('specification', 'http://wiki.open311.org/GeoReport_v2'),
        leaf('url', d.endpointUrl),
        leaf('changeset', d.changeset),
        leaf('type', 'production'),
        list('formats', [leaf('format', 'text/xml'), leaf('format', 'application/json')]),
      ]),
    ]),
  ]);
}
