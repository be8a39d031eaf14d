import type { RequestMeta } from '@attest/governance';
import { currentTraceId } from '@attest/telemetry';
import type { FastifyRequest } from 'fastify';
import { RequestValidationError } from './request-validation';

// An unreadable label ranks as the most sensitive, so a typo never loosens a rule.
const CLASSIFICATION = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
// A subject id is whatever the enterprise uses (patient number, customer id, e-mail): printable, bounded.
const isDataSubject = (value: string): boolean => value.length >= 1 && value.length <= 256 && ![...value].some((char) => char < ' ' || char === '\u007f');
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who asked and how to find this request again (the id the server assigned with `requestIdOf`). */
export function requestMetaOf(request: FastifyRequest): RequestMeta {
  const traceparent = header(request, 'traceparent');
  const classification = header(request, 'x-attest-data-classification');
  const dataSubject = header(request, 'x-attest-data-subject')?.trim();
  if (dataSubject !== undefined && !isDataSubject(dataSubject)) {
    // Content keyed to the wrong subject could not be erased later: refuse rather than guess.
    throw new RequestValidationError('x-attest-data-subject must be 1 to 256 printable characters.', 'x-attest-data-subject', 'invalid_value');
  }
  return {
    ...(dataSubject ? { dataSubjectId: dataSubject } : {}),
    requestId: request.id,
    dataClassification: classification && CLASSIFICATION.test(classification) ? classification.toLowerCase() : classification ? 'restricted' : undefined,
    // The caller's trace, else the one OpenTelemetry started for this request (when an exporter is configured).
    traceId: (traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined) ?? currentTraceId(),
    sourceIp: request.ip,
    userAgent: header(request, 'user-agent')?.slice(0, 512),
  };
}
