import { SCIM_SCHEMAS } from './scim-schemas';

/**
 * Stable codes for everything the SCIM endpoints refuse. Each maps to an HTTP status and, for 400 and 409, to the
 * `scimType` of RFC 7644 §3.12 that IdPs (Okta, Entra) read to decide whether to retry or give up.
 */
export enum ScimErrorCode {
  /** The body is not JSON or not the shape of the request (RFC 7644 `invalidSyntax`). */
  InvalidSyntax = 'SCIM_INVALID_SYNTAX',
  /** An attribute has a value that is not allowed (`invalidValue`). */
  InvalidValue = 'SCIM_INVALID_VALUE',
  /** The `filter` parameter is not understood or names an attribute that cannot be filtered on (`invalidFilter`). */
  InvalidFilter = 'SCIM_INVALID_FILTER',
  /** A PATCH `path` is not understood (`invalidPath`). */
  InvalidPath = 'SCIM_INVALID_PATH',
  /** A PATCH `remove` without a path, or a path that selects nothing where something is required (`noTarget`). */
  NoTarget = 'SCIM_NO_TARGET',
  /** Another live resource already holds this userName, externalId or displayName (`uniqueness`). */
  Uniqueness = 'SCIM_UNIQUENESS',
  /** No such User or Group (or it was deleted). */
  NotFound = 'SCIM_NOT_FOUND',
  /** No bearer token, or not the configured one. */
  Unauthenticated = 'SCIM_UNAUTHENTICATED',
  /** ATTEST_SCIM_TOKEN is unset: provisioning is off. */
  NotConfigured = 'SCIM_NOT_CONFIGURED',
}

interface ScimErrorShape {
  status: number;
  scimType?: string;
  detail: string;
}

const SHAPES: Record<ScimErrorCode, ScimErrorShape> = {
  [ScimErrorCode.InvalidSyntax]: { status: 400, scimType: 'invalidSyntax', detail: 'The request body is not a valid SCIM request.' },
  [ScimErrorCode.InvalidValue]: { status: 400, scimType: 'invalidValue', detail: 'An attribute has a value that is not allowed.' },
  [ScimErrorCode.InvalidFilter]: { status: 400, scimType: 'invalidFilter', detail: 'The filter is not supported.' },
  [ScimErrorCode.InvalidPath]: { status: 400, scimType: 'invalidPath', detail: 'The PATCH path is not supported.' },
  [ScimErrorCode.NoTarget]: { status: 400, scimType: 'noTarget', detail: 'The PATCH path selects nothing.' },
  [ScimErrorCode.Uniqueness]: { status: 409, scimType: 'uniqueness', detail: 'Another resource already holds this value.' },
  [ScimErrorCode.NotFound]: { status: 404, detail: 'No such resource.' },
  [ScimErrorCode.Unauthenticated]: { status: 401, detail: 'Send the SCIM bearer token configured in Attest (ATTEST_SCIM_TOKEN).' },
  [ScimErrorCode.NotConfigured]: { status: 404, detail: 'SCIM provisioning is not enabled on this Attest: set ATTEST_SCIM_TOKEN.' },
};

/** The HTTP status each code stands for; the gateway's error mapping applies it. */
export function httpStatusForScimError(code: ScimErrorCode): number {
  return SHAPES[code].status;
}

/** RFC 7644 §3.12 `scimType`, where the status has one (400 and 409). */
export function scimTypeFor(code: ScimErrorCode): string | undefined {
  return SHAPES[code].scimType;
}

/**
 * What the SCIM core and services throw. `message` is safe to show to the IdP: it names attributes, never values.
 *
 * @example
 * throw new ScimError(ScimErrorCode.Uniqueness, 'userName is already provisioned.');
 */
export class ScimError extends Error {
  constructor(
    readonly code: ScimErrorCode,
    message: string = SHAPES[code].detail,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ScimError';
  }

  get httpStatus(): number {
    return httpStatusForScimError(this.code);
  }
}

/** RFC 7644 §3.12 error body: `status` is a string there. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_SCHEMAS.error];
  status: string;
  scimType?: string;
  detail: string;
}

export function scimErrorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [SCIM_SCHEMAS.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}
