/**
 * Errors of the EPCIS 2.0 REST binding: RFC 9457 problem details whose `type` is one of the
 * binding's exception names (openapi.yaml: `epcisException:ValidationException`, …).
 */
import { Problem, type ProblemDetails } from '../../kernel/problems.ts';

/** The exception names of the EPCIS 2.0 REST binding (openapi.yaml, components/responses). */
export type EpcisException =
  | 'ValidationException'
  | 'QueryParameterException'
  | 'QueryTooLargeException'
  | 'QueryTooComplexException'
  | 'SubscriptionControlsException'
  | 'SecurityException'
  | 'NoSuchResourceException'
  | 'NoSuchNameException'
  | 'NotAcceptableException'
  | 'ResourceAlreadyExistsException'
  | 'CaptureLimitExceededException'
  | 'UnsupportedMediaTypeException'
  | 'URITooLongException'
  | 'ImplementationException';

/** A JSON pointer or XML path and what is wrong there. */
export type Pointed = { pointer: string; detail: string };

/** A problem typed `epcisException:<name>`. */
export class EpcisProblem extends Problem {
  constructor(
    status: number,
    readonly exception: EpcisException,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(status, `epcis-${exception}`, title, detail, extensions);
  }

  override toJSON(instance?: string): ProblemDetails {
    return { ...super.toJSON(instance), type: `epcisException:${this.exception}` };
  }
}

/** How many located errors a problem lists at most. */
const MAX_ERRORS = 50;

/** 400 ValidationException: an invalid document or event, with where (JSON pointer or XML path). */
export function validationProblem(errors: Pointed[]): EpcisProblem {
  const shown = errors.slice(0, MAX_ERRORS);
  const detail = shown.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; ');
  return new EpcisProblem(400, 'ValidationException', 'EPCIS 文档无效 Invalid EPCIS document', detail, {
    errors: shown,
  });
}

/** 400 QueryParameterException: a query parameter the standard does not allow. */
export function queryParameterProblem(name: string, detail: string): EpcisProblem {
  return new EpcisProblem(400, 'QueryParameterException', '查询参数无效 Invalid query parameter', detail, {
    errors: [{ pointer: `/query/${name}`, detail }],
  });
}

/** 404 NoSuchResourceException. */
export function noSuchResource(what: string): EpcisProblem {
  return new EpcisProblem(404, 'NoSuchResourceException', '未找到 Resource not found', `${what} not found`);
}

/** The exception a plain HTTP status stands for on `/epcis` routes. */
export const exceptionForStatus: Readonly<Record<number, EpcisException>> = {
  400: 'ValidationException',
  401: 'SecurityException',
  403: 'SecurityException',
  404: 'NoSuchResourceException',
  406: 'NotAcceptableException',
  409: 'ResourceAlreadyExistsException',
  413: 'CaptureLimitExceededException',
  414: 'URITooLongException',
  415: 'UnsupportedMediaTypeException',
  500: 'ImplementationException',
  501: 'ImplementationException',
};
