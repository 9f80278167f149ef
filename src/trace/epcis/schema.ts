/**
 * Zod schemas of the EPCIS REST routes (validation, types and the OpenAPI docs at /api/docs):
 * paging, the query-language parameters, named queries, subscriptions and the master data API.
 */
import { z } from 'zod';
import { MAX_PER_PAGE } from './events-querier.ts';
import { vocabularyAliases } from './master-data.ts';

/** A query parameter's value: one string (lists separated by `|`), or the parameter repeated. */
const value = z.union([z.string(), z.array(z.string())]);

/** `perPage` and `nextPageToken` (REST binding paging). */
export const pageParams = z.object({
  perPage: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PER_PAGE)
    .default(30)
    .describe(`events per page (at most ${MAX_PER_PAGE})`),
  nextPageToken: z.string().max(2000).optional().describe('from the Link header of the previous page'),
});

/** The fixed-name parameters of EPCIS 2.0 §8.2.7.1 (others — extension fields, sensor values per unit — are accepted too). */
export const standardParameters = [
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_persistentDisposition_set',
  'EQ_persistentDisposition_unset',
  'EQ_readPoint',
  'WD_readPoint',
  'EQ_bizLocation',
  'WD_bizLocation',
  'EQ_transformationID',
  'MATCH_epc',
  'MATCH_parentID',
  'MATCH_inputEPC',
  'MATCH_outputEPC',
  'MATCH_anyEPC',
  'MATCH_epcClass',
  'MATCH_inputEPCClass',
  'MATCH_outputEPCClass',
  'MATCH_anyEPCClass',
  'EQ_quantity',
  'GT_quantity',
  'GE_quantity',
  'LT_quantity',
  'LE_quantity',
  'EQ_eventID',
  'EXISTS_errorDeclaration',
  'GE_errorDeclarationTime',
  'LT_errorDeclarationTime',
  'EQ_errorReason',
  'EQ_correctiveEventID',
  'GE_startTime',
  'LT_startTime',
  'GE_endTime',
  'LT_endTime',
  'EQ_type',
  'EQ_deviceID',
  'EQ_dataProcessingMethod',
  'EQ_microorganism',
  'EQ_chemicalSubstance',
  'EQ_bizRules',
  'EQ_stringValue',
  'EQ_hexBinaryValue',
  'EQ_uriValue',
  'EQ_booleanValue',
  'orderBy',
  'orderDirection',
  'eventCountLimit',
  'maxEventCount',
] as const;

/** The query string of the event queries: paging plus any query-language parameter. */
export const eventsParams = pageParams
  .extend(
    Object.fromEntries(standardParameters.map((n) => [n, value.optional()])) as Record<
      string,
      z.ZodOptional<typeof value>
    >,
  )
  .catchall(value);

/** Splits paging off the query-language parameters. */
export function splitPaging(query: Record<string, unknown>): {
  params: Record<string, unknown>;
  perPage: number;
  nextPageToken: string | undefined;
} {
  const { perPage, nextPageToken, ...params } = query;
  return {
    params,
    perPage: typeof perPage === 'number' ? perPage : 30,
    nextPageToken: typeof nextPageToken === 'string' ? nextPageToken : undefined,
  };
}

/** A named query's name (path segment). */
export const queryName = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'letters, digits, dot, dash, underscore (64 at most)');

/** `POST /epcis/queries` (openapi.yaml QueryDefinition). */
export const namedQueryInput = z.object({
  name: queryName,
  query: z
    .record(z.string(), z.unknown())
    .describe('EPCIS query language parameters (query-schema.json), with an optional @context'),
});

const cronField = z.string().max(100).optional();

/** `POST /epcis/queries/{name}/subscriptions` (openapi.yaml AbstractQuerySubscription + stream or schedule). */
export const subscriptionInput = z.object({
  dest: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe(
      'callback URL receiving EPCISQueryDocuments: a public address, or one allowed by WEBHOOK_ALLOW (else 400 at /dest)',
    ),
  signatureToken: z.string().min(8).max(200).optional().describe('key of the HMAC-SHA256 GS1-Signature header'),
  stream: z.literal(true).optional(),
  schedule: z
    .object({
      second: cronField,
      minute: cronField,
      hour: cronField,
      dayOfMonth: cronField,
      month: cronField,
      dayOfWeek: cronField,
    })
    .optional(),
  reportIfEmpty: z.boolean().optional(),
  initialRecordTime: z.iso.datetime({ offset: true }).optional(),
});
/** A subscription request as validated. */
export type SubscriptionInput = z.infer<typeof subscriptionInput>;

/** The master data API's vocabulary names. */
export const vocabularyAlias = z.enum(Object.keys(vocabularyAliases) as [keyof typeof vocabularyAliases]);

/** `PUT /api/trace/master-data/{vocabulary}`: one element, and (administrators) its links. */
export const masterDataInput = z.object({
  id: z.string().min(3).max(500).describe('the element id, e.g. urn:epc:id:sgln:0614141.00888.0 or a GS1 Digital Link'),
  name: z.string().max(200).nullable().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  children: z.array(z.string().max(500)).max(1000).optional(),
  placeId: z.string().nullable().optional().describe('the twin place (enterprise site) it is'),
  ownerId: z.string().nullable().optional().describe('the enterprise user that owns it and may capture there'),
});

/** A master data element as clients see it. */
export const masterDataView = z.object({
  vocabulary: z.string(),
  id: z.string(),
  uri: z.string(),
  name: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  children: z.array(z.string()),
  placeId: z.string().nullable(),
  ownerId: z.string().nullable(),
  updatedAt: z.string(),
});
