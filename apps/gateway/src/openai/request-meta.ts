import type { RequestMeta } from '@attest/governance';
import type { FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// An unreadable label ranks as the most sensitive, so a typo never loosens a rule.
const CLASSIFICATION = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who asked and how to find this request again; a caller-supplied id is kept only when it is well-formed. */
export function requestMetaOf(request: FastifyRequest): RequestMeta {
  const suppliedId = header(request, 'x-request-id');
  const traceparent = header(request, 'traceparent');
  const classification = header(request, 'x-attest-data-classification');
  return {
    requestId: suppliedId && REQUEST_ID.test(suppliedId) ? suppliedId : uuidv7(),
    dataClassification: classification && CLASSIFICATION.test(classification) ? classification.toLowerCase() : classification ? 'restricted' : undefined,
    traceId: traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined,
    sourceIp: request.ip,
    userAgent: header(request, 'user-agent')?.slice(0, 512),
  };
}
