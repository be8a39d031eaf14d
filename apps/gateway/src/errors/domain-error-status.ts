import { AuditErrorCode } from '@attest/audit/nest';
import { GovernanceErrorCode } from '@attest/governance';
import { PiiErrorCode } from '@attest/pii';
import { PolicyErrorCode } from '@attest/policy';
import { InferenceErrorCode } from '@attest/inference';
import { AuditJobErrorCode } from '../admin/audit-job.errors';

/**
 * HTTP status for every stable domain error code. Each switch is exhaustive: a code added to a lib without a status
 * here fails the type check. Identity and registry keep their tables beside their codes (identity's also drives the
 * RFC 6750 `WWW-Authenticate` challenge); the error filter applies them in the same place as these.
 */
export function statusForInference(code: InferenceErrorCode): number {
  switch (code) {
    case InferenceErrorCode.InvalidRequest:
    case InferenceErrorCode.ContextOverflow:
    case InferenceErrorCode.Unsupported:
      return 400;
    case InferenceErrorCode.QueueFull:
    case InferenceErrorCode.QueueTimeout:
      return 429;
    case InferenceErrorCode.ModelLoadFailed:
    case InferenceErrorCode.ModelUnavailable:
    case InferenceErrorCode.IntegrityMismatch:
      return 503;
    case InferenceErrorCode.BackendFailed:
      return 502;
    case InferenceErrorCode.BackendTimeout:
      return 504;
    default:
      return unreachable(code);
  }
}

export function statusForGovernance(code: GovernanceErrorCode): number {
  switch (code) {
    case GovernanceErrorCode.PolicyDenied:
      return 403;
    case GovernanceErrorCode.InspectionFailed:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForAudit(code: AuditErrorCode): number {
  switch (code) {
    // Fail closed: whatever keeps an event from being committed refuses the act it records.
    case AuditErrorCode.Unavailable:
    case AuditErrorCode.Overloaded:
    case AuditErrorCode.ShutDown:
    case AuditErrorCode.Fenced:
    case AuditErrorCode.RolledBack:
    case AuditErrorCode.Forked:
    case AuditErrorCode.KeyUnusable:
    case AuditErrorCode.SinkUnusable:
      return 503;
    // Text JSON cannot carry unambiguously (lone surrogates) is refused rather than recorded altered (RFC 8785).
    case AuditErrorCode.EventInvalid:
    case AuditErrorCode.HoldInvalid:
      return 400;
    case AuditErrorCode.EventNotFound:
    case AuditErrorCode.HoldNotFound:
      return 404;
    case AuditErrorCode.HoldReleased:
    case AuditErrorCode.RetentionBusy:
      return 409;
    default:
      return unreachable(code);
  }
}

export function statusForPii(code: PiiErrorCode): number {
  switch (code) {
    case PiiErrorCode.InputTooLong:
      return 413;
    case PiiErrorCode.InvalidPolicy:
    case PiiErrorCode.InvalidRecognizer:
    case PiiErrorCode.AnalysisFailed:
    case PiiErrorCode.AnalysisTimeout:
    case PiiErrorCode.VaultUnavailable:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForPolicy(code: PolicyErrorCode): number {
  switch (code) {
    case PolicyErrorCode.BundleInvalid:
    case PolicyErrorCode.SignatureInvalid:
    case PolicyErrorCode.TestFileInvalid:
    case PolicyErrorCode.TimeZoneInvalid:
      return 400;
    case PolicyErrorCode.BundleNotFound:
      return 404;
    default:
      return unreachable(code);
  }
}

/** The auditor console's background jobs (apps/gateway/src/admin/audit-jobs.service.ts). */
export function statusForAuditJob(code: AuditJobErrorCode): number {
  switch (code) {
    case AuditJobErrorCode.NotFound:
      return 404;
    case AuditJobErrorCode.Limit:
      return 429;
    case AuditJobErrorCode.NotReady:
      return 409;
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): number {
  throw new Error(`no HTTP status for error code ${String(code)}`);
}
