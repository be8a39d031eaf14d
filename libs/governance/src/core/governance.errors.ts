/** Stable codes of the governed request path; the gateway's error filter maps each to an HTTP status. */
export enum GovernanceErrorCode {
  /** The policy decided deny (403). */
  PolicyDenied = 'POLICY_DENIED',
  /** PII inspection failed: refuse rather than pass unscanned text on (503, fail closed). */
  InspectionFailed = 'PII_INSPECTION_FAILED',
}

export class GovernanceError extends Error {
  constructor(
    readonly code: GovernanceErrorCode,
    message: string,
    readonly details: { policyIds?: string[]; reasons?: string[] } = {},
  ) {
    super(message);
    this.name = 'GovernanceError';
  }
}
