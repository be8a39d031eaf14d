/** Stable codes of @attest/policy failures; the gateway maps them to HTTP statuses in one place. */
export enum PolicyErrorCode {
  /** The bundle does not parse or validate against its schema; the last good bundle stays active. */
  BundleInvalid = 'POLICY_BUNDLE_INVALID',
  /** No bundle at the given place (missing folder, no schema or policies, unknown sha256). */
  BundleNotFound = 'POLICY_BUNDLE_NOT_FOUND',
  /** Signing is required and the bundle is unsigned, or its Ed25519 signature does not verify. */
  SignatureInvalid = 'POLICY_SIGNATURE_INVALID',
  /** A time zone that the runtime's Intl data does not know. */
  TimeZoneInvalid = 'POLICY_TIME_ZONE_INVALID',
  /** A policy test file that is not well-formed. */
  TestFileInvalid = 'POLICY_TEST_FILE_INVALID',
}

export class PolicyError extends Error {
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    /** Details such as `file:line:col: message` lines of an invalid bundle. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PolicyError';
  }
}
